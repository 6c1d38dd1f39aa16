//! The rest of an SMS login: the request and response types of
//! `POST /v1/otps/sms/login_or_create` and `POST /v1/otps/authenticate`, with the API's exact
//! wire names (docs/login.md). Unset request fields are left out of the JSON body; responses
//! keep the whole body in `raw`, and a missing optional object is `None`, never a failure.
//!
//! The passcode, session tokens and session JWTs are secrets: `Debug` never shows them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg(any(feature = "host", test))]
use crate::response::Unreadable;
use crate::{Attributes, Locale};

/// Arguments of `client.otps.sms.login_or_create`: sends a code, creating the user first
/// when no user has the number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoginOrCreateRequest {
    /// E.164 number (`+12025550162`); see [`crate::normalize_phone_number`].
    pub phone_number: String,
    /// Minutes the code stays valid, 1..=10 (the service defaults to 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_minutes: Option<i32>,
    /// Fraud-detection signals about the end user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    /// A user created by this call starts `pending` until a code is authenticated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_user_as_pending: Option<bool>,
    /// Language of the SMS text (the service defaults to English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
}

/// A code sent by `login_or_create`.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginOrCreateResponse {
    /// Log this: Stytch support asks for it.
    pub request_id: String,
    /// The user the phone number belongs to (new when `user_created`).
    pub user_id: String,
    /// Pass as `method_id` to `client.otps.authenticate`.
    pub phone_id: String,
    /// Whether this call created the user.
    pub user_created: bool,
    /// HTTP status the service reported (200).
    pub status_code: u16,
    /// The whole response body, unknown fields included.
    pub raw: Map<String, Value>,
}

/// Arguments of `client.otps.authenticate`: checks a code against a method (`phone_id`).
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct AuthenticateRequest {
    /// The `phone_id` a send or `login_or_create` returned.
    pub method_id: String,
    /// The six-digit passcode the user typed. A secret: never logged.
    pub code: String,
    /// Fraud-detection signals about the end user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    /// Require the attributes to match those of the send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<AuthenticateOptions>,
    /// Extend this session instead of starting one. A secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// Extend this session (JWT form) instead of starting one. A secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_jwt: Option<String>,
    /// Start (or extend) a session for this long, 5..=527040 minutes; absent: no session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<i32>,
    /// Claims added to the session JWT: a JSON object of at most 4 KB, no reserved claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_custom_claims: Option<Map<String, Value>>,
    /// Device fingerprinting id, passed through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telemetry_id: Option<String>,
}

impl fmt::Debug for AuthenticateRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("AuthenticateRequest")
            .field("method_id", &self.method_id)
            .field("code", &"[redacted]")
            .field("attributes", &self.attributes)
            .field("options", &self.options)
            .field("session_token", &redacted(&self.session_token))
            .field("session_jwt", &redacted(&self.session_jwt))
            .field("session_duration_minutes", &self.session_duration_minutes)
            .field("session_custom_claims", &self.session_custom_claims)
            .field("telemetry_id", &self.telemetry_id)
            .finish()
    }
}

/// Checks `authenticate` makes against the send's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthenticateOptions {
    /// Refuse the code unless the IP address matches the send's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_match_required: Option<bool>,
    /// Refuse the code unless the user agent matches the send's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent_match_required: Option<bool>,
}

/// A code accepted by `authenticate`.
#[derive(Clone, PartialEq, Deserialize)]
pub struct AuthenticateResponse {
    /// Log this: Stytch support asks for it.
    pub request_id: String,
    /// The user who logged in.
    pub user_id: String,
    /// The method (`phone_id`) the code was checked against.
    pub method_id: String,
    /// The session's token; empty when no session was started or extended. A secret.
    #[serde(default)]
    pub session_token: String,
    /// The session's JWT; empty when no session was started or extended. A secret.
    #[serde(default)]
    pub session_jwt: String,
    /// The user, as it is after this login (phone verified, no longer pending).
    pub user: User,
    /// Whether the service revoked the user's other sessions.
    #[serde(default)]
    pub reset_sessions: bool,
    /// The session, when one was started or extended.
    #[serde(default)]
    pub session: Option<Session>,
    /// Device information, when the service sent any.
    #[serde(default)]
    pub user_device: Option<Value>,
    /// HTTP status the service reported (200).
    pub status_code: u16,
    /// The whole response body, unknown fields included.
    #[serde(skip)]
    pub raw: Map<String, Value>,
}

impl fmt::Debug for AuthenticateResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticateResponse")
            .field("request_id", &self.request_id)
            .field("user_id", &self.user_id)
            .field("method_id", &self.method_id)
            .field("session_token", &"[redacted]")
            .field("session_jwt", &"[redacted]")
            .field("user", &self.user)
            .field("reset_sessions", &self.reset_sessions)
            .field("session", &self.session)
            .field("status_code", &self.status_code)
            .finish_non_exhaustive()
    }
}

/// A Stytch user, the fields an SMS login reads; everything else stays in the response's
/// `raw`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    /// `user-test-…` / `user-live-…`.
    pub user_id: String,
    /// `active`, or `pending` until a first login.
    pub status: String,
    /// The user's phone numbers.
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumber>,
    /// When the user was created (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
}

/// One phone number of a user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PhoneNumber {
    /// The method id to authenticate codes against.
    pub phone_id: String,
    /// E.164.
    pub phone_number: String,
    /// Whether a code sent to it was authenticated.
    #[serde(default)]
    pub verified: bool,
}

/// A session started or extended by `authenticate`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    /// `session-test-…` / `session-live-…`.
    pub session_id: String,
    /// The session's user.
    pub user_id: String,
    /// When the session started (RFC 3339).
    pub started_at: String,
    /// When the session was last used (RFC 3339).
    pub last_accessed_at: String,
    /// When the session ends unless extended (RFC 3339).
    pub expires_at: String,
    /// How the user proved who they are, most recent first.
    #[serde(default)]
    pub authentication_factors: Vec<AuthenticationFactor>,
    /// The claims the session's JWTs carry beyond Stytch's own.
    #[serde(default)]
    pub custom_claims: Option<Map<String, Value>>,
    /// The IP address and user agent the session started with.
    #[serde(default)]
    pub attributes: Option<Value>,
    /// The session's roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// One factor of a session (`type` is `"otp"`, `delivery_method` `"sms"` here).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuthenticationFactor {
    /// `otp` for a passcode.
    #[serde(rename = "type")]
    pub factor_type: String,
    /// `sms` for a passcode sent by SMS.
    pub delivery_method: String,
    /// When the factor was last used (RFC 3339).
    #[serde(default)]
    pub last_authenticated_at: Option<String>,
    /// The phone the code went to.
    #[serde(default)]
    pub phone_number_factor: Option<PhoneNumberFactor>,
}

/// The phone of an SMS factor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PhoneNumberFactor {
    /// The phone's method id.
    pub phone_id: String,
    /// E.164.
    pub phone_number: String,
}

impl LoginOrCreateResponse {
    /// Reads the documented fields out of a JSON object; the error names the first field
    /// that is missing or of the wrong type.
    pub fn from_json(raw: Map<String, Value>) -> Result<Self, String> {
        let text = |name: &str| {
            raw.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("field {name} is missing or not a string"))
        };
        let user_created = raw
            .get("user_created")
            .and_then(Value::as_bool)
            .ok_or_else(|| "field user_created is missing or not a boolean".to_owned())?;
        Ok(LoginOrCreateResponse {
            request_id: text("request_id")?,
            user_id: text("user_id")?,
            phone_id: text("phone_id")?,
            user_created,
            status_code: status_code(&raw)?,
            raw,
        })
    }
}

impl AuthenticateResponse {
    /// Reads the documented fields out of a JSON object; the error names the field that is
    /// missing or of the wrong type, never its value (the body holds session secrets).
    pub fn from_json(raw: Map<String, Value>) -> Result<Self, String> {
        let value = Value::Object(raw);
        // The path of a bad field is tracked only once one is known to be there: tracking it
        // on every answer cost a tenth of an authenticate call's instructions (`bench/instructions`).
        let plain = AuthenticateResponse::deserialize(&value);
        let mut response = plain
            .or_else(|_| serde_path_to_error::deserialize(&value))
            .map_err(field_problem)?;
        let Value::Object(raw) = value else {
            unreachable!("built from an object above")
        };
        response.raw = raw;
        Ok(response)
    }

    /// Checks the documented fields of a body, read straight from its text: what the
    /// bindings need, who take the text itself (a JSON map of the body first would be
    /// built only to be dropped).
    #[cfg(any(feature = "host", test))]
    pub(crate) fn check(body: &str) -> Result<(), Unreadable> {
        if !crate::response::opens_an_object(body.as_bytes()) {
            return Err(Unreadable::NotAnObject);
        }
        // Checked by its shape, which keeps nothing; the typed response names a bad field.
        match serde_json::from_str::<crate::authenticate_shape::Shape>(body) {
            Ok(_) => Ok(()),
            Err(e) if e.is_data() => {
                let mut reader = serde_json::Deserializer::from_str(body);
                let tracked =
                    serde_path_to_error::deserialize::<_, AuthenticateResponse>(&mut reader);
                Err(Unreadable::Lacks(tracked.err().map_or_else(
                    || "a documented field has the wrong type".to_owned(),
                    field_problem,
                )))
            }
            Err(_) => Err(Unreadable::NotAnObject),
        }
    }
}

/// Names the field of a failed typed read, never its value.
fn field_problem(e: serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let inner = e.into_inner().to_string();
    // Read from text, serde_json appends where: " at line 1 column 3".
    let inner = inner.split(" at line ").next().unwrap_or_default();
    match inner.strip_prefix("missing field ") {
        Some(field) if path == "." => format!("field {} is missing", field.trim_matches('`')),
        Some(field) => format!("field {path}.{} is missing", field.trim_matches('`')),
        None => format!("field {path} has the wrong type"),
    }
}

fn status_code(raw: &Map<String, Value>) -> Result<u16, String> {
    raw.get("status_code")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| "field status_code is missing or not an integer".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn requests_leave_unset_fields_out() {
        let login = LoginOrCreateRequest {
            phone_number: "+12025550162".into(),
            create_user_as_pending: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&login).ok(),
            Some(json!({"phone_number": "+12025550162", "create_user_as_pending": true}))
        );
        let auth = AuthenticateRequest {
            method_id: "phone-number-test-1".into(),
            code: "123456".into(),
            session_duration_minutes: Some(60),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&auth).ok(),
            Some(
                json!({"method_id": "phone-number-test-1", "code": "123456", "session_duration_minutes": 60})
            )
        );
    }

    #[test]
    fn debug_never_shows_the_code_or_session_secrets() {
        let auth = AuthenticateRequest {
            method_id: "phone-number-test-1".into(),
            code: "918273".into(),
            session_token: Some("tok-SECRET".into()),
            session_jwt: None,
            ..Default::default()
        };
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("918273") && !shown.contains("tok-SECRET"),
            "{shown}"
        );
        let resp = AuthenticateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "method_id": "m", "status_code": 200,
            "session_token": "tok-SECRET", "session_jwt": "jwt-SECRET",
            "user": {"user_id": "u", "status": "active"},
        })))
        .expect("parses");
        let shown = format!("{resp:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    #[test]
    fn responses_keep_unknown_fields_and_allow_missing_optional_objects() {
        let resp = AuthenticateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "method_id": "m", "status_code": 200,
            "session_token": "", "session_jwt": "", "session": null, "new_field": [1],
            "user": {"user_id": "u", "status": "pending", "phone_numbers": [
                {"phone_id": "p", "phone_number": "+12025550162", "verified": true}]},
        })))
        .expect("parses");
        assert!(resp.session.is_none());
        assert_eq!(resp.raw.get("new_field"), Some(&json!([1])));
        assert!(resp.user.phone_numbers[0].verified);
        let login = LoginOrCreateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "phone_id": "p", "user_created": true,
            "status_code": 200, "extra": 1})))
        .expect("parses");
        assert!(login.user_created);
        assert_eq!(login.raw.get("extra"), Some(&json!(1)));
    }

    #[test]
    fn a_missing_field_is_named_and_no_value_is_echoed() {
        let err = LoginOrCreateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "phone_id": "p", "status_code": 200})))
        .expect_err("user_created is missing");
        assert!(err.contains("user_created"), "{err}");
        let err = AuthenticateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "method_id": "m", "status_code": 200,
            "session_token": 42, "user": {"user_id": "u", "status": "active"}})))
        .expect_err("wrong type");
        assert!(!err.contains("42"), "{err}");
        assert!(err.contains("session_token has the wrong type"), "{err}");
        let err = AuthenticateResponse::from_json(object(json!({
            "request_id": "r", "user_id": "u", "method_id": "m", "status_code": 200})))
        .expect_err("user is missing");
        assert!(err.contains("user"), "{err}");
    }

    /// The bindings' check reads the text itself: it accepts what `from_json` accepts and
    /// names the same fields, without positions or values.
    #[test]
    fn the_check_of_a_body_text_agrees_with_from_json() {
        let lacks = |body: Value| match AuthenticateResponse::check(&body.to_string()) {
            Err(Unreadable::Lacks(reason)) => {
                let from_json = AuthenticateResponse::from_json(object(body));
                assert_eq!(from_json.err().as_deref(), Some(reason.as_str()));
                reason
            }
            other => panic!("{other:?}"),
        };
        let good = json!({"request_id": "r", "user_id": "u", "method_id": "m", "status_code": 200,
            "session_token": "tok-SECRET", "user": {"user_id": "u", "status": "active",
            "phone_numbers": [{"phone_id": "p", "phone_number": "+1", "verified": true}]}});
        assert!(AuthenticateResponse::check(&format!(" \n{good}\n")).is_ok());
        let mut wrong = good.clone();
        wrong["user"]["phone_numbers"][0]["verified"] = json!("tok-SECRET");
        assert_eq!(
            lacks(wrong),
            "field user.phone_numbers[0].verified has the wrong type"
        );
        let mut missing = good.clone();
        missing["user"]
            .as_object_mut()
            .map(|user| user.remove("status"));
        assert_eq!(lacks(missing), "field user.status is missing");
        let mut missing = good.clone();
        missing.as_object_mut().map(|body| body.remove("user"));
        assert_eq!(lacks(missing), "field user is missing");
        for not_an_object in [
            format!("[{good}]"),
            format!("{good} trailing"),
            "\"text\"".to_owned(),
            String::new(),
            "{\"request_id\": ".to_owned(),
        ] {
            assert!(
                matches!(
                    AuthenticateResponse::check(&not_an_object),
                    Err(Unreadable::NotAnObject)
                ),
                "{not_an_object}"
            );
        }
    }
}
