"""Type stubs of the native module (Rust, pyo3). Use the `sms_otp` package instead."""

import os
from typing import Any, Awaitable, Dict, List, Optional, Sequence, Tuple, Union, final


__all__ = [
    "NativeClient",
    "NativeEmulator",
    "SendResponse",
    "CancelOnDone",
    "Completions",
    "response_from_json",
    "resolve",
    "shutdown",
    "normalize_phone_number",
    "run_cli",
    "error_table",
    "error_attributes",
    "locales",
    "defaults",
    "_panicking_send_for_tests",
    "_warm_up",
    "VERSION",
]

VERSION: str

@final
class SendResponse:
    @property
    def request_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def phone_id(self) -> str: ...
    @property
    def status_code(self) -> int: ...
    @property
    def raw(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...

@final
class NativeClient:
    def __new__(
        cls,
        project_id: Optional[str],
        secret: Optional[str],
        environment: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_rate_limited: Optional[bool] = None,
        allowed_country_codes: Optional[Sequence[str]] = None,
        user_agent_suffix: Optional[str] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        python_version: Optional[str] = None,
        from_env: bool = False,
    ) -> NativeClient: ...
    @property
    def project_id(self) -> str: ...
    @property
    def environment(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    def send(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = None,
        attributes: Optional[Any] = None,
        locale: Optional[Any] = None,
        user_id: Optional[str] = None,
        session_token: Optional[str] = None,
        session_jwt: Optional[str] = None,
    ) -> SendResponse: ...
    def send_async(
        self,
        phone_number: str,
        expiration_minutes: Optional[int] = None,
        attributes: Optional[Any] = None,
        locale: Optional[Any] = None,
        user_id: Optional[str] = None,
        session_token: Optional[str] = None,
        session_jwt: Optional[str] = None,
    ) -> Awaitable[SendResponse]: ...

@final
class NativeEmulator:
    METHODS: List[str]
    def __new__(cls, options: Dict[str, Any]) -> NativeEmulator: ...
    @property
    def url(self) -> str: ...
    @property
    def project_id(self) -> str: ...
    @property
    def secret(self) -> str: ...
    def call(self, method: str, args: Dict[str, Any]) -> str: ...

@final
class Completions:
    def drain(self) -> None: ...

@final
class CancelOnDone:
    def __call__(self, future: Any) -> None: ...

def normalize_phone_number(text: str, default_region: Optional[str] = None) -> str: ...
def run_cli(argv: List[str]) -> int: ...
def error_table() -> List[Tuple[str, str, Optional[str], bool, List[str], str]]: ...
def error_attributes() -> List[str]: ...
def locales() -> List[str]: ...
def defaults() -> Tuple[float, float, int, int, bool]: ...
def _panicking_send_for_tests(asynchronous: bool) -> Any: ...
def _warm_up() -> None: ...
def response_from_json(text: str) -> SendResponse: ...
def resolve(future: Any, ok: bool, value: Any) -> None: ...
def shutdown() -> None: ...
