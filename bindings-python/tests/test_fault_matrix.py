"""The fault matrix, from Python: every hostile-server behaviour (core/tests/fault_matrix.rs)
and every emulator fault kind (emulator/tests/fault_matrix.rs), through the blocking `send`
and `send_async`, on the first attempt and after connect-phase retries (the port refuses
connections for a while first). Each ends in the documented exception class with the
documented `code`, `maybe_delivered`, status / phase / after_send, within its deadline,
with the documented number of requests reaching the server, and without the secret in
any rendering of the error. The rows are the Rust rows, one for one: a drift test below
compares their names with the Rust files.

Rows run concurrently (a few at a time, each against its own server) to keep the file fast."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from conftest import PROJECT_ID, SECRET
from hostile import Behaviour, Hostile, RefusingProxy, closed_port

import sms_otp
from sms_otp import Client
from sms_otp.testing import Emulator

PHONE = "+12025550162"
TIMEOUT = 0.6
#: How long the port refuses connections: the first attempt, maybe a retry or two. Longer
#: than Rust's 150 ms: with rows in parallel on a busy 2-core machine, a Python thread can
#: lose more than that between opening the window and connecting.
REFUSED_FOR = 0.4
#: What the retried variant may add to a row's deadline (the refused time and backoff).
REFUSED_EXTRA = REFUSED_FOR + 3.0
#: Rows in flight at once.
PARALLEL = 8
#: A row that takes longer than this has hung.
HANG = 30.0
EMULATOR_SECRET = "secret-test-emulator-MARKER-1a2b3c"

CLASSES = {
    "network_error": sms_otp.NetworkError,
    "timeout": sms_otp.RequestTimeoutError,
    "unexpected_response": sms_otp.UnexpectedResponseError,
    "api_error": sms_otp.ApiError,
    "bad_request": sms_otp.BadRequestError,
    "unauthorized": sms_otp.UnauthorizedError,
    "forbidden": sms_otp.ForbiddenError,
    "not_found": sms_otp.NotFoundError,
    "rate_limited": sms_otp.RateLimitedError,
    "server_error": sms_otp.ServerError,
}


@dataclass(frozen=True)
class Expect:
    code: str
    maybe_delivered: bool
    status: Optional[int] = None
    phase: Optional[str] = None
    after_send: Optional[bool] = None
    #: Checked for emulator rows only (as in Rust).
    retry_after: Optional[float] = None
    #: Requests that reached the server (for emulator rows: the fault's hits).
    requests: int = 1
    #: Messages the emulator recorded, once `settle` seconds passed without a new one.
    messages: int = 0
    settle: float = 0.0
    #: Seconds from the send to the error, first attempt.
    within: Tuple[float, float] = (0.0, 2.0)


def unexpected(status: int, maybe_delivered: bool) -> Expect:
    return Expect("unexpected_response", maybe_delivered, status=status)


BROKEN_AFTER_SEND = Expect("network_error", True, after_send=True)
RESPONSE_TIMEOUT = Expect("timeout", True, phase="response", within=(TIMEOUT, TIMEOUT + 1.5))


def html(status: int) -> Behaviour:
    page = f"<html><head><title>{status}</title></head><body><h1>{status}</h1><hr>nginx</body></html>"
    return Behaviour(status=status, headers=[("Content-Type", "text/html")], body=page.encode())


def raw(data: bytes) -> Behaviour:
    return Behaviour(kind="raw", raw=data)


def hostile_rows() -> List[Tuple[str, Behaviour, Expect]]:
    """core/tests/fault_matrix.rs `rows()`, row for row."""
    ten_mb = 10 * 1024 * 1024
    rows = [
        ("stall", Behaviour(kind="stall"), RESPONSE_TIMEOUT),
        ("slow drip (1 byte / 100 ms)", Behaviour(kind="drip", every=0.1, total=1000), RESPONSE_TIMEOUT),
        ("reset after the request", Behaviour(kind="reset"), BROKEN_AFTER_SEND),
        ("closed after the request", Behaviour(kind="close"), BROKEN_AFTER_SEND),
        ("10 MB chunked body", Behaviour(kind="huge_chunked", total=ten_mb), unexpected(200, True)),
        ("10 MB body with Content-Length", Behaviour(kind="huge", total=ten_mb), unexpected(200, True)),
        ("HTML page, 502", html(502), unexpected(502, True)),
        ("HTML page, 200", html(200), unexpected(200, True)),
        ("HTML page, 403", html(403), unexpected(403, False)),
        ("JSON string, 200", Behaviour.json(200, '"sent"'), unexpected(200, True)),
        ("JSON string, 500", Behaviour.json(500, '"internal error"'), unexpected(500, True)),
        ("JSON array, 400", Behaviour.json(400, '["bad"]'), unexpected(400, False)),
    ]
    # Answers that are not HTTP, or break off: the request was sent, so "may have been".
    header_bomb = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 100) for i in range(2000))
    header_bomb += b"Content-Length: 0\r\n\r\n"
    for name, data in [
        ("not HTTP", b"garbage garbage\r\n\r\n"),
        ("an HTTP/2 frame", b"\x00\x00\x12\x04\x00\x00\x00\x00\x00"),
        ("200 KB of headers", header_bomb),
        ("a NUL in a header", b"HTTP/1.1 500 X\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\n{}"),
        ("body shorter than Content-Length", b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"a":1}'),
        ("broken chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    ]:
        rows.append((name, raw(data), BROKEN_AFTER_SEND))
    rows.append(("204 without a body", raw(b"HTTP/1.1 204 No Content\r\n\r\n"), unexpected(204, True)))
    rows.append(
        (
            "gzip body (never asked for)",
            raw(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00"),
            unexpected(200, True),
        )
    )
    for status in (301, 302, 303, 307, 308):
        redirect = Behaviour(status=status, headers=[("Location", "http://127.0.0.1:9/v1/otps/sms/send")], body=b"")
        rows.append(("redirect", redirect, unexpected(status, True)))
    return rows


def emulator_rows() -> List[Tuple[str, Dict[str, Any], bool, Expect]]:
    """emulator/tests/fault_matrix.rs `rows()`, row for row: (name, fault, retry_rate_limited, expected)."""
    rows: List[Tuple[str, Dict[str, Any], bool, Expect]] = []
    for status, error_type, code in [
        (400, "invalid_phone_number", "bad_request"),
        (401, "unauthorized_credentials", "unauthorized"),
        (403, "captcha_required", "forbidden"),
        (404, "user_not_found", "not_found"),
        (408, "request_timeout", "api_error"),
        (499, "client_closed_request", "api_error"),
    ]:
        rows.append(("error 4xx", {"status": status, "error_type": error_type}, False, Expect(code, False, status=status)))
    for status in (500, 502, 503, 504):
        rows.append(("error 5xx", {"status": status}, False, Expect("server_error", True, status=status)))
    rate_limited = Expect("rate_limited", False, status=429)
    rows.append(
        (
            "429, Retry-After 7, not asked to retry",
            {"status": 429, "retry_after": 7},
            False,
            replace(rate_limited, retry_after=7.0),
        )
    )
    rows.append(
        (
            "429, Retry-After 11, asked to retry: too long to wait (over 10 s)",
            {"status": 429, "retry_after": 11},
            True,
            replace(rate_limited, retry_after=11.0),
        )
    )
    rows.append(
        (
            "429, Retry-After 0, asked to retry: once",
            {"status": 429, "retry_after": 0},
            True,
            replace(rate_limited, retry_after=0.0, requests=2),
        )
    )
    rows.append(
        ("reset before processing", {"kind": "reset_before_processing"}, False, Expect("network_error", True, after_send=True))
    )
    rows.append(
        (
            "processed, then reset",
            {"kind": "process_then_reset"},
            False,
            Expect("network_error", True, after_send=True, messages=1),
        )
    )
    malformed: List[Tuple[Optional[int], bool]] = [(None, True), (200, True), (404, False), (503, True)]
    for html_status, maybe in malformed:
        fault: Dict[str, Any] = {"kind": "malformed_body"}
        if html_status is not None:
            fault["status"] = html_status
        rows.append(("malformed body (HTML page)", fault, False, unexpected(html_status or 502, maybe)))
    rows.append(("stall", {"kind": "stall"}, False, RESPONSE_TIMEOUT))
    # A stall that would process the send after 1.2 s: the client gives up at 0.6 s and
    # closes, so nothing may be recorded even once the delay has passed.
    rows.append(
        (
            "stall, then process after the client gave up",
            {"kind": "stall", "delay_ms": 1200},
            False,
            replace(RESPONSE_TIMEOUT, settle=1.0),
        )
    )
    # An error that arrives after a delay still within the timeout: the error, not a timeout.
    rows.append(
        (
            "error 503 after 200 ms",
            {"status": 503, "delay_ms": 200},
            False,
            Expect("server_error", True, status=503, within=(0.2, 2.0)),
        )
    )
    return rows


class Harness:
    """One row's server: where to send, and what reached it."""

    url: str
    project_id: str = PROJECT_ID
    secret: str = SECRET

    def seen(self) -> int:
        raise NotImplementedError

    def open_after(self, seconds: float) -> None:
        """Starts the refusal window (refused variant only): called just before the send."""

    def settle_and_count_messages(self, settle: float) -> int:
        return 0

    def close(self) -> None:
        raise NotImplementedError


class HostileHarness(Harness):
    def __init__(self, behaviour: Behaviour, refused: bool) -> None:
        self.server = Hostile([behaviour], refuse=refused)
        self.url = self.server.url

    def open_after(self, seconds: float) -> None:
        self.server.open_after(seconds)

    def seen(self) -> int:
        return self.server.seen()

    def close(self) -> None:
        self.server.close()


class EmulatorHarness(Harness):
    def __init__(self, fault: Dict[str, Any], refused: bool) -> None:
        self.emu = Emulator(secret=EMULATOR_SECRET)
        self.project_id, self.secret = self.emu.project_id, self.emu.secret
        # Armed for 10 sends: a retry that should not happen would fire it again.
        self.emu.inject_fault(times=10, **fault)
        port = int(self.emu.url.rsplit(":", 1)[1])
        self.proxy = RefusingProxy(port) if refused else None
        self.url = self.proxy.url if self.proxy else self.emu.url

    def open_after(self, seconds: float) -> None:
        if self.proxy:
            self.proxy.open_after(seconds)

    def seen(self) -> int:
        return int(self.emu.faults()[0]["hits"])

    def settle_and_count_messages(self, settle: float) -> int:
        if settle:
            # Long-poll: a message recorded late (after the client gave up) shows up here.
            assert self.emu.next_message(PHONE, timeout=settle) is None
        return len(self.emu.messages())

    def close(self) -> None:
        if self.proxy:
            self.proxy.close()
        self.emu.stop()


def client_for(h: Harness, refused: bool, retry_rate_limited: bool = False) -> Client:
    return Client(
        h.project_id,
        h.secret,
        base_url=h.url,
        timeout=TIMEOUT,
        connect_timeout=0.5,
        max_retries=10 if refused else 2,
        retry_rate_limited=retry_rate_limited,
    )


def rendered(err: BaseException) -> str:
    """Every rendering of an error and its causes."""
    parts: List[str] = []
    seen: Optional[BaseException] = err
    while seen is not None:
        parts += [str(seen), repr(seen), str(getattr(seen, "body", "")), str(getattr(seen, "error_message", ""))]
        seen = seen.__cause__ or seen.__context__
    return " | ".join(parts)


def check(label: str, err: BaseException, took: float, h: Harness, want: Expect, refused: bool, emulator: bool) -> List[str]:
    """What is wrong with a row's outcome (empty when it is as documented)."""
    problems: List[str] = []

    def expect(what: str, got: Any, wanted: Any) -> None:
        if got != wanted:
            problems.append(f"{label}: {what} {got!r}, wanted {wanted!r} ({err!r})")

    expect("class", type(err), CLASSES[want.code])
    if not isinstance(err, sms_otp.SmsOtpError):
        return problems
    expect("code", err.code, want.code)
    expect("maybe_delivered", err.maybe_delivered, want.maybe_delivered)
    expect("status_code", err.status_code, want.status)
    expect("phase", err.phase, want.phase)
    expect("after_send", err.after_send, want.after_send)
    if emulator:
        expect("retry_after", err.retry_after, want.retry_after)
    expect("messages", h.settle_and_count_messages(want.settle), want.messages)
    expect("requests that reached the server", h.seen(), want.requests)
    if refused:
        # At least one refused connect was retried before the requests that reached it.
        if err.attempts <= want.requests:
            problems.append(f"{label}: {err.attempts} attempts, wanted more than {want.requests}")
    else:
        expect("attempts", err.attempts, want.requests)
    low, high = want.within
    high += REFUSED_EXTRA if refused else 0.0
    if not low <= took <= high:
        problems.append(f"{label}: took {took:.3f}s, wanted {low}..{high}s")
    if "MARKER" in rendered(err):
        problems.append(f"{label}: the secret shows in the error: {rendered(err)[:500]}")
    return problems


# A row: (label, make the harness, retry_rate_limited, expected, emulator row?)
Row = Tuple[str, Callable[[bool], Harness], bool, Expect, bool]


def all_hostile_rows() -> List[Row]:
    return [
        (f"{name} ({b.kind} {b.status})", partial(HostileHarness, b), False, want, False)
        for name, b, want in hostile_rows()
    ]


def all_emulator_rows() -> List[Row]:
    return [
        (f"{name} {fault}", partial(EmulatorHarness, fault), retry, want, True)
        for name, fault, retry, want in emulator_rows()
    ]


def run_blocking(rows: List[Row], refused: bool) -> List[str]:
    def one(row: Row) -> List[str]:
        label, make, retry, want, emulator = row
        h = make(refused)
        try:
            client = client_for(h, refused, retry)
            # Builds the blocking pool's HTTP client (tens of ms) before the refusal window
            # starts: a failed validation costs no request.
            with pytest.raises(sms_otp.ValidationError):
                client.otps.sms.send(phone_number="not a number")
            if refused:
                h.open_after(REFUSED_FOR)
            started = time.monotonic()
            try:
                client.otps.sms.send(phone_number=PHONE)
            except Exception as e:  # noqa: BLE001 - checked below
                err: BaseException = e
            else:
                return [f"{label}: succeeded"]
            took = time.monotonic() - started
            return check(f"{label} [blocking, refused first: {refused}]", err, took, h, want, refused, emulator)
        finally:
            h.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = [pool.submit(one, row) for row in rows]
        return [p for f in futures for p in f.result(timeout=HANG)]


def run_async(rows: List[Row], refused: bool) -> List[str]:
    async def one(row: Row, gate: asyncio.Semaphore) -> List[str]:
        label, make, retry, want, emulator = row
        async with gate:
            # Server start-up and admin calls block: off the loop, so they do not delay
            # the other rows' completions (and so their timings).
            h = await asyncio.to_thread(make, refused)
            try:
                client = client_for(h, refused, retry)
                if refused:
                    h.open_after(REFUSED_FOR)
                started = time.monotonic()
                # Not wait_for: its timeout is a TimeoutError, and so is RequestTimeoutError.
                task = asyncio.ensure_future(client.otps.sms.send_async(phone_number=PHONE))
                done, _ = await asyncio.wait({task}, timeout=HANG)
                if not done:
                    task.cancel()
                    return [f"{label}: hung (over {HANG}s)"]
                err = task.exception()
                if err is None:
                    return [f"{label}: succeeded"]
                took = time.monotonic() - started
                label = f"{label} [send_async, refused first: {refused}]"
                return await asyncio.to_thread(check, label, err, took, h, want, refused, emulator)
            finally:
                await asyncio.to_thread(h.close)

    async def main() -> List[str]:
        gate = asyncio.Semaphore(PARALLEL)
        results = await asyncio.gather(*(one(row, gate) for row in rows))
        return [p for r in results for p in r]

    return asyncio.run(main())


RUNNERS = {"blocking": run_blocking, "send_async": run_async}


@pytest.fixture(autouse=True, scope="module")
def one_time_costs_paid() -> None:
    """The first connection of a process loads the system's CA certificates (hundreds of
    milliseconds in a debug build): paid here, not inside a row's refusal window or deadline."""
    with Hostile([Behaviour()]) as server:
        client = Client(PROJECT_ID, SECRET, base_url=server.url)
        for send in send_both(client).values():
            send()


@pytest.mark.parametrize("refused", [False, True], ids=["first attempt", "after connect-phase retries"])
@pytest.mark.parametrize("surface", list(RUNNERS))
def test_hostile_behaviours(surface: str, refused: bool) -> None:
    rows = all_hostile_rows()
    problems = RUNNERS[surface](rows, refused)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("refused", [False, True], ids=["first attempt", "after connect-phase retries"])
@pytest.mark.parametrize("surface", list(RUNNERS))
def test_emulator_faults(surface: str, refused: bool) -> None:
    rows = all_emulator_rows()
    problems = RUNNERS[surface](rows, refused)
    assert not problems, "\n".join(problems)


def send_both(client: Client) -> Dict[str, Callable[[], Any]]:
    async def via_async() -> Any:
        return await client.otps.sms.send_async(phone_number=PHONE)

    return {"blocking": lambda: client.otps.sms.send(phone_number=PHONE), "send_async": lambda: asyncio.run(via_async())}


@pytest.mark.parametrize("surface", list(RUNNERS))
def test_a_port_that_never_opens_costs_max_retries_plus_one_attempts(surface: str) -> None:
    client = Client(PROJECT_ID, SECRET, base_url=f"http://127.0.0.1:{closed_port()}", max_retries=3)
    started = time.monotonic()
    with pytest.raises(sms_otp.NetworkError) as caught:
        send_both(client)[surface]()
    err = caught.value
    assert (err.code, err.after_send, err.maybe_delivered, err.attempts) == ("network_error", False, False, 4)
    # Backoff: full jitter under 100 + 200 + 400 ms.
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("surface", list(RUNNERS))
@pytest.mark.parametrize("first", ["ok_then_half_close", "ok_then_close"])
def test_a_half_closed_keep_alive_connection_is_not_reused(surface: str, first: str) -> None:
    """The server answered, then sent FIN (still reading, or closed): noticed before reuse,
    the next send opens a new connection and succeeds; two requests in all. Repeated: the
    blocking pool once noticed only sometimes (its runtime had not run since the FIN)."""
    for _ in range(10):
        with Hostile([Behaviour(kind=first), Behaviour()]) as server:
            client = Client(PROJECT_ID, SECRET, base_url=server.url)
            send = send_both(client)[surface]
            send()
            # Gives the FIN time to arrive; there is no event to wait for (as in Rust).
            time.sleep(0.05)
            assert send().request_id == "request-id-test-1"
            assert (server.seen(), server.connections) == (2, 2)


@pytest.mark.parametrize("surface", list(RUNNERS))
def test_a_half_closed_connection_reused_at_once_never_sends_twice(surface: str) -> None:
    """Reused at once, the client may not have seen the FIN: either a new connection and
    success, or a network error that says the SMS may have been sent; never a silent
    second request."""
    outcomes = {"ok": 0, "broken": 0}
    for _ in range(20):
        with Hostile([Behaviour(kind="ok_then_half_close"), Behaviour()]) as server:
            client = Client(PROJECT_ID, SECRET, base_url=server.url, timeout=5.0)

            async def two() -> None:
                # Both on one loop, back to back, through the asyncio pool's connection.
                await client.otps.sms.send_async(phone_number=PHONE)
                await client.otps.sms.send_async(phone_number=PHONE)

            try:
                if surface == "blocking":
                    client.otps.sms.send(phone_number=PHONE)
                    client.otps.sms.send(phone_number=PHONE)
                else:
                    asyncio.run(two())
                outcomes["ok"] += 1
            except sms_otp.NetworkError as err:
                assert (err.after_send, err.maybe_delivered, err.attempts) == (True, True, 1), err
                outcomes["broken"] += 1
            # The dead connection's request may still be on its way to the server's reader.
            assert server.wait_for(lambda s: s.seen() >= 2, 5.0)
            assert server.seen() == 2
    print(f"\nhalf-closed connection reused at once ({surface}): {outcomes}")


@pytest.mark.parametrize("surface", list(RUNNERS))
def test_informational_answers_and_http_1_0_are_read(surface: str) -> None:
    ok = b'{"request_id":"r","user_id":"u","phone_id":"p","status_code":200}'
    for answer in [
        b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(ok), ok),
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(ok), ok),
        b"HTTP/1.0 200 OK\r\n\r\n" + ok,
    ]:
        with Hostile([raw(answer)]) as server:
            client = Client(PROJECT_ID, SECRET, base_url=server.url)
            assert send_both(client)[surface]().request_id == "r", answer
            assert server.seen() == 1


def rust_row_names(path: str) -> List[str]:
    """The row names of a Rust fault matrix's `rows()`: the string literal opening each row."""
    source = (Path(__file__).resolve().parents[2] / path).read_text()
    body = source[source.index("fn rows()") : source.index("async fn run_row")]
    # Row names open a tuple on their own line; header names and bytes do not.
    return sorted(set(re.findall(r'\(\n\s*"([^"\n]+)",\n', body)) | set(re.findall(r'^\s*\("([^"]+)", (?:b"|Behaviour|kind|html|redirect|header_bomb)', body, re.M)))


def test_the_rows_are_the_rust_rows() -> None:
    """Drift guard: a row added to (or renamed in) either Rust matrix shows up here."""
    assert sorted({name for name, _, _ in hostile_rows()}) == rust_row_names("core/tests/fault_matrix.rs")
    assert sorted({name for name, _, _, _ in emulator_rows()}) == rust_row_names("emulator/tests/fault_matrix.rs")
    assert len(hostile_rows()) == 25 and len(emulator_rows()) == 22


@pytest.mark.parametrize("surface", list(RUNNERS))
def test_a_timed_out_send_closes_its_connection_at_once(surface: str) -> None:
    """Regression: a blocking send that timed out left its connection open until the next
    blocking send drove the runtime again, so the server never saw the client give up
    (the emulator processed a stalled send after the client's timeout)."""
    with Hostile([Behaviour(kind="stall")]) as server:
        client = Client(PROJECT_ID, SECRET, base_url=server.url, timeout=0.3)
        with pytest.raises(sms_otp.RequestTimeoutError):
            send_both(client)[surface]()
        assert server.wait_for(lambda s: s.closed_by_client == 1, 2.0), "the connection stayed open"
