#!/usr/bin/env python3
"""Secret hygiene, Python surface. Drives every error path of the `sms_otp` package with the
marker credentials of marker.json and prints every rendering of every error: str, repr,
args, every attribute, the pickled bytes and the unpickled copy, the formatted traceback
with its __cause__/__context__ chain, and what `logging.exception` writes; plus repr of the
clients. The root logger is at DEBUG and asyncio runs in debug mode, so anything the
package or the interpreter logs is printed too.

Its inputs are data shared with the Rust and Node sweeps: tests/secret-inputs.json (the rows
for Python) and tests/emulator-errors.json. It prints `SWEEP ROWS <n>`, the data rows it ran.

It scans nothing itself: bindings-python/tests/test_secret_sweep.py and tests/secrets/run
run it as a child process and search everything it printed for every form of the secret.
The last line is `SWEEP DONE <n> cases`."""

from __future__ import annotations

import asyncio
import functools
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
INPUTS: Dict[str, Any] = json.loads((HERE.parent / "secret-inputs.json").read_text(encoding="utf-8"))
ERROR_TABLE: List[Dict[str, Any]] = json.loads((HERE.parent / "emulator-errors.json").read_text(encoding="utf-8"))["rows"]
PID: str = MARKER["project_id"]
SECRET: str = MARKER["secret"]
ECHO = "you sent " + " and ".join(MARKER["echoes"])
HEADER_ECHO = "/".join(e for e in MARKER["echoes"] if e.isascii() and " " not in e and '"' not in e)
PCT = MARKER["echoes"][6]  # the percent-encoded secret
PHONE = "+12025550162"
LOG = logging.getLogger("secret-sweep")
CASES = 0
#: Data rows run (tests/secret-inputs.json and tests/emulator-errors.json).
ROWS = 0
SECTIONS = ("requests", "clients", "env", "emulator_faults", "hostile")


def mine(section: str) -> List[Dict[str, Any]]:
    """The rows of a section of tests/secret-inputs.json that are for Python; each counts."""
    return [row for row in INPUTS[section] if "python" in row.get("only", ["python"])]


def expected_rows() -> int:
    return sum(len(mine(section)) for section in SECTIONS) + len(ERROR_TABLE)


def counted() -> None:
    global ROWS
    ROWS += 1


def fill(text: str) -> str:
    """A template of tests/secret-inputs.json, filled in."""
    for name, value in (
        ("{secret}", SECRET),
        ("{project_id}", PID),
        ("{pct}", PCT),
        ("{header_echo}", HEADER_ECHO),
        ("{echo}", ECHO),
        ("{lone_surrogate}", "\ud800"),
        ("{byte_ff}", "\udcff"),  # how os.environ shows the byte 0xFF (surrogateescape)
    ):
        text = text.replace(name, value)
    return text


def fill_json(value: Any) -> Any:
    if isinstance(value, str):
        return fill(value)
    if isinstance(value, list):
        return [fill_json(v) for v in value]
    if isinstance(value, dict):
        return {fill(k): fill_json(v) for k, v in value.items()}
    return value


def option_value(value: Any, workdir: Path, name: str) -> Any:
    """A client option's value: a template, or one of the {$…} values of the file."""
    if isinstance(value, dict):
        if "$nan" in value:
            return float("nan")
        if "$bytes" in value:
            return fill(value["$bytes"]).encode()
        if "$file" in value:
            path = workdir / f"{name}.pem"
            path.write_text(fill(value["$file"]), encoding="utf-8")
            return path
        if "$missing_file" in value:
            return workdir / "missing.pem"
        if "$directory" in value:
            return workdir
        raise ValueError(f"not a value for Python: {value}")
    return fill_json(value)


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
    for row in mine("requests"):
        counted()
        send(f"validation {row['name']}", c, **fill_json(row["fields"]))
    send_async("validation phone", c, phone_number="nope")
    send("validation country", client(url, allowed_country_codes=["44"]))
    record("normalize", lambda: sms_otp.normalize_phone_number("call me"))
    record("normalize region", lambda: sms_otp.normalize_phone_number("202 555 0162", "ZZ"))


def make_client(options: Dict[str, Any]) -> sms_otp.Client:
    rest = {k: v for k, v in options.items() if k not in ("project_id", "secret")}
    return sms_otp.Client(options["project_id"], options["secret"], **rest)


def configuration(url: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="sms-otp-sweep-"))
    try:
        for row in mine("clients"):
            options: Dict[str, Any] = {"project_id": PID, "secret": SECRET, "base_url": url}
            options.update({k: option_value(v, workdir, row["name"].replace(" ", "-")) for k, v in row["client"].items()})
            options = {k: v for k, v in options.items() if v is not None}
            counted()
            record(row["name"], functools.partial(make_client, options))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    record("pickle client", lambda: pickle.dumps(client(url)))


def from_env() -> None:
    saved = {k: os.environ.get(k) for k in ("STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_BASE_URL")}
    try:
        for row in mine("env"):
            for key in saved:
                if row[key] is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = fill(row[key])
            counted()
            record(row["name"], sms_otp.Client.from_env)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def emulator_errors() -> None:
    with Emulator(project_id=PID, secret=SECRET, rate_limit=1) as emu:
        print(f"emulator: {emu!r}", flush=True)
        c = client(emu.url)
        for row in ERROR_TABLE:
            status, error_type = row["status"], row["error_type"]
            fault: Dict[str, Any] = {"status": status, "error_type": error_type}
            if status in (429, 503):
                fault["retry_after"] = 3
            emu.inject_fault(**fault)
            counted()
            send(f"emulator {status} {error_type}", c)
        for row in mine("emulator_faults"):
            emu.inject_fault(**row["fault"])
            counted()
            send(f"emulator fault {row['name']}", c)
        emu.inject_fault(status=503, error_type="server_unavailable")
        send_async("emulator 503", c)
        send("emulator 401 wrong secret", sms_otp.Client(PID, SECRET + "-wrong", base_url=emu.url))
        send("emulator 401 wrong project", sms_otp.Client("project-test-someone-else", SECRET, base_url=emu.url))
        send("emulator country", c, phone_number="+442079460958")
        c.otps.sms.send(phone_number="+12025550199")
        send("emulator 429", c, phone_number="+12025550199")
        send("emulator user_not_found", c, phone_number="+12025550123", user_id="user-test-00000000-0000-0000-0000-000000000000")
        send("emulator session_not_found", c, phone_number="+12025550124", session_token=f"token-{PCT}")


def hostile() -> None:
    for row in mine("hostile"):
        with Hostile([Behaviour.of(fill_json(row["behaviour"]))]) as server:
            counted()
            send(f"hostile {row['name']}", client(server.url))
            if row.get("also_async"):
                send_async(f"hostile {row['name']}", client(server.url))


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
    print(f"SWEEP ROWS {ROWS}", flush=True)
    print(f"SWEEP DONE {CASES} cases", flush=True)


if __name__ == "__main__":
    main()
