"""Send one-time passcodes by SMS through Stytch's ``POST /v1/otps/sms/send``.

A drop-in for the official client's ``client.otps.sms.send(...)``, backed by a Rust core:
arguments are validated before any request, every attempt has working timeouts, only
failures that provably never reached the server are retried, and every failure is a typed
exception with a stable ``code``.
"""

from __future__ import annotations

import atexit
from typing import Any, Literal, Mapping, Optional

from sms_otp import _native
from sms_otp._errors import *  # noqa: F403 (every error class, made from the core's table)
from sms_otp._errors import __all__ as _error_classes

__version__: str = _native.VERSION
# Keep the I/O threads out of Python while the interpreter finalizes (sends may be in flight).
atexit.register(_native.shutdown)
SendResponse = _native.SendResponse
normalize_phone_number = _native.normalize_phone_number

# The typed signatures are in __init__.pyi; every argument is read by the Rust core.
Attributes = Mapping[str, Optional[str]]
#: The 16 locale tags the endpoint accepts, exactly as spelled on the wire.
Locale = Literal[tuple(_native.tables()["locales"])]  # type: ignore[misc]


class Sms:
    """SMS one-time passcodes: ``client.otps.sms``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def send(self, *args: Any, **kwargs: Any) -> SendResponse:
        """Send a passcode and wait for the outcome (the GIL is released meanwhile)."""
        return self._native.send(args, kwargs)

    async def send_async(self, *args: Any, **kwargs: Any) -> SendResponse:
        """Send a passcode without blocking the running asyncio loop; cancellable."""
        return await self._native.send_async(args, kwargs)


class Otps:
    """The OTP products: ``client.otps``."""

    __slots__ = ("sms",)

    def __init__(self, native: _native.NativeClient) -> None:
        self.sms = Sms(native)


class Client:
    """A Stytch SMS OTP client, safe to share across threads and asyncio tasks.

    Keyword names follow the official ``stytch`` package, so ``from stytch import Client``
    becomes ``from sms_otp import Client``. Durations are seconds (floats).

    Unset options take the core's defaults: timeout=10.0 (seconds per attempt, from sending
    to a fully read response), connect_timeout=3.0 (TCP + TLS), max_retries=2 (at most 10;
    only failures that provably never reached the server), retry_rate_limited=False.
    """

    __slots__ = ("otps", "_native")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._native = _native.NativeClient(args, kwargs)
        self.otps = Otps(self._native)

    @classmethod
    def from_env(cls, **kwargs: Any) -> "Client":
        """A client from ``STYTCH_PROJECT_ID``, ``STYTCH_SECRET`` and optional
        ``STYTCH_BASE_URL`` (an explicit ``base_url`` wins); other options as keywords."""
        client = cls.__new__(cls)
        client._native = _native.NativeClient((), kwargs, True)
        client.otps = Otps(client._native)
        return client

    @property
    def project_id(self) -> str:
        return self._native.project_id

    @property
    def environment(self) -> str:
        return self._native.environment

    @property
    def endpoint(self) -> str:
        return self._native.endpoint

    def __repr__(self) -> str:
        return repr(self._native)

    def __reduce__(self) -> Any:
        raise TypeError("a Client holds a secret and connections; create one per process instead of pickling it")


__all__ = ["Client", "Locale", "Otps", "Sms", "SendResponse", "normalize_phone_number", *_error_classes]

# Fill the native module's process-wide caches now, while importing (see _native._warm_up):
# filled by a first send instead, a fork taken meanwhile could leave a child waiting forever.
_native._warm_up()
