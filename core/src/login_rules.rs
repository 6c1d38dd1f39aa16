//! Client-side validation of `login_or_create` and `authenticate` (docs/login.md), applied
//! before any request. Messages name the field and never repeat a secret value (the code,
//! session tokens and JWTs).

use serde_json::{Map, Value};

use crate::phone::validate_phone_number;
use crate::validate::{
    validate_expiration_minutes, validate_ip_address, validate_non_empty,
    validate_session_arguments, validate_user_agent,
};
use crate::{Attributes, AuthenticateRequest, Environment, Error, LoginOrCreateRequest};

/// Inclusive bounds of `session_duration_minutes` (five minutes to a year).
pub const SESSION_DURATION_MINUTES: std::ops::RangeInclusive<i64> = 5..=527_040;
/// Largest `session_custom_claims`, serialised as JSON, in bytes.
pub const MAX_CUSTOM_CLAIMS_BYTES: usize = 4096;
/// Claims the service sets itself; custom claims may not use them.
pub const RESERVED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
/// Prefix of the service's own claim names.
pub const RESERVED_CLAIM_PREFIX: &str = "https://stytch.com/";

/// Checks every field of a `login_or_create` request.
pub fn validate_login_or_create(
    request: &LoginOrCreateRequest,
    allowed_country_codes: Option<&[String]>,
) -> Result<(), Error> {
    let calling_code = validate_phone_number(&request.phone_number)?;
    if let Some(allowed) = allowed_country_codes {
        crate::validate::check_allowed_country(calling_code, allowed)?;
    }
    if let Some(minutes) = request.expiration_minutes {
        validate_expiration_minutes(i64::from(minutes))?;
    }
    validate_attributes(request.attributes.as_ref())
}

/// Checks every field of an `authenticate` request for a client of `environment`.
pub fn validate_authenticate(
    request: &AuthenticateRequest,
    environment: Environment,
) -> Result<(), Error> {
    validate_method_id(&request.method_id, environment)?;
    validate_code(&request.code)?;
    validate_attributes(request.attributes.as_ref())?;
    for (field, value) in [
        ("session_token", &request.session_token),
        ("session_jwt", &request.session_jwt),
        ("telemetry_id", &request.telemetry_id),
    ] {
        if let Some(value) = value {
            validate_non_empty(field, value)?;
        }
    }
    validate_session_arguments(
        request.session_token.is_some(),
        request.session_jwt.is_some(),
    )?;
    if let Some(minutes) = request.session_duration_minutes {
        validate_session_duration_minutes(i64::from(minutes))?;
    }
    if let Some(claims) = &request.session_custom_claims {
        validate_custom_claims(claims)?;
    }
    Ok(())
}

/// The passcode: exactly six ASCII digits.
pub fn validate_code(code: &str) -> Result<(), Error> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::validation(
            "code",
            "must be exactly 6 digits (0-9), as the SMS shows it",
        ))
    }
}

/// `method_id`: the `phone_id` a send returned, `phone-number-<environment>-<uuid>`.
pub fn validate_method_id(method_id: &str, environment: Environment) -> Result<(), Error> {
    let prefix = format!("phone-number-{}-", environment.as_str());
    let well_formed = method_id
        .strip_prefix(&prefix)
        .is_some_and(is_canonical_uuid);
    if well_formed {
        return Ok(());
    }
    let other = match environment {
        Environment::Test => Environment::Live,
        Environment::Live => Environment::Test,
    };
    let hint = if method_id.starts_with(&format!("phone-number-{}-", other.as_str())) {
        format!(
            "; it belongs to the {} environment, this client is {}",
            other.as_str(),
            environment.as_str()
        )
    } else {
        String::new()
    };
    Err(Error::validation(
        "method_id",
        format!("must be the phone_id a send returned ({prefix}<uuid>){hint}"),
    ))
}

/// `session_duration_minutes`: from 5 minutes to 527,040 (a year).
pub fn validate_session_duration_minutes(minutes: i64) -> Result<(), Error> {
    if SESSION_DURATION_MINUTES.contains(&minutes) {
        Ok(())
    } else {
        Err(Error::validation(
            "session_duration_minutes",
            "must be an integer from 5 to 527040 (a year)",
        ))
    }
}

/// `session_custom_claims`: at most 4 KB of JSON, none of the service's own claim names.
pub fn validate_custom_claims(claims: &Map<String, Value>) -> Result<(), Error> {
    for key in claims.keys() {
        if RESERVED_CLAIMS.contains(&key.as_str()) || key.starts_with(RESERVED_CLAIM_PREFIX) {
            return Err(Error::validation(
                "session_custom_claims",
                format!("must not set the reserved claim {key:?} (the service sets it)"),
            ));
        }
    }
    let size = serde_json::to_vec(claims).map_or(usize::MAX, |bytes| bytes.len());
    if size > MAX_CUSTOM_CLAIMS_BYTES {
        return Err(Error::validation(
            "session_custom_claims",
            format!("must be at most {MAX_CUSTOM_CLAIMS_BYTES} bytes as JSON, it has {size}"),
        ));
    }
    Ok(())
}

fn validate_attributes(attributes: Option<&Attributes>) -> Result<(), Error> {
    if let Some(attributes) = attributes {
        if let Some(ip) = &attributes.ip_address {
            validate_ip_address(ip)?;
        }
        if let Some(agent) = &attributes.user_agent {
            validate_user_agent(agent)?;
        }
    }
    Ok(())
}

/// A lowercase canonical UUID: 8-4-4-4-12 hex digits.
fn is_canonical_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
            group.len() == len
                && group
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const METHOD: &str = "phone-number-test-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f";

    fn ok() -> AuthenticateRequest {
        AuthenticateRequest {
            method_id: METHOD.into(),
            code: "123456".into(),
            ..Default::default()
        }
    }

    fn field(request: &AuthenticateRequest) -> String {
        let err = validate_authenticate(request, Environment::Test).expect_err("should fail");
        assert_eq!(err.code(), "validation_error");
        assert!(!err.maybe_delivered());
        assert!(!err.to_string().contains("654321"), "{err}");
        err.field().unwrap_or_default().to_owned()
    }

    #[test]
    fn a_full_valid_request_passes() {
        let mut r = ok();
        r.session_duration_minutes = Some(60);
        r.session_token = Some("tok".into());
        r.session_custom_claims = json!({"plan": "pro"}).as_object().cloned();
        assert!(validate_authenticate(&r, Environment::Test).is_ok());
    }

    #[test]
    fn every_rule_names_its_field_without_echoing_the_code() {
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "１２３４５６",
            " 12345",
            "654321 ",
        ] {
            let mut r = ok();
            r.code = bad.into();
            assert_eq!(field(&r), "code", "{bad:?}");
        }
        for bad in [
            "",
            "phone-number-test-",
            "phone-number-live-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f",
            "phone-number-test-2F1B7A53-6C1E-4F7E-9A55-0E7B3C1D2E4F",
            "user-test-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f",
            "phone-number-test-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4",
        ] {
            let mut r = ok();
            r.method_id = bad.into();
            assert_eq!(field(&r), "method_id", "{bad:?}");
        }
        for bad in [0, 4, 527_041, -5] {
            let mut r = ok();
            r.session_duration_minutes = Some(bad);
            assert_eq!(field(&r), "session_duration_minutes");
        }
        let mut r = ok();
        r.session_token = Some("t".into());
        r.session_jwt = Some("j".into());
        assert_eq!(field(&r), "session_jwt");
        for claims in [
            json!({"sub": "x"}),
            json!({"https://stytch.com/session": {}}),
            json!({"big": "x".repeat(4100)}),
        ] {
            let mut r = ok();
            r.session_custom_claims = claims.as_object().cloned();
            assert_eq!(field(&r), "session_custom_claims");
        }
        let mut r = ok();
        r.telemetry_id = Some(" ".into());
        assert_eq!(field(&r), "telemetry_id");
    }

    #[test]
    fn a_live_method_id_for_a_test_client_says_so() {
        let err = validate_method_id(
            "phone-number-live-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f",
            Environment::Test,
        )
        .expect_err("wrong environment");
        assert!(err.to_string().contains("live environment"), "{err}");
        assert!(validate_method_id(
            "phone-number-live-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f",
            Environment::Live
        )
        .is_ok());
    }

    #[test]
    fn login_or_create_checks_the_send_rules() {
        let mut r = LoginOrCreateRequest {
            phone_number: "+12025550162".into(),
            ..Default::default()
        };
        assert!(validate_login_or_create(&r, None).is_ok());
        let allowed = ["44".to_owned()];
        let err = validate_login_or_create(&r, Some(&allowed)).expect_err("not allowed");
        assert_eq!(err.field(), Some("phone_number"));
        r.expiration_minutes = Some(11);
        let err = validate_login_or_create(&r, None).expect_err("too long");
        assert_eq!(err.field(), Some("expiration_minutes"));
    }
}
