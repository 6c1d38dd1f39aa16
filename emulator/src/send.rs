//! The stateless half of `POST /v1/otps/sms/send`: JSON shape, then the field rules, reusing
//! the core crate's validation so client and emulator never disagree.

use serde::Serialize;
use serde_json::{Map, Value};
use sms_otp::validate::{
    validate_expiration_minutes, validate_ip_address, validate_non_empty,
    validate_session_arguments, validate_user_agent,
};
use sms_otp::{validate_phone_number, Locale};

use crate::api_errors::ApiError;
use crate::ids::is_uuid;
use crate::state::SendParams;

/// Default `expiration_minutes`.
pub const DEFAULT_EXPIRATION_MINUTES: i64 = 2;

/// The `phone_number` of a body, when it is a JSON object with a string there (used to match
/// faults before the body is validated).
pub(crate) fn phone_hint(body: &Result<Value, serde_json::Error>) -> Option<&str> {
    body.as_ref().ok()?.get("phone_number")?.as_str()
}

fn bad_request() -> ApiError {
    ApiError::of("bad_request")
}

/// An optional string field: absent or `null` is `None`, a string is `Some`, anything else
/// is a bad request.
fn opt_str<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_request()),
    }
}

/// Checks a send body, in the order of docs/emulator.md's table: JSON shape and types first
/// (`bad_request`), then phone number, country allowlist, expiration, locale, attributes,
/// user_id and session arguments.
pub(crate) fn parse_send(
    body: Result<Value, serde_json::Error>,
    allowed_country_codes: &[String],
) -> Result<SendParams, ApiError> {
    let Ok(Value::Object(obj)) = body else {
        return Err(bad_request());
    };

    // Shapes and types.
    let Some(Value::String(phone_number)) = obj.get("phone_number") else {
        return Err(bad_request());
    };
    let expiration = match obj.get("expiration_minutes") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.as_i64()),
        Some(_) => return Err(bad_request()),
    };
    let locale = opt_str(&obj, "locale")?;
    let (ip_address, user_agent) = match obj.get("attributes") {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(attributes)) => (
            opt_str(attributes, "ip_address")?,
            opt_str(attributes, "user_agent")?,
        ),
        Some(_) => return Err(bad_request()),
    };
    let user_id = opt_str(&obj, "user_id")?;
    let session_token = opt_str(&obj, "session_token")?;
    let session_jwt = opt_str(&obj, "session_jwt")?;

    // Field rules.
    let calling_code =
        validate_phone_number(phone_number).map_err(|_| ApiError::of("invalid_phone_number"))?;
    if !allowed_country_codes.iter().any(|c| c == calling_code) {
        return Err(ApiError::of("invalid_phone_number_country_code"));
    }
    let expiration_minutes = match expiration {
        None => DEFAULT_EXPIRATION_MINUTES,
        // A u64 beyond i64 is out of range too.
        Some(minutes) => {
            let minutes = minutes.ok_or_else(|| ApiError::of("invalid_expiration_otp"))?;
            validate_expiration_minutes(minutes)
                .map_err(|_| ApiError::of("invalid_expiration_otp"))?;
            minutes
        }
    };
    let locale = match locale {
        None => Locale::En,
        Some(tag) => tag
            .parse::<Locale>()
            .map_err(|_| ApiError::of("invalid_locale"))?,
    };
    if let Some(ip) = ip_address {
        validate_ip_address(ip).map_err(|_| bad_request())?;
    }
    if let Some(agent) = user_agent {
        validate_user_agent(agent).map_err(|_| bad_request())?;
    }
    if let Some(user_id) = user_id {
        validate_non_empty("user_id", user_id).map_err(|_| ApiError::of("invalid_user_id"))?;
        let well_formed = user_id.strip_prefix("user-test-").is_some_and(is_uuid);
        if !well_formed {
            return Err(ApiError::of("invalid_user_id"));
        }
    }
    validate_session_arguments(session_token.is_some(), session_jwt.is_some())
        .map_err(|_| ApiError::of("too_many_session_arguments"))?;
    for (field, value) in [
        ("session_token", session_token),
        ("session_jwt", session_jwt),
    ] {
        if let Some(value) = value {
            validate_non_empty(field, value).map_err(|_| bad_request())?;
        }
    }
    Ok(SendParams {
        phone_number: phone_number.clone(),
        expiration_minutes,
        locale,
        user_id: user_id.map(str::to_owned),
        session_token: session_token.map(str::to_owned),
        session_jwt: session_jwt.map(str::to_owned),
    })
}

/// Not part of the API: the send handler's body decoding over raw bytes (JSON, the phone
/// number faults match on, then every shape and field rule), for the fuzz target in
/// `emulator/fuzz`. `Ok` gives the accepted phone number and expiration; `Err` the status and
/// `error_type` the emulator would answer.
#[doc(hidden)]
pub fn __parse_send_for_fuzzing(
    body: &[u8],
    allowed_country_codes: &[String],
) -> Result<(String, i64), (u16, String)> {
    let body = serde_json::from_slice(body);
    let _ = phone_hint(&body);
    parse_send(body, allowed_country_codes)
        .map(|p| (p.phone_number, p.expiration_minutes))
        .map_err(|e| (e.status, e.error_type))
}

/// `{request_id, user_id, phone_id, status_code: 200}`.
#[derive(Debug, Serialize)]
pub(crate) struct SendBody<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) phone_id: &'a str,
    pub(crate) status_code: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_type(body: Value) -> String {
        parse_send(Ok(body), &["1".to_owned()])
            .expect_err("should fail")
            .error_type
    }

    #[test]
    fn types_are_checked_before_rules() {
        assert_eq!(error_type(json!([])), "bad_request");
        assert_eq!(error_type(json!({})), "bad_request");
        assert_eq!(error_type(json!({"phone_number": 1})), "bad_request");
        assert_eq!(error_type(json!({"phone_number": null})), "bad_request");
        assert_eq!(
            error_type(json!({"phone_number": "bad", "expiration_minutes": "2"})),
            "bad_request"
        );
        assert_eq!(
            error_type(json!({"phone_number": "bad", "expiration_minutes": 2.5})),
            "bad_request"
        );
        assert_eq!(
            error_type(json!({"phone_number": "+12025550162", "attributes": []})),
            "bad_request"
        );
        assert_eq!(
            error_type(json!({"phone_number": "+12025550162", "attributes": {"ip_address": 1}})),
            "bad_request"
        );
        assert!(parse_send(
            Err(serde_json::from_str::<Value>("{").expect_err("bad")),
            &[]
        )
        .is_err());
    }

    #[test]
    fn rules_map_to_error_types() {
        let p = "+12025550162";
        assert_eq!(
            error_type(json!({"phone_number": "202"})),
            "invalid_phone_number"
        );
        assert_eq!(
            error_type(json!({"phone_number": "+442079460958"})),
            "invalid_phone_number_country_code"
        );
        for bad in [json!(0), json!(11), json!(-5), json!(u64::MAX)] {
            assert_eq!(
                error_type(json!({"phone_number": p, "expiration_minutes": bad})),
                "invalid_expiration_otp"
            );
        }
        assert_eq!(
            error_type(json!({"phone_number": p, "locale": "pt-BR"})),
            "invalid_locale"
        );
        assert_eq!(
            error_type(json!({"phone_number": p, "user_id": "u1"})),
            "invalid_user_id"
        );
        assert_eq!(
            error_type(json!({"phone_number": p, "user_id": " "})),
            "invalid_user_id"
        );
        assert_eq!(
            error_type(json!({"phone_number": p, "session_token": "a", "session_jwt": "b"})),
            "too_many_session_arguments"
        );
        assert_eq!(
            error_type(json!({"phone_number": p, "attributes": {"user_agent": "a".repeat(1025)}})),
            "bad_request"
        );
        let ok = parse_send(
            Ok(
                json!({"phone_number": p, "expiration_minutes": null, "locale": "fr",
                "user_id": "user-test-00000000-0000-4000-8000-000000000000",
                "attributes": {"ip_address": "::1", "extra": true}, "unknown": 1}),
            ),
            &["1".to_owned()],
        )
        .expect("valid");
        assert_eq!(ok.expiration_minutes, 2);
        assert_eq!(ok.locale, Locale::Fr);
    }
}
