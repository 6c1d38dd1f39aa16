"""Types of the login calls' responses (made at run time from the core's table; test_drift.py
keeps these fields equal to it)."""

from typing import Any, Dict, List, Optional

class Response:
    """One JSON object of a response, read by attribute; ``raw`` is the whole object
    (unknown fields included). A documented field missing from a body is ``None``."""

    raw: Dict[str, Any]
    def __init__(self, raw: Dict[str, Any]) -> None: ...

class LoginOrCreateResponse(Response):
    request_id: str
    user_id: str
    phone_id: str
    user_created: bool
    status_code: int

class AuthenticateResponse(Response):
    request_id: str
    user_id: str
    method_id: str
    session_token: str
    session_jwt: str
    user: User
    reset_sessions: bool
    session: Optional[Session]
    user_device: Optional[Dict[str, Any]]
    status_code: int

class User(Response):
    user_id: str
    status: str
    phone_numbers: List[PhoneNumber]
    emails: List[Dict[str, Any]]
    name: Optional[Dict[str, Any]]
    created_at: Optional[str]
    is_locked: bool
    roles: List[str]
    providers: List[Dict[str, Any]]
    webauthn_registrations: List[Dict[str, Any]]
    totps: List[Dict[str, Any]]
    crypto_wallets: List[Dict[str, Any]]
    biometric_registrations: List[Dict[str, Any]]
    trusted_metadata: Optional[Dict[str, Any]]
    untrusted_metadata: Optional[Dict[str, Any]]
    external_id: Optional[str]

class PhoneNumber(Response):
    phone_id: str
    phone_number: str
    verified: bool

class Session(Response):
    session_id: str
    user_id: str
    started_at: str
    last_accessed_at: str
    expires_at: str
    authentication_factors: List[AuthenticationFactor]
    attributes: Optional[Dict[str, Any]]
    custom_claims: Optional[Dict[str, Any]]
    roles: List[str]

class AuthenticationFactor(Response):
    type: str
    delivery_method: str
    last_authenticated_at: Optional[str]
    created_at: Optional[str]
    updated_at: Optional[str]
    phone_number_factor: Optional[PhoneNumberFactor]

class PhoneNumberFactor(Response):
    phone_id: str
    phone_number: str

__all__ = [
    "Response",
    "LoginOrCreateResponse",
    "AuthenticateResponse",
    "User",
    "PhoneNumber",
    "Session",
    "AuthenticationFactor",
    "PhoneNumberFactor",
]
