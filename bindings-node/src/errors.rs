//! Core errors as plain data. The native functions never throw or reject for a library
//! error: they hand back an [`ErrorPayload`], and the JS layer (`lib/errors.js`) turns it
//! into the class its details name (made from the core's error table).

use napi_derive::napi;
use sms_otp::host::{error_details, Language};

/// A core error: its details (`sms_otp::host::error_details`) as JSON text, one string across
/// N-API however many fields an error has.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct ErrorPayload {
    pub details: String,
}

impl From<sms_otp::Error> for ErrorPayload {
    fn from(e: sms_otp::Error) -> ErrorPayload {
        ErrorPayload::from(&e)
    }
}

impl From<&sms_otp::Error> for ErrorPayload {
    fn from(e: &sms_otp::Error) -> ErrorPayload {
        let details = serde_json::Value::Object(error_details(e, Language::Node));
        ErrorPayload {
            details: details.to_string(),
        }
    }
}
