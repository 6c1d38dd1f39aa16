"""A purpose-built hostile HTTP/1.1 server for the Python suite: each request gets a
scripted behaviour (status + body, stall, reset, close, huge body, redirect) and every
request is recorded as it arrived."""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

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
    kind: str = "respond"  # respond | stall | reset | close | huge
    status: int = 200
    body: bytes = OK_BODY.encode()
    headers: List[Tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "application/json")])

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


class Hostile:
    def __init__(self, script: List[Behaviour]) -> None:
        self.script = script
        self.requests: List[Recorded] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = threading.Event()
        self._held: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def seen(self) -> int:
        with self._lock:
            return len(self.requests)

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
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    conn.close()
                    return
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
                    return
                rest += chunk
            body, buffer = rest[:length], rest[length:]
            with self._lock:
                self.requests.append(Recorded(method, path, headers, body))
                behaviour = self.script[min(len(self.requests), len(self.script)) - 1]
            if behaviour.kind == "respond":
                out = f"HTTP/1.1 {behaviour.status} Whatever\r\nContent-Length: {len(behaviour.body)}\r\n"
                out += "".join(f"{n}: {v}\r\n" for n, v in behaviour.headers) + "\r\n"
                conn.sendall(out.encode() + behaviour.body)  # one write: no Nagle stall
            elif behaviour.kind == "stall":
                self._held.append(conn)
                return
            elif behaviour.kind == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                return
            elif behaviour.kind == "close":
                conn.close()
                return
            elif behaviour.kind == "huge":
                total = 3 * 1024 * 1024
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n".encode())
                try:
                    conn.sendall(b"x" * total)
                except OSError:
                    pass
                conn.close()
                return


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


