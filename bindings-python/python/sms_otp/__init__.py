"""Send one-time passcodes by SMS through Stytch's ``POST /v1/otps/sms/send``.

A drop-in for the official client's ``client.otps.sms.send(...)``, backed by a Rust core:
arguments are validated before any request, every attempt has working timeouts, only
failures that provably never reached the server are retried, and every failure is a typed
exception with a stable ``code``.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import TYPE_CHECKING, Any, Literal, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:
    from typing_extensions import TypeAlias

from sms_otp import _native
from sms_otp._errors import (
    ApiError,
    BadRequestError,
    ConfigurationError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    InvalidCodeError,
    SmsOtpError,
    UnauthorizedError,
    UnexpectedResponseError,
    ValidationError,
)

__version__: str = _native.VERSION
# Keep the I/O threads out of Python while the interpreter finalizes (sends may be in flight).
atexit.register(_native.shutdown)
SendResponse = _native.SendResponse
_PYTHON_VERSION = "%d.%d.%d" % sys.version_info[:3]

Attributes = Mapping[str, Optional[str]]

#: The 16 locale tags the endpoint accepts, exactly as spelled on the wire.
Locale: TypeAlias = Literal[
    "en", "es", "pt-br", "fr", "it", "de-DE", "zh-Hans", "ca-ES",
    "ja", "ru", "nl", "pl", "tr", "fa", "vi", "cs",
]  # fmt: skip


def normalize_phone_number(text: str, default_region: str = "US") -> str:
    """Turn what people type (``(202) 555-0162``, ``+44 20 7946 0958``) into E.164, or raise
    ``ValidationError``."""
    return _native.normalize_phone_number(text, default_region)


class Sms:
    """SMS one-time passcodes: ``client.otps.sms``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def send(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = None,
        attributes: Optional[Union[Attributes, Any]] = None,
        locale: Optional[Union[Locale, str]] = None,
        user_id: Optional[str] = None,
        session_token: Optional[str] = None,
        session_jwt: Optional[str] = None,
    ) -> SendResponse:
        """Send a passcode and wait for the outcome (the GIL is released meanwhile)."""
        return self._native.send(
            phone_number, expiration_minutes, attributes, locale, user_id, session_token, session_jwt
        )

    async def send_async(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = None,
        attributes: Optional[Union[Attributes, Any]] = None,
        locale: Optional[Union[Locale, str]] = None,
        user_id: Optional[str] = None,
        session_token: Optional[str] = None,
        session_jwt: Optional[str] = None,
    ) -> SendResponse:
        """Send a passcode without blocking the running asyncio loop; cancellable."""
        return await self._native.send_async(
            phone_number, expiration_minutes, attributes, locale, user_id, session_token, session_jwt
        )


class Otps:
    """The OTP products: ``client.otps``."""

    __slots__ = ("sms",)

    def __init__(self, native: _native.NativeClient) -> None:
        self.sms = Sms(native)


def _native_client(
    project_id: Optional[str],
    secret: Optional[str],
    from_env: bool,
    environment: Optional[str],
    base_url: Optional[str],
    custom_base_url: Optional[str],
    timeout: Optional[float],
    connect_timeout: Optional[float],
    max_retries: Optional[int],
    retry_rate_limited: Optional[bool],
    allowed_country_codes: Optional[Sequence[str]],
    user_agent_suffix: Optional[str],
    ca_file: Optional[Union[str, "os.PathLike[str]"]],
) -> _native.NativeClient:
    """The one place that maps the Python options onto the native constructor's positions."""
    return _native.NativeClient(
        project_id,
        secret,
        environment,
        base_url if base_url is not None else custom_base_url,
        timeout,
        connect_timeout,
        max_retries,
        retry_rate_limited,
        allowed_country_codes,
        user_agent_suffix,
        ca_file,
        _PYTHON_VERSION,
        from_env,
    )


class Client:
    """A Stytch SMS OTP client, safe to share across threads and asyncio tasks.

    Keyword names follow the official ``stytch`` package, so ``from stytch import Client``
    becomes ``from sms_otp import Client``. Durations are seconds (floats).

    Unset options take the core's defaults: timeout=10.0 (seconds per attempt, from sending
    to a fully read response), connect_timeout=3.0 (TCP + TLS), max_retries=2 (at most 10;
    only failures that provably never reached the server), retry_rate_limited=False.
    """

    __slots__ = ("otps", "_native")

    def __init__(
        self,
        project_id: str,
        secret: str,
        environment: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        custom_base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_rate_limited: Optional[bool] = None,
        allowed_country_codes: Optional[Sequence[str]] = None,
        user_agent_suffix: Optional[str] = None,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
        suppress_warnings: bool = False,
    ) -> None:
        # `suppress_warnings` is accepted for compatibility with the official client; this
        # library emits no warnings.
        del suppress_warnings
        self._native = _native_client(
            project_id,
            secret,
            False,
            environment,
            base_url,
            custom_base_url,
            timeout,
            connect_timeout,
            max_retries,
            retry_rate_limited,
            allowed_country_codes,
            user_agent_suffix,
            ca_file,
        )
        self.otps = Otps(self._native)

    @classmethod
    def from_env(
        cls,
        *,
        environment: Optional[str] = None,
        base_url: Optional[str] = None,
        custom_base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_rate_limited: Optional[bool] = None,
        allowed_country_codes: Optional[Sequence[str]] = None,
        user_agent_suffix: Optional[str] = None,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> "Client":
        """A client from ``STYTCH_PROJECT_ID``, ``STYTCH_SECRET`` and optional
        ``STYTCH_BASE_URL`` (an explicit ``base_url`` wins); other options as keywords."""
        client = cls.__new__(cls)
        client._native = _native_client(
            None,
            None,
            True,
            environment,
            base_url,
            custom_base_url,
            timeout,
            connect_timeout,
            max_retries,
            retry_rate_limited,
            allowed_country_codes,
            user_agent_suffix,
            ca_file,
        )
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


__all__ = [
    "Client",
    "Locale",
    "Otps",
    "Sms",
    "SendResponse",
    "normalize_phone_number",
    "SmsOtpError",
    "ValidationError",
    "ConfigurationError",
    "NetworkError",
    "RequestTimeoutError",
    "ApiError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "InvalidCodeError",
    "UnexpectedResponseError",
]

# Fill the native module's process-wide caches now, while importing (see _native._warm_up):
# filled by a first send instead, a fork taken meanwhile could leave a child waiting forever.
_native._warm_up()
