"""Test your login flow offline: an in-process emulator of Stytch's SMS OTP endpoints (see
testing.py). Types of its API; the methods are made at run time from the emulator's list."""

from types import TracebackType
from typing import Any, Dict, List, Optional, Type

from sms_otp import Client

class EmulatorError(RuntimeError):
    """An emulator call failed. `kind`: `live_credentials`, `invalid_config`, `bind` or `start`
    (it did not start), `admin` (refused, with the admin API's `status` and `error_type`) or
    `stopped`; `field` names the option or argument at fault, when one is."""

    kind: str
    field: Optional[str]
    status: Optional[int]
    error_type: Optional[str]
    def __init__(
        self,
        message: str,
        kind: str = ...,
        field: Optional[str] = ...,
        status: Optional[int] = ...,
        error_type: Optional[str] = ...,
    ) -> None: ...

class Emulator:
    """A running emulator: started by the constructor (keyword options, each defaulting as
    documented), stopped by `stop()` or leaving `with`."""

    url: str
    project_id: str
    secret: str
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
    ) -> None: ...
    def client(self, **options: Any) -> Client:
        """A `Client` bound to this emulator (options as for `Client`)."""
    def messages(self, phone_number: Optional[str] = None) -> List[Dict[str, Any]]:
        """Sent messages, oldest first (each with `code`, `status`, `text`, …)."""
    def next_message(
        self, phone_number: Optional[str] = None, timeout: Optional[float] = None
    ) -> Optional[Dict[str, Any]]:
        """The first message sent after this call (long-poll, no sleeping), or None when none
        came within `timeout` seconds (default 10, at most 600)."""
    def clear_messages(self) -> int:
        """Empties the inbox; returns how many messages it held."""
    def create_user(self, phone_number: Optional[str] = None) -> Dict[str, Any]:
        """A new user `{user_id, phone_number, phone_id}`, optionally owning `phone_number`."""
    def create_session(self, user_id: str) -> Dict[str, Any]:
        """A new session `{session_id, user_id, session_token, session_jwt}` for a user."""
    def inject_fault(self, **spec: Any) -> Dict[str, Any]:
        """Makes the next `times` matching calls fail: `kind`, `status`, `error_type`,
        `retry_after`, `delay_ms`, `times`, `phone_number`, `path`. Returns the fault."""
    def faults(self) -> List[Dict[str, Any]]:
        """Every fault, spent ones included, with `hits`."""
    def clear_faults(self) -> int:
        """Forgets every fault, armed or spent; returns how many there were."""
    def advance_clock(self, seconds: float) -> None:
        """Moves the emulator's clock forward: expiry and rate-limit windows follow it."""
    def reset(self) -> None:
        """Forgets everything: users, messages, faults, rate limits, clock."""
    def stop(self) -> None:
        """Stops listening and waits until every connection is closed. Safe to call twice."""
    def __enter__(self) -> Emulator: ...
    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None: ...

__all__ = ["Emulator", "EmulatorError"]
