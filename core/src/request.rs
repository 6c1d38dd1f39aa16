//! The request and response of `POST /v1/otps/sms/send`, with the API's exact wire names.

use serde::{Deserialize, Serialize};

use crate::Locale;

/// Arguments of a send. Unset fields are left out of the JSON body (never `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendRequest {
    /// E.164 number (`+12025550162`); see [`crate::normalize_phone_number`].
    pub phone_number: String,
    /// Minutes the code stays valid, 1..=10 (the service defaults to 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_minutes: Option<i32>,
    /// Fraud-detection signals about the end user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    /// Language of the SMS text (the service defaults to English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Attach the number to this existing user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Attach the number to the user of this session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// Attach the number to the user of this session (JWT form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_jwt: Option<String>,
}

/// Fraud-detection signals passed through to Stytch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    /// The end user's IP address (IPv4 or IPv6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The end user's browser user agent, at most 1024 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// A successful send: the documented fields plus the whole JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct SendResponse {
    /// Log this: Stytch support asks for it.
    pub request_id: String,
    /// The user the phone number belongs to.
    pub user_id: String,
    /// Pass as `method_id` to the authenticate call.
    pub phone_id: String,
    /// HTTP status the service reported (200).
    pub status_code: u16,
    /// The whole response body, unknown fields included, for forward compatibility.
    pub raw: serde_json::Map<String, serde_json::Value>,
}

impl SendResponse {
    /// Reads the documented fields out of a JSON object; `None` names the first field that is
    /// missing or of the wrong type.
    pub fn from_json(raw: serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        let text = |name: &str| {
            raw.get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| format!("field {name} is missing or not a string"))
        };
        let status_code = raw
            .get("status_code")
            .and_then(|v| v.as_u64())
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| "field status_code is missing or not an integer".to_owned())?;
        Ok(SendResponse {
            request_id: text("request_id")?,
            user_id: text("user_id")?,
            phone_id: text("phone_id")?,
            status_code,
            raw,
        })
    }
}
