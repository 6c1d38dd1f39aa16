"""The exception hierarchy of sms_otp. Instances are raised by the native core with every
attribute set; they pickle and unpickle with their attributes."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

_ATTRIBUTES: Tuple[str, ...] = (
    "code",
    "maybe_delivered",
    "field",
    "reason",
    "status_code",
    "request_id",
    "error_type",
    "error_message",
    "error_url",
    "retry_after",
    "body",
    "phase",
    "after_send",
    "attempts",
)


def _rebuild(cls: Type["SmsOtpError"], message: str, attributes: Dict[str, Any]) -> "SmsOtpError":
    return cls(message, **attributes)


class SmsOtpError(Exception):
    """Base of every error of sms_otp. `code` is stable across Rust, Python and Node;
    `maybe_delivered` is False when no SMS can have been triggered."""

    code: str = "sms_otp_error"
    maybe_delivered: bool
    field: Optional[str]
    reason: Optional[str]
    status_code: Optional[int]
    request_id: Optional[str]
    error_type: Optional[str]
    error_message: Optional[str]
    error_url: Optional[str]
    retry_after: Optional[float]
    body: Optional[str]
    phase: Optional[str]
    after_send: Optional[bool]
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        maybe_delivered: bool = True,
        field: Optional[str] = None,
        reason: Optional[str] = None,
        status_code: Optional[int] = None,
        request_id: Optional[str] = None,
        error_type: Optional[str] = None,
        error_message: Optional[str] = None,
        error_url: Optional[str] = None,
        retry_after: Optional[float] = None,
        body: Optional[str] = None,
        phase: Optional[str] = None,
        after_send: Optional[bool] = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.maybe_delivered = maybe_delivered
        self.field = field
        self.reason = reason
        self.status_code = status_code
        self.request_id = request_id
        self.error_type = error_type
        self.error_message = error_message
        self.error_url = error_url
        self.retry_after = retry_after
        self.body = body
        self.phase = phase
        self.after_send = after_send
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, maybe_delivered={self.maybe_delivered!r})"

    def __reduce__(self) -> Tuple[Any, ...]:
        attributes = {name: getattr(self, name) for name in _ATTRIBUTES}
        return (_rebuild, (type(self), self.message, attributes), self.__dict__)


class ValidationError(SmsOtpError, ValueError):
    """A bad argument, found before any request; `field` and `reason` say which and why."""

    code = "validation_error"


class ConfigurationError(SmsOtpError, ValueError):
    """A bad client option; `field` names it."""

    code = "configuration_error"


class NetworkError(SmsOtpError):
    """Could not connect, TLS failed, or the connection broke; `after_send` tells which."""

    code = "network_error"


class RequestTimeoutError(SmsOtpError, TimeoutError):
    """Connect or response timeout; `phase` is "connect" or "response"."""

    code = "timeout"


class ApiError(SmsOtpError):
    """A non-2xx JSON answer from Stytch."""

    code = "api_error"


class BadRequestError(ApiError):
    """HTTP 400."""

    code = "bad_request"


class UnauthorizedError(ApiError):
    """HTTP 401."""

    code = "unauthorized"


class ForbiddenError(ApiError):
    """HTTP 403."""

    code = "forbidden"


class NotFoundError(ApiError):
    """HTTP 404."""

    code = "not_found"


class RateLimitedError(ApiError):
    """HTTP 429; `retry_after` is the server's wait in seconds, if it gave one."""

    code = "rate_limited"


class ServerError(ApiError):
    """HTTP 5xx: the SMS may have been sent; never retried automatically."""

    code = "server_error"


class UnexpectedResponseError(SmsOtpError):
    """The body was not the JSON the API documents; `body` holds a short excerpt."""

    code = "unexpected_response"


__all__ = [
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
    "UnexpectedResponseError",
]
