#!/usr/bin/env python3
"""Secret hygiene, Python surface. Drives every error path of the `sms_otp` package with the
marker credentials of marker.json and prints every rendering of every error: str, repr,
args, every attribute, the pickled bytes and the unpickled copy, the formatted traceback
with its __cause__/__context__ chain, and what `logging.exception` writes; plus repr of the
clients. The root logger is at DEBUG and asyncio runs in debug mode, so anything the
package or the interpreter logs is printed too.

It scans nothing itself: bindings-python/tests/test_secret_sweep.py and tests/secrets/run
run it as a child process and search everything it printed for every form of the secret.
The last line is `SWEEP DONE <n> cases`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "bindings-python" / "tests"))

import sms_otp  # noqa: E402
from hostile import Behaviour, Hostile, closed_port  # noqa: E402
from sms_otp.testing import Emulator  # noqa: E402

MARKER: Dict[str, Any] = json.loads((HERE / "marker.json").read_text(encoding="utf-8"))
PID: str = MARKER["project_id"]
SECRET: str = MARKER["secret"]
ECHO = "you sent " + " and ".join(MARKER["echoes"])
HEADER_ECHO = "/".join(e for e in MARKER["echoes"] if e.isascii() and " " not in e and '"' not in e)
PCT = MARKER["echoes"][6]  # the percent-encoded secret
PHONE = "+12025550162"
LOG = logging.getLogger("secret-sweep")
CASES = 0


def render(err: BaseException) -> str:
    parts = [str(err), repr(err), repr(err.args), repr(vars(err)), repr(type(err).__mro__)]
    for name in dir(err):
        if not name.startswith("__"):
            try:
                parts.append(f"{name}={getattr(err, name)!r}")
            except Exception as e:  # an attribute that raises is a finding of its own
                parts.append(f"{name} raised {e!r}")
    try:
        data = pickle.dumps(err)
        parts.append(data.decode("latin-1"))
        copy = pickle.loads(data)
        parts += [str(copy), repr(copy), repr(vars(copy))]
    except Exception as e:
        parts.append(f"pickle failed: {e!r}")
    parts.append("".join(traceback.format_exception(type(err), err, err.__traceback__)))
    cause = err.__cause__ or err.__context__
    while cause is not None:
        parts += [str(cause), repr(cause), repr(getattr(cause, "args", ()))]
        cause = cause.__cause__ or cause.__context__
    return " | ".join(parts)


def record(name: str, call: Callable[[], Any]) -> None:
    global CASES
    CASES += 1
    try:
        value = call()
    except Exception as err:
        code = getattr(err, "code", type(err).__name__)
        print(f"case {CASES} {name} -> {code} {render(err)}", flush=True)
        LOG.exception("case %s failed as expected", name)
        return
    raise AssertionError(f"case {name} did not fail: {value!r}")


def client(url: str, **options: Any) -> sms_otp.Client:
    options = {"timeout": 0.4, "connect_timeout": 0.3, "max_retries": 0, **options}
    made = sms_otp.Client(PID, SECRET, base_url=url, **options)
    print(f"client: {made!r} {made.otps!r} {made.otps.sms!r} {made.endpoint}", flush=True)
    return made


def send(name: str, c: sms_otp.Client, **fields: Any) -> None:
    fields.setdefault("phone_number", PHONE)
    record(name, lambda: c.otps.sms.send(**fields))


def send_async(name: str, c: sms_otp.Client, **fields: Any) -> None:
    fields.setdefault("phone_number", PHONE)

    async def go() -> Any:
        return await c.otps.sms.send_async(**fields)

    record(f"{name} (async)", lambda: asyncio.run(go(), debug=True))


def validation(url: str) -> None:
    c = client(url)
    for name, fields in [
        ("phone empty", {"phone_number": ""}),
        ("phone no plus", {"phone_number": "12025550162"}),
        ("phone spaces", {"phone_number": "+1 202 555 0162"}),
        ("phone unassigned", {"phone_number": "+999123456"}),
        ("expiration 0", {"expiration_minutes": 0}),
        ("expiration 11", {"expiration_minutes": 11}),
        ("locale", {"locale": "xx-YY"}),
        ("ip_address", {"attributes": {"ip_address": "300.1.1.1"}}),
        ("user_agent", {"attributes": {"user_agent": "u" * 1025}}),
        ("attributes unknown key", {"attributes": {"nope": "x"}}),
        ("user_id empty", {"user_id": ""}),
        ("session_token empty", {"session_token": ""}),
        ("session_jwt empty", {"session_jwt": ""}),
        ("both sessions", {"session_token": "t", "session_jwt": "j"}),
        ("phone type", {"phone_number": 12025550162}),
        ("expiration type", {"expiration_minutes": "5"}),
        ("attributes type", {"attributes": ["x"]}),
        ("unknown keyword", {"secret": SECRET}),
    ]:
        send(f"validation {name}", c, **fields)
    send_async("validation phone", c, phone_number="nope")
    send("validation country", client(url, allowed_country_codes=["44"]))
    record("normalize", lambda: sms_otp.normalize_phone_number("call me"))
    record("normalize region", lambda: sms_otp.normalize_phone_number("202 555 0162", "ZZ"))


def configuration(url: str) -> None:
    bad_secrets: List[Tuple[str, Any]] = [
        ("secret empty", ""),
        ("secret blank", "   "),
        ("secret newline", SECRET + "\n"),
        ("secret crlf", SECRET + "\r\n"),
        ("secret leading space", " " + SECRET),
        ("secret nul", SECRET + "\0x"),
        ("secret tab", SECRET + "\tx"),
        ("secret lone surrogate", SECRET + "\ud800"),
        ("secret bytes", SECRET.encode()),
        ("secret int", 42),
    ]
    for name, bad in bad_secrets:
        record(name, lambda bad=bad: sms_otp.Client(PID, bad, base_url=url))
    record("project_id colon", lambda: sms_otp.Client(f"{PID}:{SECRET}", SECRET))
    for name, base in [
        ("base_url http remote", f"http://example.com/{PCT}"),
        ("base_url credentials", f"https://user:{PCT}@example.com"),
        ("base_url raw credentials", f"https://{PID}:{SECRET}@example.com"),
        ("base_url query", f"https://example.com/?s={PCT}"),
        ("base_url fragment", f"https://example.com/#{SECRET}"),
        ("base_url scheme", f"ftp://example.com/{PCT}"),
        ("base_url garbage", f"not a url {SECRET}"),
        ("base_url bad port", f"https://example.com:{SECRET}/"),
        ("custom_base_url credentials", f"https://u:{PCT}@example.com"),
    ]:
        key = "custom_base_url" if name.startswith("custom") else "base_url"
        record(name, lambda base=base, key=key: sms_otp.Client(PID, SECRET, **{key: base}))
    record("environment", lambda: sms_otp.Client(PID, SECRET, environment=f"staging-{SECRET}"))
    record("environment url", lambda: sms_otp.Client(PID, SECRET, environment=f"https://u:{PCT}@example.com"))
    for name, options in [
        ("timeout zero", {"timeout": 0}),
        ("timeout nan", {"timeout": float("nan")}),
        ("timeout type", {"timeout": SECRET}),
        ("connect_timeout huge", {"connect_timeout": 1e12}),
        ("max_retries", {"max_retries": -1}),
        ("max_retries type", {"max_retries": SECRET}),
        ("country codes", {"allowed_country_codes": ["x1"]}),
        ("country codes string", {"allowed_country_codes": SECRET}),
        ("user_agent_suffix", {"user_agent_suffix": "bad\nsuffix"}),
        ("retry_rate_limited type", {"retry_rate_limited": SECRET}),
    ]:
        record(name, lambda options=options: sms_otp.Client(PID, SECRET, base_url=url, **options))
    workdir = Path(tempfile.mkdtemp(prefix="sms-otp-sweep-"))
    try:
        pem = workdir / "bad.pem"
        pem.write_text(f"-----BEGIN CERTIFICATE-----\n{ECHO}\n-----END CERTIFICATE-----\n", encoding="utf-8")
        record("ca_file garbage", lambda: sms_otp.Client(PID, SECRET, base_url=url, ca_file=pem))
        pem.write_text(ECHO, encoding="utf-8")
        record("ca_file no pem", lambda: sms_otp.Client(PID, SECRET, base_url=url, ca_file=str(pem)))
        record("ca_file missing", lambda: sms_otp.Client(PID, SECRET, base_url=url, ca_file=workdir / "missing"))
        record("ca_file directory", lambda: sms_otp.Client(PID, SECRET, base_url=url, ca_file=workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    record("pickle client", lambda: pickle.dumps(client(url)))


def from_env() -> None:
    saved = {k: os.environ.get(k) for k in ("STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_BASE_URL")}
    cases: List[Tuple[str, Optional[str], Optional[str], Optional[str]]] = [
        ("env no project", None, SECRET, None),
        ("env no secret", PID, None, None),
        ("env secret newline", PID, SECRET + "\n", None),
        ("env secret spaces", PID, f"  {SECRET}  ", None),
        ("env secret empty", PID, "", None),
        ("env secret surrogateescape", PID, SECRET + "\udcff", None),
        ("env base_url remote http", PID, SECRET, f"http://example.com/{PCT}"),
        ("env base_url credentials", PID, SECRET, f"https://{PID}:{PCT}@example.com/"),
        ("env base_url garbage", PID, SECRET, f"::{SECRET}"),
    ]
    try:
        for name, pid, secret, url in cases:
            for key, value in (("STYTCH_PROJECT_ID", pid), ("STYTCH_SECRET", secret), ("STYTCH_BASE_URL", url)):
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            record(name, sms_otp.Client.from_env)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


ERROR_TABLE = [
    (400, "bad_request"),
    (400, "invalid_phone_number"),
    (400, "invalid_phone_number_country_code"),
    (400, "unsubscribed_phone_number"),
    (400, "invalid_expiration_otp"),
    (400, "invalid_locale"),
    (400, "invalid_user_id"),
    (400, "too_many_session_arguments"),
    (400, "duplicate_phone_number"),
    (400, "too_many_unverified_factors"),
    (401, "unauthorized_credentials"),
    (403, "captcha_required"),
    (404, "user_not_found"),
    (404, "session_not_found"),
    (404, "not_found"),
    (405, "method_not_allowed"),
    (408, "request_timeout"),
    (429, "too_many_requests"),
    (499, "client_closed_request"),
    (500, "internal_server_error"),
    (502, "internal_server_error"),
    (503, "server_unavailable"),
    (504, "internal_server_error"),
]


def emulator_errors() -> None:
    with Emulator(project_id=PID, secret=SECRET, rate_limit=1) as emu:
        print(f"emulator: {emu!r}", flush=True)
        c = client(emu.url)
        for status, error_type in ERROR_TABLE:
            fault: Dict[str, Any] = {"status": status, "error_type": error_type}
            if status in (429, 503):
                fault["retry_after"] = 3
            emu.inject_fault(**fault)
            send(f"emulator {status} {error_type}", c)
        for name, fault in [
            ("reset before", {"kind": "reset_before_processing"}),
            ("process then reset", {"kind": "process_then_reset"}),
            ("malformed 502", {"kind": "malformed_body"}),
            ("malformed 200", {"kind": "malformed_body", "status": 200}),
            ("stall", {"kind": "stall"}),
        ]:
            emu.inject_fault(**fault)
            send(f"emulator fault {name}", c)
        emu.inject_fault(status=503, error_type="server_unavailable")
        send_async("emulator 503", c)
        send("emulator 401 wrong secret", sms_otp.Client(PID, SECRET + "-wrong", base_url=emu.url))
        send("emulator 401 wrong project", sms_otp.Client("project-test-someone-else", SECRET, base_url=emu.url))
        send("emulator country", c, phone_number="+442079460958")
        c.otps.sms.send(phone_number="+12025550199")
        send("emulator 429", c, phone_number="+12025550199")
        send("emulator user_not_found", c, phone_number="+12025550123", user_id="user-test-00000000-0000-0000-0000-000000000000")
        send("emulator session_not_found", c, phone_number="+12025550124", session_token=f"token-{PCT}")


def json_error(status: int) -> bytes:
    return json.dumps(
        {
            "status_code": status,
            "request_id": "request-id-test-echo",
            "error_type": "echo",
            "error_message": ECHO,
            "error_url": f"https://stytch.com/docs/api/errors/{status}",
            "echo": {ECHO: [ECHO, {"nested": ECHO}]},
        }
    ).encode()


def hostile() -> None:
    ctype = lambda t: [("Content-Type", t)]  # noqa: E731
    html = f"<html><body><h1>502</h1><pre>{ECHO}</pre></body></html>".encode()
    behaviours: List[Tuple[str, Behaviour]] = []
    for status in (400, 401, 403, 404, 418, 429, 500, 502, 503):
        headers = ctype("application/json") + [("Retry-After", "2")]
        behaviours.append((f"echo json {status}", Behaviour(status=status, body=json_error(status), headers=headers)))
    # json.dumps escapes every non-ASCII character as \uXXXX; ensure_ascii=False does not.
    raw = json.loads(json_error(400))
    behaviours.append(("echo json unescaped", Behaviour(status=400, body=json.dumps(raw, ensure_ascii=False).encode(), headers=ctype("application/json"))))
    for name, status, kind, body in [
        ("echo html 502", 502, "text/html", html),
        ("echo html 400", 400, "text/html", html),
        ("echo html 200", 200, "text/html", html),
        ("echo text 401", 401, "text/plain", ECHO.encode()),
        ("echo json string 200", 200, "application/json", json.dumps(ECHO).encode()),
        ("echo json string 500", 500, "application/json", json.dumps(ECHO).encode()),
        ("echo 200 missing fields", 200, "application/json", json.dumps({"request_id": ECHO, "status_code": 200}).encode()),
        ("echo json truncated", 400, "application/json", json_error(400)[: len(json_error(400)) // 2]),
        ("echo huge", 200, "application/json", ECHO.encode() + b" " * 1_100_000),
    ]:
        behaviours.append((name, Behaviour(status=status, body=body, headers=ctype(kind))))
    for status in (301, 302, 307, 308):
        behaviours.append((f"redirect {status}", Behaviour(status=status, body=ECHO.encode(), headers=[("Location", f"https://evil.example/{HEADER_ECHO}")])))
    for kind in ("stall", "reset", "close", "huge"):
        behaviours.append((kind, Behaviour(kind=kind)))
    for name, behaviour in behaviours:
        with Hostile([behaviour]) as server:
            send(f"hostile {name}", client(server.url))
            if name in ("echo json 500", "echo html 502", "stall"):
                send_async(f"hostile {name}", client(server.url))


def self_signed(workdir: Path) -> Optional[Tuple[Path, Path]]:
    """A self-signed certificate for localhost from the openssl command line, or None."""
    if shutil.which("openssl") is None:
        return None
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def transport() -> None:
    send("refused", client(f"http://127.0.0.1:{closed_port()}", max_retries=1))
    # A TLS handshake that never completes: a connect timeout.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(16)
    held: List[socket.socket] = []
    threading.Thread(target=lambda: held.append(holder.accept()[0]), daemon=True).start()
    send("connect timeout", client(f"https://localhost:{holder.getsockname()[1]}", connect_timeout=0.2))
    holder.close()
    for conn in held:
        conn.close()
    with Hostile([Behaviour()]) as plain:
        send("tls to plain http", client(f"https://127.0.0.1:{plain.port}"))
    workdir = Path(tempfile.mkdtemp(prefix="sms-otp-sweep-tls-"))
    try:
        pair = self_signed(workdir)
        if pair is None:
            print("SKIP untrusted certificate: no openssl command", flush=True)
            return
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*pair)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                try:
                    context.wrap_socket(conn, server_side=True).close()
                except (ssl.SSLError, OSError):
                    conn.close()

        threading.Thread(target=serve, daemon=True).start()
        url = f"https://localhost:{listener.getsockname()[1]}"
        send("untrusted certificate", client(url))
        send("self-signed leaf as ca_file", client(url, ca_file=pair[0]))
        listener.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    LOG.debug("secret sweep starting with sms_otp from %s", sms_otp.__file__)
    with Hostile([Behaviour()]) as unused:
        validation(unused.url)
        configuration(unused.url)
    from_env()
    emulator_errors()
    hostile()
    transport()
    print(f"SWEEP DONE {CASES} cases", flush=True)


if __name__ == "__main__":
    main()
