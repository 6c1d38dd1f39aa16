"""Interpreter shutdown while sends are truly in flight (test_runtime.py covers exits with
sends against a server that answers). Here every send is stalled by the server, so it is
still waiting when the interpreter goes down: blocking sends in daemon threads, `send_async`
tasks on a loop in a daemon thread, tasks on the main thread's own loop, and all of them at
once against the in-process emulator. Each way of leaving (end of script, `sys.exit(3)`,
an unhandled exception) must exit promptly with the expected return code, without
"Fatal Python error", a Rust panic or a hang."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = r"""
import asyncio, sys, threading
sys.path.insert(0, {tests!r})
from hostile import Behaviour, Hostile
from sms_otp import Client
from sms_otp.testing import Emulator

mode, how = sys.argv[1], sys.argv[2]
PHONE = "+12025550162"

if mode == "emulator":
    emu = Emulator()
    emu.inject_fault(kind="stall", times=1000)
    client = emu.client(timeout=30.0)
    def in_flight():
        return emu.faults()[0]["hits"]
else:
    server = Hostile([Behaviour(kind="stall")])
    client = Client("project-test-x", "secret-test-x", base_url=server.url, timeout=30.0)
    def in_flight():
        return server.seen()

def blocking():
    client.otps.sms.send(phone_number=PHONE)

async def tasks(n):
    return [asyncio.ensure_future(client.otps.sms.send_async(phone_number=PHONE)) for _ in range(n)]

def loop_thread():
    async def main():
        await asyncio.gather(*(await tasks(20)))
    asyncio.run(main())

def leave():
    import time
    print("leaving", time.time(), flush=True)
    if how == "sys.exit":
        sys.exit(3)
    if how == "exception":
        raise RuntimeError("unhandled on purpose")

expected = 0
if mode in ("threads", "emulator"):
    for _ in range(4):
        threading.Thread(target=blocking, daemon=True).start()
    expected += 4
if mode in ("loop-thread", "emulator"):
    threading.Thread(target=loop_thread, daemon=True).start()
    expected += 20

def wait_in_flight(n):
    import time
    deadline = time.monotonic() + 10
    while in_flight() < n:
        assert time.monotonic() < deadline, f"only {{in_flight()}} of {{n}} sends reached the server"
        time.sleep(0.01)

if mode == "main-loop":
    async def main():
        pending = await tasks(20)
        while in_flight() < 20:
            await asyncio.sleep(0.01)
        leave()  # from inside the running loop: asyncio.run cancels the pending sends
    asyncio.run(main())
else:
    wait_in_flight(expected)
    leave()
"""

MODES = ["threads", "loop-thread", "main-loop", "emulator"]
EXITS = {"end of script": 0, "sys.exit": 3, "exception": 1}


@pytest.mark.parametrize("how", list(EXITS))
@pytest.mark.parametrize("mode", MODES)
def test_exit_with_stalled_sends_in_flight(mode: str, how: str, tmp_path: Path) -> None:
    script = tmp_path / "shutdown.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent)))
    started = time.monotonic()
    try:
        result = subprocess.run([sys.executable, str(script), mode, how], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{mode} / {how}: the interpreter did not exit within 30 s: {e.stderr!r:.2000}")
    exited = time.time()
    took = time.monotonic() - started
    said, _, left_at = result.stdout.strip().partition(" ")
    assert said == "leaving", (result.stdout, result.stderr[-2000:])
    assert result.returncode == EXITS[how], result.stderr[-2000:]
    assert "Fatal Python error" not in result.stderr, result.stderr[-2000:]
    assert "panicked" not in result.stderr and "RUST_BACKTRACE" not in result.stderr, result.stderr[-2000:]
    if how == "exception":
        assert "RuntimeError: unhandled on purpose" in result.stderr
    else:
        assert result.stderr.strip() == "", result.stderr[-2000:]
    # The exit itself must not wait for the 30 s send timeout (the atexit guard waits at
    # most 1 s for runtime threads inside Python).
    assert exited - float(left_at) < 3.0, f"{mode} / {how}: exiting took {exited - float(left_at):.1f}s"
    assert took < 15, f"{mode} / {how}: took {took:.1f}s"
