"""The Python suite's handle on the hostile server: the workspace's `sms-otp-hostile` program
(tests/hostile-server, the one hostile server of the Rust, Python and Node suites). It is
started once per process and driven over its JSON control endpoint; each `Hostile` is a
server of its own on its own port, each request answered by a scripted behaviour (status +
body, stall, slow drip, reset, close, huge body, raw bytes, half-closed keep-alive, …) and
recorded as it arrived. `RefusingProxy` is its refusing proxy.

The program is found at $SMS_OTP_HOSTILE, else under $CARGO_TARGET_DIR or target/ (debug):
`cargo test --workspace` (tests/run-all) or `cargo build -p sms-otp-hostile` builds it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]

OK_BODY = json.dumps(
    {
        "request_id": "request-id-test-1",
        "user_id": "user-test-1",
        "phone_id": "phone-number-test-1",
        "status_code": 200,
        "extra": {"kept": True},
    },
    separators=(",", ":"),
)


def binary() -> Path:
    """Where the `sms-otp-hostile` program is."""
    explicit = os.environ.get("SMS_OTP_HOSTILE")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    for profile in ("debug", "release"):
        candidate = target / profile / "sms-otp-hostile"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"no sms-otp-hostile under {target}: run `cargo build -p sms-otp-hostile` "
        "(tests/run-all builds it with `cargo test --workspace`)"
    )


class _Control:
    """The one `sms-otp-hostile` process of this Python process, and calls to it."""

    _lock = threading.Lock()
    _instance: Optional["_Control"] = None

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(binary()), "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on http://127.0.0.1:"):
            raise RuntimeError(f"sms-otp-hostile did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        # Not stopped at exit on purpose: closing it while the interpreter shuts down would
        # break the connections of daemon threads still sending (test_shutdown.py), which
        # then print errors. Its standard input is this process's pipe: when this process
        # is gone, the pipe closes and the program exits.

    @classmethod
    def get(cls) -> "_Control":
        with cls._lock:
            # A forked child has the parent's handle: the process is shared, which is fine.
            if cls._instance is None or cls._instance.process.poll() is not None:
                cls._instance = _Control()
            return cls._instance

    def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None, timeout: float = 60.0) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body or {}).encode()
            conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = json.loads(resp.read() or b"{}")
        finally:
            conn.close()
        if resp.status != 200:
            raise RuntimeError(f"sms-otp-hostile {method} {path}: {resp.status} {data}")
        return data


def control() -> _Control:
    return _Control.get()


def _bytes_json(data: bytes) -> Any:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return [{"hex": data.hex()}]


@dataclass
class Behaviour:
    """A behaviour of the hostile server (tests/hostile-server/src/lib.rs lists them all):
    respond (status + headers + body), stall, drip (`total` bytes, one every `every`
    seconds), reset, close, huge (`total` bytes, Content-Length), huge_chunked, raw (`raw`
    as the whole answer), ok_then_half_close, ok_then_close, echo_auth. `spec` is a JSON
    behaviour as it is, for everything else (route, …)."""

    kind: str = "respond"
    status: int = 200
    body: bytes = OK_BODY.encode()
    headers: List[Tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "application/json")])
    every: float = 0.1
    total: int = 3 * 1024 * 1024
    raw: bytes = b""
    spec: Optional[Dict[str, Any]] = None

    @staticmethod
    def json(status: int, body: str) -> "Behaviour":
        return Behaviour(status=status, body=body.encode())

    @staticmethod
    def stytch_error(status: int, error_type: str, message: str = "Something.", retry_after: Optional[str] = None) -> "Behaviour":
        body = json.dumps(
            {
                "status_code": status,
                "request_id": "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141",
                "error_type": error_type,
                "error_message": message,
                "error_url": f"https://stytch.com/docs/api/errors/{status}",
            }
        ).encode()
        headers = [("Content-Type", "application/json")]
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        return Behaviour(status=status, body=body, headers=headers)

    @staticmethod
    def of(spec: Dict[str, Any]) -> "Behaviour":
        """A behaviour from its JSON form (tests/fault-matrix.json, tests/secret-inputs.json)."""
        return Behaviour(kind=str(spec["kind"]), spec=spec)

    def to_json(self) -> Dict[str, Any]:
        if self.spec is not None:
            return self.spec
        if self.kind == "respond":
            return {
                "kind": "respond",
                "status": self.status,
                "headers": [list(h) for h in self.headers],
                "body": _bytes_json(self.body),
            }
        if self.kind == "drip":
            return {"kind": "drip", "every_ms": round(self.every * 1000), "total": self.total}
        if self.kind in ("huge", "huge_chunked"):
            return {"kind": self.kind, "total": self.total}
        if self.kind == "raw":
            return {"kind": "raw", "bytes": _bytes_json(self.raw)}
        return {"kind": self.kind}


@dataclass
class Recorded:
    method: str
    path: str
    #: Names lower-cased.
    headers: Dict[str, str]
    body: bytes


class Hostile:
    """A hostile server: request `n` gets `script[n]` (the last entry repeats). With
    `refuse`, the port refuses connections (bound, not listening) until `open_after(seconds)`
    has been called and that time passed."""

    def __init__(self, script: List[Behaviour], refuse: bool = False, case_steps: Optional[List[Any]] = None) -> None:
        """`case_steps`: a shared case's `server.hostile` steps, which the server reads itself
        (instead of `script`)."""
        self._control = control()
        body: Dict[str, Any] = {"script": [b.to_json() for b in script], "refuse": refuse}
        if case_steps is not None:
            body["case_steps"] = case_steps
        made = self._control.call("POST", "/servers", body)
        self.id: int = made["id"]
        self.port: int = made["port"]
        self.url: str = made["url"]
        self._closed = False

    def _state(self) -> Dict[str, Any]:
        state: Dict[str, Any] = self._control.call("GET", f"/servers/{self.id}")
        return state

    @property
    def requests(self) -> List[Recorded]:
        return [
            Recorded(r["method"], r["path"], {n.lower(): v for n, v in r["headers"]}, r["body"].encode())
            for r in self._state()["requests"]
        ]

    @property
    def connections(self) -> int:
        return int(self._state()["connections"])

    @property
    def closed_by_client(self) -> int:
        """Stalled connections the client closed (a stall reads until then)."""
        return int(self._state()["closed_by_client"])

    def seen(self) -> int:
        return len(self._state()["requests"])

    def set_script(self, script: List[Behaviour]) -> None:
        self._control.call("PUT", f"/servers/{self.id}/script", {"script": [b.to_json() for b in script]})

    def open_after(self, seconds: float) -> None:
        self._control.call("POST", f"/servers/{self.id}/open", {"after_ms": round(seconds * 1000)})

    def wait_for(
        self,
        timeout: float,
        requests: Optional[int] = None,
        closed: Optional[int] = None,
        closed_by_client: Optional[int] = None,
    ) -> bool:
        """Waits (on the server's events, not by polling) until at least these counts are
        reached; False when `timeout` seconds passed first."""
        want = {"requests": requests, "closed": closed, "closed_by_client": closed_by_client}
        body: Dict[str, Any] = {k: v for k, v in want.items() if v is not None}
        body["timeout_ms"] = round(timeout * 1000)
        return bool(self._control.call("POST", f"/servers/{self.id}/wait", body, timeout=timeout + 30)["met"])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._control.call("DELETE", f"/servers/{self.id}")

    def __enter__(self) -> "Hostile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RefusingProxy(Hostile):
    """A port that refuses connections until `open_after(seconds)` has been called and that
    time passed, then forwards every connection to 127.0.0.1:`upstream_port`, passing a
    reset on as a reset and a FIN as a FIN (the hostile server's proxy)."""

    def __init__(self, upstream_port: int) -> None:  # pylint: disable=super-init-not-called
        self._control = control()
        made = self._control.call("POST", "/proxies", {"upstream_port": upstream_port})
        self.id = made["id"]
        self.port = made["port"]
        self.url = made["url"]
        self._closed = False


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port
