"""A purpose-built hostile HTTP/1.1 server for the Python suite: each request gets a
scripted behaviour (status + body, stall, slow drip, reset, close, huge body, raw bytes,
half-closed keep-alive) and every request is recorded as it arrived. The behaviours mirror
core/tests/support/mod.rs, so the Rust and Python fault matrices test the same things.
Also: a port that refuses connections for a while (connect-phase retries), and a TCP proxy
with such a port in front of another server (the emulator)."""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

OK_BODY = json.dumps(
    {
        "request_id": "request-id-test-1",
        "user_id": "user-test-1",
        "phone_id": "phone-number-test-1",
        "status_code": 200,
        "extra": {"kept": True},
    }
)


@dataclass
class Behaviour:
    # respond: status + headers + body in one write. stall: read the request, never answer.
    # drip: announce `total` bytes, then one byte every `every` seconds. reset: RST after
    # the request. close: FIN after the request, no answer. huge: a `total`-byte body with
    # Content-Length. huge_chunked: the same, chunked. raw: write `raw` as the whole answer,
    # then close. ok_then_half_close: answer 200, then FIN but keep reading (later requests
    # on the connection are recorded, never answered). ok_then_close: answer 200, then close.
    kind: str = "respond"
    status: int = 200
    body: bytes = OK_BODY.encode()
    headers: List[Tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "application/json")])
    every: float = 0.1
    total: int = 3 * 1024 * 1024
    raw: bytes = b""

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


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


class _Opener:
    """Bound but not listening, a port refuses connections (the kernel answers RST) until
    `open_after` has been called and its delay has passed; then it listens and `accept`
    runs."""

    def __init__(self, sock: socket.socket, accept: "Callable[[], None]") -> None:
        self._sock = sock
        self._accept = accept

    def open_after(self, seconds: float) -> None:
        def open_up() -> None:
            time.sleep(seconds)  # the scripted refusal window itself, not a wait for an event
            try:
                self._sock.listen(1024)
            except OSError:
                return  # closed before it opened
            self._accept()

        threading.Thread(target=open_up, daemon=True).start()


class Hostile:
    """Request `n` gets `script[n]` (the last entry repeats). With `refuse`, the port
    refuses connections until `open_after(seconds)` has been called and that time passed."""

    def __init__(self, script: List[Behaviour], refuse: bool = False) -> None:
        self.script = script
        self.requests: List[Recorded] = []
        self.connections = 0
        #: Stalled connections the client closed (a stall reads until then).
        self.closed_by_client = 0
        self._lock = threading.RLock()  # re-entrant: wait_for's conditions call seen()
        self._changed = threading.Condition(self._lock)
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = threading.Event()
        self._held: List[socket.socket] = []
        self._opener = _Opener(self._sock, self._accept)
        if not refuse:
            self._sock.listen(1024)
            threading.Thread(target=self._accept, daemon=True).start()

    def open_after(self, seconds: float) -> None:
        self._opener.open_after(seconds)

    def seen(self) -> int:
        with self._lock:
            return len(self.requests)

    def wait_for(self, condition: "Callable[[Hostile], bool]", timeout: float) -> bool:
        """Waits (on an event, not by polling) until `condition(self)` holds; False when
        `timeout` seconds passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    def close(self) -> None:
        self._closing.set()
        self._sock.close()
        for s in self._held:
            try:
                s.close()
            except OSError:
                pass

    def __enter__(self) -> "Hostile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._serve_requests(conn)
        except OSError:
            pass  # the client went away mid-answer (a 10 MB body it stopped reading)
        finally:
            if conn not in self._held:
                conn.close()

    def _read_request(self, conn: socket.socket, buffer: bytes) -> Optional[Tuple[Recorded, bytes]]:
        """One request (headers + Content-Length body) and what followed it; None at EOF."""
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return Recorded(method, path, headers, rest[:length]), rest[length:]

    def _serve_requests(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        while True:
            got = self._read_request(conn, buffer)
            if got is None:
                return
            request, buffer = got
            with self._changed:
                self.requests.append(request)
                self._changed.notify_all()
                behaviour = self.script[min(len(self.requests), len(self.script)) - 1]
            kind = behaviour.kind
            if kind == "respond":
                out = f"HTTP/1.1 {behaviour.status} Whatever\r\nContent-Length: {len(behaviour.body)}\r\n"
                out += "".join(f"{n}: {v}\r\n" for n, v in behaviour.headers) + "\r\n"
                conn.sendall(out.encode() + behaviour.body)  # one write: no Nagle stall
                continue
            if kind == "stall":
                # Never answer; read until the client goes away, and note that it did.
                while conn.recv(65536):
                    pass
                with self._changed:
                    self.closed_by_client += 1
                    self._changed.notify_all()
                return
            if kind == "drip":
                conn.sendall(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {behaviour.total}\r\n\r\n".encode()
                )
                for _ in range(behaviour.total):
                    if self._closing.wait(behaviour.every):
                        return
                    conn.sendall(b" ")
                return
            if kind == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if kind == "close":
                conn.shutdown(socket.SHUT_WR)
                return
            if kind == "huge":
                conn.sendall(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {behaviour.total}\r\n\r\n".encode()
                )
                block = b" " * 65536
                for sent in range(0, behaviour.total, len(block)):
                    conn.sendall(block[: behaviour.total - sent])
                return
            if kind == "huge_chunked":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                frame = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
                for _ in range(0, behaviour.total, 65536):
                    conn.sendall(frame)
                conn.sendall(b"0\r\n\r\n")
                return
            if kind == "raw":
                conn.sendall(behaviour.raw)
                conn.shutdown(socket.SHUT_WR)
                return
            if kind in ("ok_then_half_close", "ok_then_close"):
                body = OK_BODY.encode()
                conn.sendall(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
                )
                if kind == "ok_then_close":
                    return
                conn.shutdown(socket.SHUT_WR)
                # Keep reading: whatever arrives is recorded, nothing is answered.
                while True:
                    got = self._read_request(conn, buffer)
                    if got is None:
                        return
                    request, buffer = got
                    with self._changed:
                        self.requests.append(request)
                        self._changed.notify_all()
            raise ValueError(f"unknown behaviour {kind!r}")


class RefusingProxy:
    """A port that refuses connections until `open_after(seconds)` has been called and that
    time passed, then forwards every connection to 127.0.0.1:`upstream_port`, passing a
    reset on as a reset and a FIN as a FIN (the Python twin of the proxy in
    emulator/tests/fault_matrix.rs)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = False
        self._opener = _Opener(self._sock, self._accept)

    def open_after(self, seconds: float) -> None:
        self._opener.open_after(seconds)

    def close(self) -> None:
        self._closing = True
        self._sock.close()

    def __enter__(self) -> "RefusingProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client: socket.socket) -> None:
        """One thread per connection, both directions in a select loop: a reset is passed on
        by the only thread using the socket (closing a socket another thread is blocked on
        would send nothing)."""
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            _reset(client)
            return
        peers = {client: upstream, upstream: client}
        open_for_reading = {client, upstream}
        try:
            while open_for_reading:
                ready, _, _ = select.select(list(open_for_reading), [], [])
                for source in ready:
                    sink = peers[source]
                    try:
                        data = source.recv(65536)
                    except OSError:
                        _reset(sink)  # a reset on one side becomes a reset on the other
                        return
                    if not data:
                        open_for_reading.discard(source)
                        try:
                            sink.shutdown(socket.SHUT_WR)  # a FIN becomes a FIN
                        except OSError:
                            pass
                        continue
                    try:
                        sink.sendall(data)
                    except OSError:
                        _reset(source)
                        return
        finally:
            client.close()
            upstream.close()


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


