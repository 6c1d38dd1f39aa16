"""Typed surface of sms_otp. At runtime every argument goes to the Rust core whole, which
checks and reads it; these declarations are the keyword names and types (test_drift.py keeps
the names equal to the core's field tables)."""

import os
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, TypedDict, Union

from typing_extensions import TypeAlias

from sms_otp._errors import (
    ApiError as ApiError,
    BadRequestError as BadRequestError,
    ConfigurationError as ConfigurationError,
    ForbiddenError as ForbiddenError,
    NetworkError as NetworkError,
    NotFoundError as NotFoundError,
    RateLimitedError as RateLimitedError,
    RequestTimeoutError as RequestTimeoutError,
    ServerError as ServerError,
    InvalidCodeError as InvalidCodeError,
    SmsOtpError as SmsOtpError,
    UnauthorizedError as UnauthorizedError,
    UnexpectedResponseError as UnexpectedResponseError,
    ValidationError as ValidationError,
)
from sms_otp._native import SendResponse as SendResponse
from sms_otp._responses import (
    AuthenticateResponse as AuthenticateResponse,
    AuthenticationFactor as AuthenticationFactor,
    LoginOrCreateResponse as LoginOrCreateResponse,
    PhoneNumber as PhoneNumber,
    PhoneNumberFactor as PhoneNumberFactor,
    Response as Response,
    Session as Session,
    User as User,
)

__version__: str

#: The 16 locale tags the endpoint accepts, exactly as spelled on the wire.
Locale: TypeAlias = Literal[
    "en", "es", "pt-br", "fr", "it", "de-DE", "zh-Hans", "ca-ES",
    "ja", "ru", "nl", "pl", "tr", "fa", "vi", "cs",
]  # fmt: skip

class Attributes(TypedDict, total=False):
    """Fraud-detection signals (or pass an object with these attributes, such as the
    official SDK's model)."""

    ip_address: Optional[str]
    user_agent: Optional[str]

class AuthenticateOptions(TypedDict, total=False):
    """Checks ``authenticate`` makes against the send's attributes."""

    ip_match_required: Optional[bool]
    user_agent_match_required: Optional[bool]

def normalize_phone_number(text: str, default_region: Optional[str] = ...) -> str:
    """Turn what people type (``(202) 555-0162``, ``+44 20 7946 0958``) into E.164, or raise
    ``ValidationError``; ``default_region`` (for numbers without ``+``) defaults to ``US``."""

class Sms:
    """SMS one-time passcodes: ``client.otps.sms``."""

    def __init__(self, native: Any) -> None: ...
    def send(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = ...,
        attributes: Optional[Union[Attributes, Any]] = ...,
        locale: Optional[Union[Locale, str]] = ...,
        user_id: Optional[str] = ...,
        session_token: Optional[str] = ...,
        session_jwt: Optional[str] = ...,
    ) -> SendResponse:
        """Send a passcode and wait for the outcome (the GIL is released meanwhile)."""
    async def send_async(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = ...,
        attributes: Optional[Union[Attributes, Any]] = ...,
        locale: Optional[Union[Locale, str]] = ...,
        user_id: Optional[str] = ...,
        session_token: Optional[str] = ...,
        session_jwt: Optional[str] = ...,
    ) -> SendResponse:
        """Send a passcode without blocking the running asyncio loop; cancellable."""
    def login_or_create(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = ...,
        attributes: Optional[Union[Attributes, Any]] = ...,
        create_user_as_pending: Optional[bool] = ...,
        locale: Optional[Union[Locale, str]] = ...,
    ) -> LoginOrCreateResponse:
        """Send a passcode, creating the user first when no user has the number."""
    async def login_or_create_async(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = ...,
        attributes: Optional[Union[Attributes, Any]] = ...,
        create_user_as_pending: Optional[bool] = ...,
        locale: Optional[Union[Locale, str]] = ...,
    ) -> LoginOrCreateResponse:
        """``login_or_create`` without blocking the running asyncio loop; cancellable."""

class Otps:
    """The OTP products: ``client.otps``."""

    sms: Sms
    def __init__(self, native: Any) -> None: ...
    def authenticate(
        self,
        method_id: str,
        code: str,
        attributes: Optional[Union[Attributes, Any]] = ...,
        options: Optional[Union[AuthenticateOptions, Any]] = ...,
        session_token: Optional[str] = ...,
        session_jwt: Optional[str] = ...,
        session_duration_minutes: Optional[int] = ...,
        session_custom_claims: Optional[Mapping[str, Any]] = ...,
        telemetry_id: Optional[str] = ...,
    ) -> AuthenticateResponse:
        """Check a passcode (a refused one raises ``InvalidCodeError``)."""
    async def authenticate_async(
        self,
        method_id: str,
        code: str,
        attributes: Optional[Union[Attributes, Any]] = ...,
        options: Optional[Union[AuthenticateOptions, Any]] = ...,
        session_token: Optional[str] = ...,
        session_jwt: Optional[str] = ...,
        session_duration_minutes: Optional[int] = ...,
        session_custom_claims: Optional[Mapping[str, Any]] = ...,
        telemetry_id: Optional[str] = ...,
    ) -> AuthenticateResponse:
        """``authenticate`` without blocking the running asyncio loop; cancellable."""

class Client:
    """A Stytch SMS OTP client, safe to share across threads and asyncio tasks. Unset
    options take the core's defaults (docs/client.md)."""

    otps: Otps
    def __init__(
        self,
        project_id: str,
        secret: str,
        environment: Optional[str] = ...,
        *,
        base_url: Optional[str] = ...,
        custom_base_url: Optional[str] = ...,
        timeout: Optional[float] = ...,
        connect_timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        retry_rate_limited: Optional[bool] = ...,
        allowed_country_codes: Optional[Sequence[str]] = ...,
        user_agent_suffix: Optional[str] = ...,
        ca_file: Optional[Union[str, os.PathLike[str]]] = ...,
        suppress_warnings: bool = ...,
    ) -> None: ...
    @classmethod
    def from_env(
        cls,
        *,
        environment: Optional[str] = ...,
        base_url: Optional[str] = ...,
        custom_base_url: Optional[str] = ...,
        timeout: Optional[float] = ...,
        connect_timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        retry_rate_limited: Optional[bool] = ...,
        allowed_country_codes: Optional[Sequence[str]] = ...,
        user_agent_suffix: Optional[str] = ...,
        ca_file: Optional[Union[str, os.PathLike[str]]] = ...,
        suppress_warnings: bool = ...,
    ) -> Client:
        """A client from ``STYTCH_PROJECT_ID``, ``STYTCH_SECRET`` and optional
        ``STYTCH_BASE_URL`` (an explicit ``base_url`` wins); other options as keywords."""
    @property
    def project_id(self) -> str: ...
    @property
    def environment(self) -> str: ...
    @property
    def endpoint(self) -> str: ...

__all__ = [
    "Client",
    "Locale",
    "Otps",
    "Sms",
    "SendResponse",
    "normalize_phone_number",
    "Response",
    "LoginOrCreateResponse",
    "AuthenticateResponse",
    "User",
    "PhoneNumber",
    "Session",
    "AuthenticationFactor",
    "PhoneNumberFactor",
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
