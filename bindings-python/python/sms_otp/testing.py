"""Test your login flow offline: an in-process emulator of Stytch's SMS OTP endpoint.

    from sms_otp.testing import Emulator

    with Emulator() as emu:
        client = emu.client()
        resp = client.otps.sms.send(phone_number="+12025550162")
        code = emu.messages(phone_number="+12025550162")[-1]["code"]

The admin calls go over loopback HTTP to the emulator's own admin API, the same one any
other language or tool would use.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import Any, Dict, List, Optional, Type

from sms_otp import Client, _native


def _str_arg(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _query(params: Dict[str, Any]) -> str:
    # Lone surrogates go out as the bytes they stand for, for the emulator to judge (it
    # answers 400), instead of a UnicodeEncodeError from urlencode.
    return urllib.parse.urlencode(params, encoding="utf-8", errors="surrogatepass")


class EmulatorError(RuntimeError):
    """An admin call to the emulator failed; `status` and `body` say how."""

    def __init__(self, message: str, status: int, body: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class Emulator:
    """A running emulator (started on construction, stopped by `stop()` or `with`)."""

    def __init__(
        self,
        *,
        project_id: Optional[str] = None,
        secret: Optional[str] = None,
        seed: Optional[int] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        allowed_country_codes: Optional[List[str]] = None,
        rate_limit: Optional[int] = None,
    ) -> None:
        self._native = _native.NativeEmulator(
            project_id, secret, seed, host, port, allowed_country_codes, rate_limit
        )
        self.url: str = self._native.url
        self.project_id: str = self._native.project_id
        self.secret: str = self._native.secret
        self._admin = self.url + "/_emulator/v1"

    def client(self, **options: Any) -> Client:
        """A `Client` bound to this emulator (options as for `Client`)."""
        return Client(self.project_id, self.secret, base_url=self.url, **options)

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None, timeout: float = 30.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self._admin + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                parsed = json.loads(payload)
            except ValueError:
                parsed = payload.decode("utf-8", "replace")
            raise EmulatorError(f"emulator admin {method} {path} answered {e.code}: {parsed}", e.code, parsed) from None
        return json.loads(text) if text else None

    def messages(self, phone_number: Optional[str] = None) -> List[Dict[str, Any]]:
        """Sent messages, oldest first (each with `code`, `status`, `text`, …)."""
        query = "" if phone_number is None else "?" + _query({"phone_number": _str_arg(phone_number, "phone_number")})
        result = self._call("GET", "/messages" + query)
        return list(result["messages"] if isinstance(result, dict) else result)

    def next_message(self, phone_number: Optional[str] = None, timeout: float = 5.0) -> Dict[str, Any]:
        """Waits (long-poll, no sleeping) for the next message sent after this call."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
        if not math.isfinite(timeout) or not 0 <= timeout <= 3600:
            raise ValueError(f"timeout must be from 0 to 3600 seconds, not {timeout!r}")
        params: Dict[str, Any] = {"timeout_ms": int(timeout * 1000)}
        if phone_number is not None:
            params["phone_number"] = _str_arg(phone_number, "phone_number")
        result = self._call("GET", "/messages/next?" + _query(params), timeout=timeout + 5)
        return dict(result["message"] if isinstance(result, dict) and "message" in result else result)

    def clear_messages(self) -> int:
        """Empties the inbox; returns how many messages it held."""
        return int(self._call("DELETE", "/messages")["deleted"])

    def create_user(self, phone_number: Optional[str] = None) -> str:
        body = {} if phone_number is None else {"phone_number": phone_number}
        return str(self._call("POST", "/users", body)["user_id"])

    def create_session(self, user_id: str) -> Dict[str, str]:
        return dict(self._call("POST", "/sessions", {"user_id": user_id}))

    def inject_fault(self, **fault: Any) -> str:
        """Makes the next `times` matching sends fail: `kind`, `status`, `error_type`,
        `retry_after`, `delay_ms`, `times`, `phone_number`. Returns the fault id."""
        return str(self._call("POST", "/faults", fault)["fault_id"])

    def faults(self) -> List[Dict[str, Any]]:
        result = self._call("GET", "/faults")
        return list(result["faults"] if isinstance(result, dict) else result)

    def clear_faults(self) -> int:
        """Forgets every fault, armed or spent; returns how many there were."""
        return int(self._call("DELETE", "/faults")["deleted"])

    def advance_clock(self, seconds: float) -> None:
        """Moves the emulator's clock: expiry and rate-limit windows follow it."""
        self._call("POST", "/clock/advance", {"seconds": seconds})

    def reset(self) -> None:
        """Forgets everything: users, messages, faults, rate limits."""
        self._call("POST", "/reset")

    def stop(self) -> None:
        self._native.stop()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, project_id={self.project_id!r})"


__all__ = ["Emulator", "EmulatorError"]
