"""Send and check SMS one-time passcodes through Stytch: ``client.otps.sms.send``,
``client.otps.sms.login_or_create`` and ``client.otps.authenticate``.

A drop-in for the official client's calls of the same names, backed by a Rust core:
arguments are validated before any request, every attempt has working timeouts, only
failures that provably never reached the server are retried, and every failure is a typed
exception with a stable ``code``.
"""

from __future__ import annotations

import atexit

from sms_otp import _native
from sms_otp._errors import *  # noqa: F403 (every error class, made from the core's table)
from sms_otp._errors import __all__ as _error_classes
from sms_otp._responses import *  # noqa: F403 (the login calls' responses, from the core's table)
from sms_otp._responses import __all__ as _response_classes

# The typed signatures are in __init__.pyi; every argument is read by the Rust core. `typing`
# is not imported at run time (it would cost `import sms_otp` several milliseconds): the two
# aliases below are made on first use.

__version__: str = _native.VERSION
# Keep the I/O threads out of Python while the interpreter finalizes (sends may be in flight).
atexit.register(_native.shutdown)
SendResponse = _native.SendResponse
normalize_phone_number = _native.normalize_phone_number


def __getattr__(name: str):
    """``Attributes``, ``AuthenticateOptions`` and ``Locale`` (the 16 tags the endpoint
    accepts), for annotations."""
    if name not in ("Attributes", "AuthenticateOptions", "Locale"):
        raise AttributeError(f"module 'sms_otp' has no attribute {name!r}")
    import typing

    alias = {
        "Attributes": typing.Mapping[str, typing.Optional[str]],
        "AuthenticateOptions": typing.Mapping[str, typing.Optional[bool]],
        "Locale": typing.Literal[tuple(_native.tables()["locales"])],  # type: ignore[misc]
    }[name]
    globals()[name] = alias
    return alias


async def _awaited(future):
    """The outcome of a native call's asyncio future. Cancelled while awaited (its task was
    cancelled), it abandons the call at once: the request is dropped, its connection closed."""
    try:
        return await future
    except BaseException:
        if future.cancelled():
            _native.abandon(future)
        raise


class Sms:
    """SMS one-time passcodes: ``client.otps.sms``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def send(self, *args, **kwargs):
        """Send a passcode and wait for the outcome (the GIL is released meanwhile)."""
        return self._native.call("send", args, kwargs)

    async def send_async(self, *args, **kwargs):
        """Send a passcode without blocking the running asyncio loop; cancellable."""
        return await _awaited(self._native.call_async("send", args, kwargs))

    def login_or_create(self, *args, **kwargs):
        """Send a passcode, creating the user first when no user has the number."""
        return LoginOrCreateResponse(self._native.call("login_or_create", args, kwargs))  # noqa: F405

    async def login_or_create_async(self, *args, **kwargs):
        """``login_or_create`` without blocking the running asyncio loop; cancellable."""
        body = await _awaited(self._native.call_async("login_or_create", args, kwargs))
        return LoginOrCreateResponse(body)  # noqa: F405


class Otps:
    """The OTP products: ``client.otps``."""

    __slots__ = ("sms", "_native")

    def __init__(self, native: _native.NativeClient) -> None:
        self.sms = Sms(native)
        self._native = native

    def authenticate(self, *args, **kwargs):
        """Check a passcode (a refused one raises ``InvalidCodeError``)."""
        return AuthenticateResponse(self._native.call("authenticate", args, kwargs))  # noqa: F405

    async def authenticate_async(self, *args, **kwargs):
        """``authenticate`` without blocking the running asyncio loop; cancellable."""
        body = await _awaited(self._native.call_async("authenticate", args, kwargs))
        return AuthenticateResponse(body)  # noqa: F405


class Client:
    """A Stytch SMS OTP client, safe to share across threads and asyncio tasks.

    Keyword names follow the official ``stytch`` package, so ``from stytch import Client``
    becomes ``from sms_otp import Client``. Durations are seconds (floats).

    Unset options take the core's defaults: timeout=10.0 (seconds per attempt, from sending
    to a fully read response), connect_timeout=3.0 (TCP + TLS), max_retries=2 (at most 10;
    only failures that provably never reached the server), retry_rate_limited=False.
    """

    __slots__ = ("otps", "_native")

    def __init__(self, *args, **kwargs) -> None:
        self._native = _native.NativeClient(args, kwargs)
        self.otps = Otps(self._native)

    @classmethod
    def from_env(cls, **kwargs):
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

    def __reduce__(self):
        raise TypeError("a Client holds a secret and connections; create one per process instead of pickling it")


__all__ = [
    "Client",
    "Locale",
    "Otps",
    "Sms",
    "SendResponse",
    "normalize_phone_number",
    *_response_classes,
    *_error_classes,
]

# Fill the native module's process-wide caches now, while importing (see _native._warm_up):
# filled by a first send instead, a fork taken meanwhile could leave a child waiting forever.
_native._warm_up()
