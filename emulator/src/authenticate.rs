//! `POST /v1/otps/authenticate`: the stateless half (JSON types, then the field rules) and
//! the answer. The code itself is checked by `State::authenticate`.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api_errors::ApiError;
use crate::ids::is_uuid;
use crate::parse::{attributes, check_attributes, check_session_arguments, object, opt_bool};
use crate::parse::{opt_int, opt_object, opt_str, req_str};
use crate::server::{error, error_with_id, json, Resp, Shared};
use crate::state::AuthenticateParams;

/// `session_duration_minutes` bounds: 5 minutes to 366 days.
pub const SESSION_DURATION_MINUTES: std::ops::RangeInclusive<i64> = 5..=527_040;
/// Largest `session_custom_claims`, serialised as JSON: 4 KB.
pub const MAX_CUSTOM_CLAIMS_BYTES: usize = 4096;
/// Claims a custom claim may not set.
const RESERVED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

fn check_custom_claims(claims: &Map<String, Value>) -> Result<(), ApiError> {
    if claims.keys().any(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
        return Err(ApiError::of("reserved_claims_in_custom_claims"));
    }
    if claims.keys().any(|k| k.starts_with("https://stytch.com/")) {
        return Err(ApiError::of("stytch_claims_in_custom_claims"));
    }
    let size = serde_json::to_vec(claims).map_or(usize::MAX, |bytes| bytes.len());
    if size > MAX_CUSTOM_CLAIMS_BYTES {
        return Err(ApiError::of("custom_claims_too_large"));
    }
    Ok(())
}

/// Checks a body: the JSON types of every documented field first (`bad_request`; `method_id`
/// and `code` required), then `method_id` (`invalid_method_id`), `code` (`invalid_code`),
/// `attributes` (`bad_request`), the session arguments (`too_many_session_arguments`, blank
/// ones `bad_request`), `session_duration_minutes` (`invalid_session_duration_minutes`) and
/// `session_custom_claims` (`reserved_claims_in_custom_claims`,
/// `stytch_claims_in_custom_claims`, `custom_claims_too_large`).
pub(crate) fn parse_authenticate(
    body: Result<Value, serde_json::Error>,
) -> Result<AuthenticateParams, ApiError> {
    let obj = object(body)?;

    // Shapes and types.
    let method_id = req_str(&obj, "method_id")?;
    let code = req_str(&obj, "code")?;
    let (ip_address, user_agent) = attributes(&obj)?;
    let (ip_match_required, user_agent_match_required) = match opt_object(&obj, "options")? {
        None => (None, None),
        Some(options) => (
            opt_bool(options, "ip_match_required")?,
            opt_bool(options, "user_agent_match_required")?,
        ),
    };
    let session_token = opt_str(&obj, "session_token")?;
    let session_jwt = opt_str(&obj, "session_jwt")?;
    let duration = opt_int(&obj, "session_duration_minutes")?;
    let custom_claims = opt_object(&obj, "session_custom_claims")?;
    let _telemetry_id = opt_str(&obj, "telemetry_id")?;

    // Field rules.
    if !method_id
        .strip_prefix("phone-number-test-")
        .is_some_and(is_uuid)
    {
        return Err(ApiError::of("invalid_method_id"));
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::of("invalid_code"));
    }
    check_attributes(ip_address, user_agent)?;
    check_session_arguments(session_token, session_jwt)?;
    let session_duration_minutes = match duration {
        None => None,
        Some(minutes) => Some(
            minutes
                .filter(|m| SESSION_DURATION_MINUTES.contains(m))
                .ok_or_else(|| ApiError::of("invalid_session_duration_minutes"))?,
        ),
    };
    if let Some(claims) = custom_claims {
        check_custom_claims(claims)?;
    }
    Ok(AuthenticateParams {
        method_id: method_id.to_owned(),
        code: code.to_owned(),
        ip_address: ip_address.map(str::to_owned),
        user_agent: user_agent.map(str::to_owned),
        ip_match_required: ip_match_required.unwrap_or(false),
        user_agent_match_required: user_agent_match_required.unwrap_or(false),
        session_token: session_token.map(str::to_owned),
        session_jwt: session_jwt.map(str::to_owned),
        session_duration_minutes,
        session_custom_claims: custom_claims.cloned(),
    })
}

/// The 200 answer, fields in the service's order.
#[derive(Debug, Serialize)]
struct AuthenticateBody<'a> {
    request_id: &'a str,
    user_id: &'a str,
    method_id: &'a str,
    session_token: &'a str,
    session_jwt: &'a str,
    session: Option<&'a Value>,
    user: &'a Value,
    reset_sessions: bool,
    status_code: u16,
}

/// Validates and checks a code; answers 200 or the matching Stytch error. The signing key is
/// made ready (outside the state's lock) only when the answer carries a session.
pub(crate) async fn process(shared: &Arc<Shared>, body: Result<Value, serde_json::Error>) -> Resp {
    let params = match parse_authenticate(body) {
        Ok(params) => params,
        Err(err) => return error(shared, &err),
    };
    let keys = if params.wants_session() {
        match shared.keys.get().await {
            Ok(keys) => Some(keys),
            Err(err) => return error(shared, &err),
        }
    } else {
        None
    };
    let (request_id, outcome) = {
        let mut state = shared.state();
        let request_id = state.request_id();
        let outcome = state.authenticate(params, keys.as_deref());
        (request_id, outcome)
    };
    match outcome {
        Ok(done) => json(
            200,
            &AuthenticateBody {
                request_id: &request_id,
                user_id: &done.user_id,
                method_id: &done.method_id,
                session_token: &done.session_token,
                session_jwt: &done.session_jwt,
                session: done.session.as_ref(),
                user: &done.user,
                reset_sessions: false,
                status_code: 200,
            },
        ),
        Err(err) => error_with_id(request_id, &err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const METHOD: &str = "phone-number-test-00000000-0000-4000-8000-000000000000";

    fn error_type(body: Value) -> String {
        parse_authenticate(Ok(body))
            .expect_err("should fail")
            .error_type
    }

    #[test]
    fn types_come_before_rules() {
        assert_eq!(error_type(json!("x")), "bad_request");
        assert_eq!(error_type(json!({"code": "123456"})), "bad_request");
        assert_eq!(error_type(json!({"method_id": METHOD})), "bad_request");
        assert_eq!(
            error_type(json!({"method_id": "x", "code": 123456})),
            "bad_request"
        );
        for (field, value) in [
            ("attributes", json!([])),
            ("options", json!({"ip_match_required": "yes"})),
            ("session_token", json!(1)),
            ("session_duration_minutes", json!(60.5)),
            ("session_custom_claims", json!([1])),
            ("telemetry_id", json!({})),
        ] {
            let mut body = json!({"method_id": "x", "code": "1"});
            body[field] = value;
            assert_eq!(error_type(body), "bad_request", "{field}");
        }
    }

    #[test]
    fn rules_map_to_error_types() {
        let ok = |extra: Value| {
            let mut body = json!({"method_id": METHOD, "code": "123456"});
            if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
                b.extend(e);
            }
            body
        };
        assert_eq!(
            error_type(
                json!({"method_id": "phone-number-live-00000000-0000-4000-8000-000000000000", "code": "123456"})
            ),
            "invalid_method_id"
        );
        for code in ["12345", "1234567", "12345a", "١٢٣٤٥٦", ""] {
            assert_eq!(
                error_type(json!({"method_id": METHOD, "code": code})),
                "invalid_code"
            );
        }
        assert_eq!(
            error_type(ok(json!({"session_token": "a", "session_jwt": "b"}))),
            "too_many_session_arguments"
        );
        assert_eq!(error_type(ok(json!({"session_token": " "}))), "bad_request");
        for minutes in [json!(4), json!(527_041), json!(u64::MAX), json!(-5)] {
            assert_eq!(
                error_type(ok(json!({"session_duration_minutes": minutes}))),
                "invalid_session_duration_minutes"
            );
        }
        assert_eq!(
            error_type(ok(json!({"session_custom_claims": {"sub": "x"}}))),
            "reserved_claims_in_custom_claims"
        );
        assert_eq!(
            error_type(ok(
                json!({"session_custom_claims": {"https://stytch.com/session": {}}})
            )),
            "stytch_claims_in_custom_claims"
        );
        assert_eq!(
            error_type(ok(
                json!({"session_custom_claims": {"k": "x".repeat(4096)}})
            )),
            "custom_claims_too_large"
        );
        let p = parse_authenticate(Ok(ok(json!({
            "session_duration_minutes": 5,
            "session_custom_claims": {"k": "x".repeat(4000)},
            "options": {"ip_match_required": true},
            "attributes": {"ip_address": "203.0.113.7"},
            "telemetry_id": "t",
            "unknown": 1
        }))))
        .expect("valid");
        assert_eq!(p.session_duration_minutes, Some(5));
        assert!(p.ip_match_required && !p.user_agent_match_required);
        assert!(p.wants_session());
    }
}
