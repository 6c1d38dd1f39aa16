"""The runtime under real use: the GIL is released while waiting, asyncio is never
blocked and can cancel, threads share one client, a forked child works, Ctrl-C interrupts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time

import pytest
from conftest import PROJECT_ID, SECRET
from hostile import Behaviour, Hostile

import sms_otp
from sms_otp import Client


def client_for(url: str, **options: object) -> Client:
    return Client(PROJECT_ID, SECRET, base_url=url, **options)  # type: ignore[arg-type]


def test_the_blocking_send_releases_the_gil() -> None:
    with Hostile([Behaviour(kind="stall")]) as server:
        client = client_for(server.url, timeout=1.0)
        done = threading.Event()

        def stalled_send() -> None:
            with pytest.raises(sms_otp.RequestTimeoutError):
                client.otps.sms.send(phone_number="+12025550162")
            done.set()

        worker = threading.Thread(target=stalled_send)
        worker.start()
        # Pure-Python work in this thread only progresses if the other thread let go of the GIL.
        spins = 0
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            spins += 1
        assert not done.is_set()
        assert spins > 10_000
        worker.join()


def test_threads_share_one_client() -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url)
        errors: list = []

        def work() -> None:
            try:
                for _ in range(25):
                    client.otps.sms.send(phone_number="+12025550162")
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert server.seen() == 200


def test_asyncio_runs_hundreds_of_sends_concurrently() -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url)

        async def main() -> list:
            return await asyncio.gather(
                *(client.otps.sms.send_async(phone_number="+12025550162") for _ in range(300))
            )

        responses = asyncio.run(main())
        assert len(responses) == 300 and all(r.phone_id == "phone-number-test-1" for r in responses)
        assert server.seen() == 300


def thread_policies() -> dict:
    """Each thread of this process: name -> scheduling policies (0 normal, 3 batch), from /proc."""
    policies: dict = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as comm, open(f"/proc/self/task/{tid}/stat") as stat:
            # The name in stat is in parentheses and may hold spaces: fields count from its end.
            fields = stat.read().rsplit(")", 1)[1].split()
            policies.setdefault(comm.read().strip(), set()).add(int(fields[38]))
    return policies


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scheduling policies are Linux's")
def test_the_io_threads_are_batch_threads_and_the_callers_thread_is_left_alone() -> None:
    """Docs: a worker woken to start or finish a call waits for the event loop's thread to
    yield instead of preempting it (docs/client.md, threads)."""
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url)
        before = os.sched_getscheduler(0)
        assert asyncio.run(client.otps.sms.send_async(phone_number="+12025550162")).status_code == 200
        client.otps.sms.send(phone_number="+12025550162")
        policies = thread_policies()
        assert policies.get("sms-otp-io") == {os.SCHED_BATCH}, policies
        assert os.sched_getscheduler(0) == before == os.SCHED_OTHER


def test_asyncio_loop_is_not_blocked_and_errors_arrive_typed() -> None:
    with Hostile([Behaviour(kind="stall")]) as server:
        client = client_for(server.url, timeout=0.5)

        async def main() -> int:
            task = asyncio.ensure_future(client.otps.sms.send_async(phone_number="+12025550162"))
            ticks = 0
            while not task.done():
                await asyncio.sleep(0.01)
                ticks += 1
            with pytest.raises(sms_otp.RequestTimeoutError):
                task.result()
            return ticks

        assert asyncio.run(main()) >= 20


def test_cancelling_the_task_stops_the_request() -> None:
    with Hostile([Behaviour(kind="stall")]) as server:
        client = client_for(server.url, timeout=30.0)

        async def main() -> float:
            task = asyncio.ensure_future(client.otps.sms.send_async(phone_number="+12025550162"))
            while server.seen() == 0:
                await asyncio.sleep(0.01)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - started

        assert asyncio.run(main()) < 1.0
        assert server.seen() == 1


def test_validation_errors_come_through_the_awaitable() -> None:
    client = client_for("http://127.0.0.1:9")

    async def main() -> None:
        with pytest.raises(sms_otp.ValidationError):
            await client.otps.sms.send_async(phone_number="12025550162")
        with pytest.raises(TypeError):
            await client.otps.sms.send_async(phone_number=5)  # type: ignore[arg-type]

    asyncio.run(main())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_client_works_in_a_forked_child() -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url)
        client.otps.sms.send(phone_number="+12025550162")  # parent runtime and pool exist
        pid = os.fork()
        if pid == 0:  # child: must not hang on the parent's runtime
            code = 1
            try:
                client.otps.sms.send(phone_number="+12025550162")

                async def main() -> None:
                    await client.otps.sms.send_async(phone_number="+12025550162")

                asyncio.run(main())
                code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + 20
        while True:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
            assert time.monotonic() < deadline, "forked child hung"
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(status) == 0
        client.otps.sms.send(phone_number="+12025550162")  # parent still fine
        assert server.seen() == 4


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_interrupts_a_blocking_send() -> None:
    # Python's own handler, which a process started in the background (`cmd &` in a script)
    # does not get: there SIGINT is inherited as ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with Hostile([Behaviour(kind="stall")]) as server:
            client = client_for(server.url, timeout=30.0)
            interrupted = []

            def interrupt_once_sent() -> None:
                # On the server's event (the request arrived), not after a guessed delay.
                server.wait_for(20.0, requests=1)
                interrupted.append(time.monotonic())
                os.kill(os.getpid(), signal.SIGINT)

            threading.Thread(target=interrupt_once_sent, daemon=True).start()
            with pytest.raises(KeyboardInterrupt):
                client.otps.sms.send(phone_number="+12025550162")
            assert interrupted and time.monotonic() - interrupted[0] < 2.0
    finally:
        signal.signal(signal.SIGINT, previous)


EXIT_SCRIPT = r"""
import asyncio, sys, threading, time
sys.path.insert(0, {tests!r})
from hostile import Behaviour, Hostile
from sms_otp import Client

server = Hostile([Behaviour()])
client = Client("project-test-x", "secret-test-x", base_url=server.url)
mode = sys.argv[1]

async def busy():
    deadline = time.perf_counter() + 0.5
    async def worker():
        while time.perf_counter() < deadline:
            await client.otps.sms.send_async(phone_number="+12025550162")
    await asyncio.gather(*(worker() for _ in range(64)))

async def abandon():
    for _ in range(200):
        asyncio.ensure_future(client.otps.sms.send_async(phone_number="+12025550162"))
    await asyncio.sleep(0.01)

if mode == "busy":
    asyncio.run(busy())
elif mode == "abandon":
    asyncio.run(abandon())
elif mode == "threads":
    def spin():
        while True:
            client.otps.sms.send(phone_number="+12025550162")
    for _ in range(4):
        threading.Thread(target=spin, daemon=True).start()
    time.sleep(0.3)
print("exiting")
"""


@pytest.mark.parametrize("mode", ["busy", "abandon", "threads"])
def test_interpreter_exit_with_sends_in_flight_is_clean(mode: str, tmp_path: "os.PathLike[str]") -> None:
    import subprocess
    from pathlib import Path

    script = Path(tmp_path) / "exit.py"
    script.write_text(EXIT_SCRIPT.format(tests=str(Path(__file__).parent)))
    for _ in range(3):
        result = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Fatal" not in result.stderr and "panicked" not in result.stderr, result.stderr[-2000:]
        assert result.stdout.strip().endswith("exiting")


def test_each_event_loop_gets_its_own_completion_channel() -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url)

        async def burst() -> int:
            results = await asyncio.gather(*(client.otps.sms.send_async(phone_number="+12025550162") for _ in range(50)))
            return len(results)

        # Loops one after another, and two loops at once in two threads.
        assert [asyncio.run(burst()) for _ in range(3)] == [50, 50, 50]
        counts: list = []
        threads = [threading.Thread(target=lambda: counts.append(asyncio.run(burst()))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert counts == [50, 50]
        assert server.seen() == 250


def test_a_panic_inside_the_library_is_an_sms_otp_error() -> None:
    from sms_otp import _native

    with pytest.raises(sms_otp.SmsOtpError) as blocking:
        _native._panicking_send_for_tests(False)
    # The core's internal_error: the base class itself, and the send may have gone out.
    assert type(blocking.value) is sms_otp.SmsOtpError
    assert blocking.value.code == "internal_error" and blocking.value.maybe_delivered is True
    assert "please report it" in str(blocking.value) and "deliberate panic" in str(blocking.value)

    async def main() -> None:
        with pytest.raises(sms_otp.SmsOtpError) as asynchronous:
            await _native._panicking_send_for_tests(True)
        assert type(asynchronous.value) is sms_otp.SmsOtpError
        assert asynchronous.value.code == "internal_error" and asynchronous.value.maybe_delivered is True

    asyncio.run(main())
