//! `POST /v1/otps/sms/login_or_create`: a send that makes the user when no user has the
//! number (pending when asked). Same checks, order, rate limit and inbox as a send.

use serde::Serialize;
use serde_json::Value;

use crate::api_errors::ApiError;
use crate::parse::{code_fields, code_rules, object, opt_bool};
use crate::server::{error, error_with_id, json, Resp, Shared};
use crate::state::LoginParams;

/// Checks a body: types of `phone_number` (required), `expiration_minutes`, `locale`,
/// `attributes` and `create_user_as_pending` (`bad_request`), then the rules of a send.
pub(crate) fn parse_login_or_create(
    body: Result<Value, serde_json::Error>,
    allowed_country_codes: &[String],
) -> Result<LoginParams, ApiError> {
    let obj = object(body)?;
    let fields = code_fields(&obj)?;
    let create_user_as_pending = opt_bool(&obj, "create_user_as_pending")?.unwrap_or(false);
    Ok(LoginParams {
        code: code_rules(fields, allowed_country_codes)?,
        create_user_as_pending,
    })
}

/// `{request_id, user_id, phone_id, user_created, status_code: 200}`.
#[derive(Debug, Serialize)]
struct LoginOrCreateBody<'a> {
    request_id: &'a str,
    user_id: &'a str,
    phone_id: &'a str,
    user_created: bool,
    status_code: u16,
}

/// Validates and records a `login_or_create`; answers 200 or the matching Stytch error.
pub(crate) fn process(shared: &Shared, body: Result<Value, serde_json::Error>) -> Resp {
    let params = match parse_login_or_create(body, &shared.allowed_country_codes) {
        Ok(params) => params,
        Err(err) => return error(shared, &err),
    };
    let (request_id, outcome) = {
        let mut state = shared.state();
        let request_id = state.request_id();
        let outcome = state.login_or_create(params, &request_id);
        (request_id, outcome)
    };
    match outcome {
        Ok(sent) => {
            shared.notify_new_message();
            json(
                200,
                &LoginOrCreateBody {
                    request_id: &request_id,
                    user_id: &sent.user_id,
                    phone_id: &sent.phone_id,
                    user_created: sent.user_created,
                    status_code: 200,
                },
            )
        }
        Err(err) => error_with_id(request_id, &err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_type(body: Value) -> String {
        parse_login_or_create(Ok(body), &["1".to_owned()])
            .expect_err("should fail")
            .error_type
    }

    #[test]
    fn types_then_rules() {
        let p = "+12025550162";
        assert_eq!(error_type(json!([])), "bad_request");
        assert_eq!(error_type(json!({"phone_number": null})), "bad_request");
        assert_eq!(
            error_type(json!({"phone_number": "bad", "create_user_as_pending": "yes"})),
            "bad_request"
        );
        assert_eq!(
            error_type(json!({"phone_number": "bad"})),
            "invalid_phone_number"
        );
        assert_eq!(
            error_type(json!({"phone_number": p, "expiration_minutes": 11})),
            "invalid_expiration_otp"
        );
        let ok = parse_login_or_create(
            Ok(json!({"phone_number": p, "create_user_as_pending": true, "user_id": 5})),
            &["1".to_owned()],
        )
        .expect("valid: unknown fields are ignored");
        assert!(ok.create_user_as_pending);
    }
}
