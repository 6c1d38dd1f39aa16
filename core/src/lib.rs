//! # sms-otp
//!
//! Send a one-time passcode by SMS through Stytch's `POST /v1/otps/sms/send`, safely:
//! every argument is validated before any request, each attempt has working connect and
//! response timeouts, only failures that provably never reached the server are retried (a
//! second send would text the user twice and invalidate the first code), and every failure
//! is one typed [`Error`] with a stable [`Error::code`].

mod error;
mod locale;
mod phone;
mod request;
pub mod validate;

pub use error::{Error, ErrorKind, TimeoutPhase};
pub use locale::Locale;
pub use phone::{
    calling_code, is_assigned_calling_code, normalize_phone_number, validate_phone_number,
    SANDBOX_PHONE_NUMBER,
};
pub use request::{Attributes, SendRequest, SendResponse};
