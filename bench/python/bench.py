"""Python clients under load: `python bench.py CLIENT MODE URL SECONDS [CALL]`
CLIENT: `ours` (sms_otp) or `official` (stytch 15.3.0). MODE: `seq`, `asyncio64`, `threads4`,
or `import` (time and RSS of importing the package, in this fresh process).
CALL: `send` (the default: `otps.sms.send`) or `authenticate` (`otps.authenticate` with a code
and a 60-minute session). Prints one JSON line (`sends` and `cpu_us_per_send` count calls)."""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from typing import Any, Awaitable, Callable, List, Tuple

PID = "project-test-00000000-0000-0000-0000-000000000000"
SECRET = "secret-test-emulator"
PHONE = "+12025550162"
# A valid test method id (the phone_id bench-server's send body returns); ours validates it.
METHOD_ID = "phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6"
CODE = "123456"
SESSION_MINUTES = 60


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def measure_import(client: str) -> None:
    before = rss_mb()
    started = time.perf_counter()
    if client == "ours":
        import sms_otp  # noqa: F401
    else:
        import stytch  # noqa: F401
    took = time.perf_counter() - started
    print(json.dumps({"import_ms": took * 1000, "import_rss_mb": rss_mb() - before, "rss_mb": rss_mb()}))


def make_client(client: str, url: str) -> Any:
    if client == "ours":
        import sms_otp

        return sms_otp.Client(PID, SECRET, base_url=url)
    import stytch

    # The official client takes a plain-http URL through `environment` (custom_base_url must be https).
    return stytch.Client(PID, SECRET, environment=url + "/", suppress_warnings=True)


def calls(client: Any, call: str) -> Tuple[Callable[[], Any], Callable[[], Awaitable[Any]]]:
    """The blocking and the asyncio form of one call, with the same arguments for both clients."""
    # Spelt out per call, attribute look-ups included, as an application writes it.
    if call == "send":
        return (
            lambda: client.otps.sms.send(phone_number=PHONE),
            lambda: client.otps.sms.send_async(phone_number=PHONE),
        )
    if call == "authenticate":
        return (
            lambda: client.otps.authenticate(method_id=METHOD_ID, code=CODE, session_duration_minutes=SESSION_MINUTES),
            lambda: client.otps.authenticate_async(method_id=METHOD_ID, code=CODE, session_duration_minutes=SESSION_MINUTES),
        )
    raise SystemExit(f"unknown call {call}")


def report(latencies: List[float], wall: float, cpu_used: float, failures: int, call: str) -> None:
    latencies.sort()
    n = len(latencies)
    pick = lambda p: latencies[min(int(n * p), n - 1)] * 1e6 if n else 0.0  # noqa: E731
    print(
        json.dumps(
            {
                "sends": n,
                "failures": failures,
                "seconds": wall,
                "throughput": n / wall,
                "cpu_us_per_send": cpu_used * 1e6 / max(n, 1),
                "p50_us": pick(0.50),
                "p99_us": pick(0.99),
                "rss_mb": rss_mb(),
                "call": call,
            }
        )
    )


def run_blocking(send: Callable[[], Any], seconds: float, threads: int, call: str) -> None:
    latencies: List[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                send()
            except Exception:  # noqa: BLE001 - counted, the run must go on
                with lock:
                    failures[0] += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    c0, t0 = cpu(), time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    report(latencies, time.perf_counter() - t0, cpu() - c0, failures[0], call)


def run_asyncio(send_async: Callable[[], Awaitable[Any]], seconds: float, concurrency: int, call: str) -> None:
    import asyncio

    async def main() -> None:
        latencies: List[float] = []
        failures = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    await send_async()
                except Exception:  # noqa: BLE001
                    failures += 1
                latencies.append(time.perf_counter() - started)

        for _ in range(100):  # warm-up inside the loop (the official client opens its session here)
            await send_async()
        c0, t0 = cpu(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        report(latencies, time.perf_counter() - t0, cpu() - c0, failures, call)

    asyncio.run(main())


def main() -> None:
    client_kind, mode = sys.argv[1], sys.argv[2]
    if mode == "import":
        measure_import(client_kind)
        return
    url, seconds = sys.argv[3], float(sys.argv[4])
    call = sys.argv[5] if len(sys.argv) > 5 else "send"
    send, send_async = calls(make_client(client_kind, url), call)
    if mode == "asyncio64":
        run_asyncio(send_async, seconds, 64, call)
        return
    for _ in range(100):
        send()
    run_blocking(send, seconds, 4 if mode == "threads4" else 1, call)


if __name__ == "__main__":
    main()
