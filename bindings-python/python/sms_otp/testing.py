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
from typing import Any, Callable, List, Optional, Sequence, Type

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

    def client(self, **options: Any) -> Client:
        """A `Client` bound to this emulator (options as for `Client`)."""
        return Client(self.project_id, self.secret, base_url=self.url, **options)

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, project_id={self.project_id!r})"


def _method(name: str, positional: Sequence[str]) -> Callable[..., Any]:
    """`Emulator.<name>`: one of the emulator's testing calls, arguments by name (the first
    ones also by position), its JSON result as Python data. testing.pyi has the signatures."""

    def call(self: Emulator, *args: Any, **kwargs: Any) -> Any:
        if len(args) > len(positional):
            raise TypeError(f"{name}() takes at most {len(positional)} positional arguments ({len(args)} given)")
        for key, value in zip(positional, args):
            if key in kwargs:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            kwargs[key] = value
        return json.loads(self._native.call(name, kwargs))

    call.__name__ = call.__qualname__ = name
    return call


_POSITIONAL = dict(_native.NativeEmulator.POSITIONAL)
for _name in _native.NativeEmulator.METHODS:
    setattr(Emulator, _name, _method(_name, _POSITIONAL.get(_name, ())))

__all__ = ["Emulator", "EmulatorError"]
