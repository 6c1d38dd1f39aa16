//! `POST /v1/otps/sms/send`: the stateless half (JSON shape, then the field rules, in the
//! order of docs/emulator.md's table) and the answer.

use serde_json::Value;
use sms_otp::validate::validate_non_empty;

use crate::api_errors::ApiError;
use crate::ids::is_uuid;
use crate::parse::{check_session_arguments, code_fields, code_rules, object, opt_str};
use crate::server::{error, error_with_id, json, Resp, Shared};
use crate::state::SendParams;

/// The `phone_number` of a body, when it is a JSON object with a string there (used to match
/// faults before the body is validated).
pub(crate) fn phone_hint(body: &Result<Value, serde_json::Error>) -> Option<&str> {
    body.as_ref().ok()?.get("phone_number")?.as_str()
}

/// Checks a send body: JSON shape and types first (`bad_request`), then phone number,
/// country allowlist, expiration, locale, attributes, user_id and session arguments.
pub(crate) fn parse_send(
    body: Result<Value, serde_json::Error>,
    allowed_country_codes: &[String],
) -> Result<SendParams, ApiError> {
    let obj = object(body)?;

    // Shapes and types.
    let fields = code_fields(&obj)?;
    let user_id = opt_str(&obj, "user_id")?;
    let session_token = opt_str(&obj, "session_token")?;
    let session_jwt = opt_str(&obj, "session_jwt")?;

    // Field rules.
    let code = code_rules(fields, allowed_country_codes)?;
    if let Some(user_id) = user_id {
        validate_non_empty("user_id", user_id).map_err(|_| ApiError::of("invalid_user_id"))?;
        let well_formed = user_id.strip_prefix("user-test-").is_some_and(is_uuid);
        if !well_formed {
            return Err(ApiError::of("invalid_user_id"));
        }
    }
    check_session_arguments(session_token, session_jwt)?;
    Ok(SendParams {
        code,
        user_id: user_id.map(str::to_owned),
        session_token: session_token.map(str::to_owned),
        session_jwt: session_jwt.map(str::to_owned),
    })
}

/// Validates and records a send; answers 200 or the matching Stytch error.
pub(crate) fn process(shared: &Shared, body: Result<Value, serde_json::Error>) -> Resp {
    let params = match parse_send(body, &shared.allowed_country_codes) {
        Ok(params) => params,
        Err(err) => return error(shared, &err),
    };
    let (request_id, outcome) = {
        let mut state = shared.state();
        let request_id = state.request_id();
        let outcome = state.send(params, &request_id);
        (request_id, outcome)
    };
    match outcome {
        Ok(sent) => {
            shared.notify_new_message();
            json(
                200,
                &SendBody {
                    request_id: &request_id,
                    user_id: &sent.user_id,
                    phone_id: &sent.phone_id,
                    status_code: 200,
                },
            )
        }
        Err(err) => error_with_id(request_id, &err),
    }
}

/// Not part of the API: the send handler's body decoding over raw bytes (JSON, the phone
/// number faults match on, then every shape and field rule), for the fuzz targets in
/// `core/fuzz`. `Ok` gives the accepted phone number and expiration; `Err` the status and
/// `error_type` the emulator would answer.
#[doc(hidden)]
pub fn __parse_send_for_fuzzing(
    body: &[u8],
    allowed_country_codes: &[String],
) -> Result<(String, i64), (u16, String)> {
    let body = serde_json::from_slice(body);
    let _ = phone_hint(&body);
    parse_send(body, allowed_country_codes)
        .map(|p| (p.code.phone_number, p.code.expiration_minutes))
        .map_err(|e| (e.status, e.error_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sms_otp::Locale;

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
        assert_eq!(ok.code.expiration_minutes, 2);
        assert_eq!(ok.code.locale, Locale::Fr);
    }
}

/// `{request_id, user_id, phone_id, status_code: 200}`.
#[derive(Debug, serde::Serialize)]
pub(crate) struct SendBody<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) phone_id: &'a str,
    pub(crate) status_code: u16,
}
