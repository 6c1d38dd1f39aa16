"""Test your login flow offline: an in-process emulator of Stytch's SMS OTP endpoint.

    from sms_otp.testing import Emulator

    with Emulator() as emu:
        client = emu.client()
        resp = client.otps.sms.send(phone_number="+12025550162")
        code = emu.messages(phone_number="+12025550162")[-1]["code"]

The same API as Node's `require('sms-otp/testing')` (names in snake_case, durations in
seconds), implemented once in Rust (`sms_otp_emulator::testing`): every call goes to the
emulator in-process. Wrong argument types raise `TypeError`; every other failure
`EmulatorError`.
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any, Dict, List, Optional, Type

from sms_otp import Client, _native


class EmulatorError(RuntimeError):
    """An emulator call failed. `kind`: `live_credentials`, `invalid_config`, `bind` or `start`
    (it did not start), `admin` (refused, with the admin API's `status` and `error_type`) or
    `stopped`; `field` names the option or argument at fault, when one is."""

    def __init__(
        self,
        message: str,
        kind: str = "admin",
        field: Optional[str] = None,
        status: Optional[int] = None,
        error_type: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field
        self.status = status
        self.error_type = error_type


class Emulator:
    """A running emulator: started by the constructor (keyword options, each defaulting as
    documented), stopped by `stop()` or leaving `with`."""

    def __init__(
        self,
        *,
        host: Optional[str] = None,
        port: Optional[int] = None,
        project_id: Optional[str] = None,
        secret: Optional[str] = None,
        seed: Optional[int] = None,
        allowed_country_codes: Optional[List[str]] = None,
        rate_limit: Optional[int] = None,
        rate_window: Optional[float] = None,
    ) -> None:
        self._native = _native.NativeEmulator(
            dict(host=host, port=port, project_id=project_id, secret=secret, seed=seed, rate_limit=rate_limit)
            | dict(allowed_country_codes=allowed_country_codes, rate_window=rate_window)
        )
        self.url: str = self._native.url
        self.project_id: str = self._native.project_id
        self.secret: str = self._native.secret

    def _call(self, method: str, /, **args: Any) -> Any:
        return json.loads(self._native.call(method, args))

    def client(self, **options: Any) -> Client:
        """A `Client` bound to this emulator (options as for `Client`)."""
        return Client(self.project_id, self.secret, base_url=self.url, **options)

    def messages(self, phone_number: Optional[str] = None) -> List[Dict[str, Any]]:
        """Sent messages, oldest first (each with `code`, `status`, `text`, …)."""
        return list(self._call("messages", phone_number=phone_number))

    def next_message(
        self, phone_number: Optional[str] = None, timeout: Optional[float] = None
    ) -> Optional[Dict[str, Any]]:
        """The first message sent after this call (long-poll, no sleeping), or None when none
        came within `timeout` seconds (default 10, at most 600)."""
        message: Optional[Dict[str, Any]] = self._call("next_message", phone_number=phone_number, timeout=timeout)
        return message

    def clear_messages(self) -> int:
        """Empties the inbox; returns how many messages it held."""
        return int(self._call("clear_messages"))

    def create_user(self, phone_number: Optional[str] = None) -> Dict[str, Any]:
        """A new user `{user_id, phone_number, phone_id}`, optionally owning `phone_number`."""
        return dict(self._call("create_user", phone_number=phone_number))

    def create_session(self, user_id: str) -> Dict[str, Any]:
        """A new session `{session_id, user_id, session_token, session_jwt}` for a user."""
        return dict(self._call("create_session", user_id=user_id))

    def inject_fault(self, **spec: Any) -> Dict[str, Any]:
        """Makes the next `times` matching sends fail: `kind`, `status`, `error_type`,
        `retry_after`, `delay_ms`, `times`, `phone_number`. Returns the fault (`fault_id`, …)."""
        return dict(self._call("inject_fault", **spec))

    def faults(self) -> List[Dict[str, Any]]:
        """Every fault, spent ones included, with `hits`."""
        return list(self._call("faults"))

    def clear_faults(self) -> int:
        """Forgets every fault, armed or spent; returns how many there were."""
        return int(self._call("clear_faults"))

    def advance_clock(self, seconds: float) -> None:
        """Moves the emulator's clock forward: expiry and rate-limit windows follow it."""
        self._call("advance_clock", seconds=seconds)

    def reset(self) -> None:
        """Forgets everything: users, messages, faults, rate limits, clock."""
        self._call("reset")

    def stop(self) -> None:
        """Stops listening and waits until every connection is closed. Safe to call twice."""
        self._call("stop")

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, project_id={self.project_id!r})"


__all__ = ["Emulator", "EmulatorError"]
