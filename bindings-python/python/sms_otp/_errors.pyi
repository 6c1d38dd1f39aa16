"""Static declarations, for type checkers, of the classes `_errors.py` makes at import from
the Rust core's error table. tests/test_drift.py keeps them equal to the table (names,
parents, codes) and prints the declarations to write when they differ."""

from typing import Any, Literal, Optional, Tuple

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
    "InvalidCodeError",
    "UnexpectedResponseError",
]

class SmsOtpError(Exception):
    code: str
    message: str
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
        maybe_delivered: Optional[bool] = None,
        attempts: int = 0,
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
    ) -> None: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...

class ValidationError(SmsOtpError, ValueError):
    code: Literal["validation_error"]

class ConfigurationError(SmsOtpError, ValueError):
    code: Literal["configuration_error"]

class NetworkError(SmsOtpError):
    code: Literal["network_error"]

class RequestTimeoutError(SmsOtpError, TimeoutError):
    code: Literal["timeout"]

class ApiError(SmsOtpError):
    code: Literal["api_error", "bad_request", "unauthorized", "forbidden", "not_found", "rate_limited", "server_error", "invalid_code"]

class BadRequestError(ApiError):
    code: Literal["bad_request"]

class UnauthorizedError(ApiError):
    code: Literal["unauthorized"]

class ForbiddenError(ApiError):
    code: Literal["forbidden"]

class NotFoundError(ApiError):
    code: Literal["not_found"]

class RateLimitedError(ApiError):
    code: Literal["rate_limited"]

class ServerError(ApiError):
    code: Literal["server_error"]

class InvalidCodeError(ApiError):
    code: Literal["invalid_code"]

class UnexpectedResponseError(SmsOtpError):
    code: Literal["unexpected_response"]
