"""Repeated fork while sends are in flight in the parent (test_runtime.py covers one fork of
an idle client): blocking sends in threads and an asyncio loop with `send_async` tasks keep
running against the emulator and against a stalling endpoint while the main thread forks
again and again. Every child must send with the inherited client and a fresh one, blocking
and asyncio, and exit promptly (half through a normal interpreter exit, half `os._exit`);
the parent's sends all end as they should; nothing hangs (every wait is bounded and a
stuck child is killed and reported); no send is lost or duplicated (the emulator's message
count equals the successful sends of parent and children).

The stress runs in a child interpreter with a deadline, so a hang fails the test instead of
hanging the suite. ``SMS_OTP_FORKS`` sets the number of forks (default 24)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

sys.path.insert(0, str(Path(__file__).parent))

PHONE = "+12025550162"
CHILD_DEADLINE = 20.0


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(inherited: Any, emu_url: str, project_id: str, secret: str, normal_exit: bool) -> None:
    """Runs in a forked child: four sends, then exit. Never returns."""
    from sms_otp import Client

    # A hang here is caught by the parent's deadline (kill and report).
    code = 1
    try:
        fresh = Client(project_id, secret, base_url=emu_url, timeout=5.0)
        for client in (inherited, fresh):
            assert client.otps.sms.send(phone_number=PHONE).request_id.startswith("request-id-test-")

        async def both() -> List[Any]:
            return list(await asyncio.gather(
                inherited.otps.sms.send_async(phone_number=PHONE), fresh.otps.sms.send_async(phone_number=PHONE)
            ))

        assert len(asyncio.run(both())) == 2
        code = 0
    except BaseException as e:  # noqa: BLE001 - reported through stderr and the exit code
        os.write(2, f"child {os.getpid()}: {type(e).__name__}: {e}\n".encode())
    if normal_exit:
        # The whole interpreter shutdown (atexit handlers included) in a forked child.
        sys.exit(code)
    os._exit(code)


def stress(forks: int) -> Dict[str, Any]:
    import sms_otp
    from hostile import Behaviour, Hostile
    from sms_otp import Client
    from sms_otp.testing import Emulator

    emu = Emulator(rate_limit=10**9)
    stall = Hostile([Behaviour(kind="stall")])
    client = emu.client(timeout=5.0)
    slow = Client(emu.project_id, emu.secret, base_url=stall.url, timeout=0.4)
    stop = threading.Event()
    lock = threading.Lock()
    counts = {"ok": 0, "timeout": 0}
    problems: List[str] = []
    started = threading.Barrier(5)  # 3 blocking threads + the asyncio thread + main

    def tally(key: str) -> None:
        with lock:
            counts[key] += 1

    def blocking_loop(target: Any, expect_timeout: bool) -> None:
        started.wait()
        while not stop.is_set():
            try:
                target.otps.sms.send(phone_number=PHONE)
                tally("ok")
                if expect_timeout:
                    problems.append("a send to the stalling endpoint succeeded")
            except sms_otp.RequestTimeoutError as e:
                if not expect_timeout or e.phase != "response":
                    problems.append(f"blocking: {e!r}")
                tally("timeout")
            except Exception as e:  # noqa: BLE001 - collected
                problems.append(f"blocking: {e!r}")

    async def async_worker(target: Any, expect_timeout: bool) -> None:
        while not stop.is_set():
            try:
                await target.otps.sms.send_async(phone_number=PHONE)
                tally("ok")
                if expect_timeout:
                    problems.append("an async send to the stalling endpoint succeeded")
            except sms_otp.RequestTimeoutError as e:
                if not expect_timeout or e.phase != "response":
                    problems.append(f"async: {e!r}")
                tally("timeout")
            except Exception as e:  # noqa: BLE001 - collected
                problems.append(f"async: {e!r}")

    def asyncio_thread() -> None:
        async def main() -> None:
            started.wait()
            await asyncio.gather(
                *(async_worker(client, False) for _ in range(8)), *(async_worker(slow, True) for _ in range(4))
            )

        asyncio.run(main())

    threads = [
        threading.Thread(target=blocking_loop, args=(client, False)),
        threading.Thread(target=blocking_loop, args=(client, False)),
        threading.Thread(target=blocking_loop, args=(slow, True)),
        threading.Thread(target=asyncio_thread),
    ]
    for t in threads:
        t.start()
    started.wait()
    # Sends are in flight from here on: the stalled ones for 0.4 s at a time.
    fds_before, rss_before = fd_count(), rss_mib()
    child_times: List[float] = []
    children_ok = 0
    for i in range(forks):
        forked_at = time.monotonic()
        pid = os.fork()
        if pid == 0:
            child(client, emu.url, emu.project_id, emu.secret, normal_exit=i % 2 == 0)
        deadline = forked_at + CHILD_DEADLINE
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                problems.append(f"fork {i}: the child hung (killed after {CHILD_DEADLINE}s)")
                status = -1
                break
            time.sleep(0.01)  # waitpid has no timeout; a child's exit has no other event
        child_times.append(time.monotonic() - forked_at)
        if status != -1:
            exit_code = os.waitstatus_to_exitcode(status)
            if exit_code == 0:
                children_ok += 1
            else:
                problems.append(f"fork {i}: the child exited with {exit_code}")
    stop.set()
    for t in threads:
        t.join(timeout=15)
        if t.is_alive():
            problems.append(f"{t.name} did not finish its in-flight send")
    # Every successful send, parent's and children's, is one message: none lost, none doubled.
    messages = len(emu.messages())
    expected = counts["ok"] + 4 * children_ok
    if messages != expected:
        problems.append(f"the emulator recorded {messages} messages for {expected} successful sends")
    if counts["timeout"] < forks // 4:
        problems.append(f"only {counts['timeout']} stalled sends: the forks did not overlap sends in flight")
    stall.close()
    emu.stop()
    return {
        "forks": forks,
        "children_ok": children_ok,
        "child_seconds_max": round(max(child_times), 3),
        "child_seconds_mean": round(sum(child_times) / len(child_times), 3),
        "parent_ok": counts["ok"],
        "parent_timeouts": counts["timeout"],
        "messages": messages,
        "fds_before_after": (fds_before, fd_count()),
        "rss_mib_before_after": (round(rss_before, 1), round(rss_mib(), 1)),
        "problems": problems,
    }


@pytest.mark.skipif(not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="needs fork and /proc")
def test_repeated_fork_with_sends_in_flight() -> None:
    try:
        result = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the fork stress hung (over 120 s): {e.stdout!r:.3000} {e.stderr!r:.3000}")
    print("\n" + result.stdout.strip())
    assert result.returncode == 0, f"exit {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert "Fatal Python error" not in result.stderr and "panicked" not in result.stderr, result.stderr[-4000:]


if __name__ == "__main__":
    # No faulthandler.dump_traceback_later: its watchdog's lock is inherited held by every
    # forked child, whose interpreter exit then blocks forever (a CPython limitation). The
    # test's subprocess timeout bounds this process instead.
    summary = stress(int(os.environ.get("SMS_OTP_FORKS", "24")))
    problems = summary.pop("problems")
    print("fork stress: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    for p in problems[:30]:
        print(p)
    sys.exit(1 if problems else 0)
