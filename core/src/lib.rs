//! # sms-otp
//!
//! Send a one-time passcode by SMS through Stytch's `POST /v1/otps/sms/send`, safely:
//! every argument is validated before any request, each attempt has working connect and
//! response timeouts, only failures that provably never reached the server are retried (a
//! second send would text the user twice and invalidate the first code), and every failure
//! is one typed [`Error`] with a stable [`Error::code`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), sms_otp::Error> {
//! use sms_otp::{Client, Locale, SendRequest};
//! let client = Client::new("project-test-…", "secret-test-…")?;
//! let resp = client.otps.sms.send(SendRequest {
//!     phone_number: "+12025550162".into(),
//!     expiration_minutes: Some(5),
//!     locale: Some(Locale::PtBr),
//!     ..Default::default()
//! }).await?;
//! println!("{} {}", resp.request_id, resp.phone_id);
//! # Ok(()) }
//! ```

#[cfg(any(feature = "host", test))]
mod authenticate_shape;
pub mod blocking;
mod client;
mod config;
mod connector;
mod error;
mod error_table;
#[cfg(feature = "host")]
pub mod host;
mod locale;
mod login;
mod login_rules;
mod phone;
mod phone_metadata;
#[cfg(test)]
mod phone_metadata_entries;
#[cfg(test)]
mod properties;
mod redact;
mod request;
mod response;
mod response_timeout;
mod retry;
mod timer_floor;
mod transport;
pub mod validate;

pub use client::{Client, Otps, Sms};
pub use config::{
    ClientBuilder, Environment, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    MAX_MAX_RETRIES,
};
pub use error::{Error, TimeoutPhase};
pub use error_table::{
    ErrorClass, ErrorKind, ERROR_ATTRIBUTES, ERROR_TABLE, INVALID_CODE_ERROR_TYPES,
};
pub use locale::Locale;
pub use login::{
    AuthenticateOptions, AuthenticateRequest, AuthenticateResponse, AuthenticationFactor,
    LoginOrCreateRequest, LoginOrCreateResponse, PhoneNumber, PhoneNumberFactor, Session, User,
};
pub use login_rules::{
    validate_authenticate, validate_code, validate_custom_claims, validate_login_or_create,
    validate_method_id, validate_session_duration_minutes, MAX_CUSTOM_CLAIMS_BYTES,
    RESERVED_CLAIMS, RESERVED_CLAIM_PREFIX, SESSION_DURATION_MINUTES,
};
pub use phone::{
    calling_code, is_assigned_calling_code, normalize_phone_number, validate_phone_number,
    DEFAULT_REGION, SANDBOX_PHONE_NUMBER,
};
pub use request::{Attributes, SendRequest, SendResponse};
#[cfg(feature = "fuzzing")]
pub use response::fuzzing;
pub use response::MAX_BODY_BYTES;
pub use retry::MAX_RATE_LIMIT_WAIT;
