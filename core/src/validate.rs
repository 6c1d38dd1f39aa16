//! Client-side validation: every rule of docs/client.md, applied before any request is made. The
//! emulator calls the same functions, so client and emulator can never disagree.

use std::net::IpAddr;

use crate::phone::validate_phone_number;
use crate::{Error, SendRequest};

/// Longest accepted `attributes.user_agent`, in characters.
pub const MAX_USER_AGENT_CHARS: usize = 1024;

/// Inclusive bounds of `expiration_minutes`.
pub const EXPIRATION_MINUTES: std::ops::RangeInclusive<i64> = 1..=10;

/// Checks every field of `request`. `allowed_country_codes`, when given, limits the calling
/// codes a send may go to (the client's toll-fraud guard).
pub fn validate_request(
    request: &SendRequest,
    allowed_country_codes: Option<&[String]>,
) -> Result<(), Error> {
    let calling_code = validate_phone_number(&request.phone_number)?;
    if let Some(allowed) = allowed_country_codes {
        check_allowed_country(calling_code, allowed)?;
    }
    if let Some(minutes) = request.expiration_minutes {
        validate_expiration_minutes(i64::from(minutes))?;
    }
    if let Some(attributes) = &request.attributes {
        if let Some(ip) = &attributes.ip_address {
            validate_ip_address(ip)?;
        }
        if let Some(agent) = &attributes.user_agent {
            validate_user_agent(agent)?;
        }
    }
    for (field, value) in [
        ("user_id", &request.user_id),
        ("session_token", &request.session_token),
        ("session_jwt", &request.session_jwt),
    ] {
        if let Some(value) = value {
            validate_non_empty(field, value)?;
        }
    }
    validate_session_arguments(
        request.session_token.is_some(),
        request.session_jwt.is_some(),
    )
}

pub(crate) fn check_allowed_country(calling_code: &str, allowed: &[String]) -> Result<(), Error> {
    if allowed.iter().any(|code| code == calling_code) {
        return Ok(());
    }
    Err(Error::validation(
        "phone_number",
        format!(
            "calling code +{calling_code} is not in the client's allowed_country_codes ({}); \
             add \"{calling_code}\" there to send to this country",
            allowed.join(", ")
        ),
    ))
}

/// `expiration_minutes` must be an integer from 1 to 10.
pub fn validate_expiration_minutes(minutes: i64) -> Result<(), Error> {
    if EXPIRATION_MINUTES.contains(&minutes) {
        Ok(())
    } else {
        Err(Error::validation(
            "expiration_minutes",
            "must be an integer from 1 to 10",
        ))
    }
}

/// `attributes.ip_address` must be a valid IPv4 or IPv6 address.
pub fn validate_ip_address(ip: &str) -> Result<(), Error> {
    ip.parse::<IpAddr>().map(|_| ()).map_err(|_| {
        Error::validation(
            "attributes.ip_address",
            "must be a valid IPv4 or IPv6 address, such as 203.0.113.7 or 2001:db8::1",
        )
    })
}

/// `attributes.user_agent` must be at most 1024 characters.
pub fn validate_user_agent(agent: &str) -> Result<(), Error> {
    let chars = agent.chars().count();
    if chars <= MAX_USER_AGENT_CHARS {
        Ok(())
    } else {
        Err(Error::validation(
            "attributes.user_agent",
            format!("must be at most {MAX_USER_AGENT_CHARS} characters, it has {chars}"),
        ))
    }
}

/// `user_id`, `session_token` and `session_jwt` must not be empty or blank when given.
pub fn validate_non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::validation(
            field,
            "must not be empty when given; leave it out instead",
        ))
    } else {
        Ok(())
    }
}

/// `session_token` and `session_jwt` identify the same thing: give one or neither.
pub fn validate_session_arguments(has_token: bool, has_jwt: bool) -> Result<(), Error> {
    if has_token && has_jwt {
        Err(Error::validation(
            "session_jwt",
            "cannot be given together with session_token; pass only one of them",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Attributes, Locale};

    fn ok_request() -> SendRequest {
        SendRequest {
            phone_number: "+12025550162".into(),
            ..Default::default()
        }
    }

    fn field_of(request: &SendRequest, allowed: Option<&[String]>) -> String {
        let err = validate_request(request, allowed).expect_err("should fail");
        assert_eq!(err.code(), "validation_error");
        assert!(!err.maybe_delivered());
        err.field().unwrap_or_default().to_owned()
    }

    #[test]
    fn a_full_valid_request_passes() {
        let request = SendRequest {
            phone_number: "+12025550162".into(),
            expiration_minutes: Some(10),
            attributes: Some(Attributes {
                ip_address: Some("2001:db8::1".into()),
                user_agent: Some("é".repeat(1024)),
            }),
            locale: Some(Locale::PtBr),
            user_id: Some("user-test-1".into()),
            session_token: Some("tok".into()),
            session_jwt: None,
        };
        assert!(validate_request(&request, Some(&["1".to_owned()])).is_ok());
    }

    #[test]
    fn every_rule_names_its_field() {
        let mut r = ok_request();
        r.phone_number = "202".into();
        assert_eq!(field_of(&r, None), "phone_number");

        for bad in [0, 11, -1, i32::MAX, i32::MIN] {
            let mut r = ok_request();
            r.expiration_minutes = Some(bad);
            assert_eq!(field_of(&r, None), "expiration_minutes");
        }
        for good in 1..=10 {
            let mut r = ok_request();
            r.expiration_minutes = Some(good);
            assert!(validate_request(&r, None).is_ok());
        }

        for bad in ["", "256.1.1.1", "1.2.3", "localhost", " 1.2.3.4", "::g"] {
            let mut r = ok_request();
            r.attributes = Some(Attributes {
                ip_address: Some(bad.into()),
                user_agent: None,
            });
            assert_eq!(field_of(&r, None), "attributes.ip_address", "{bad:?}");
        }

        let mut r = ok_request();
        r.attributes = Some(Attributes {
            ip_address: None,
            user_agent: Some("a".repeat(1025)),
        });
        assert_eq!(field_of(&r, None), "attributes.user_agent");

        for field in ["user_id", "session_token", "session_jwt"] {
            for blank in ["", "  "] {
                let mut r = ok_request();
                let slot = match field {
                    "user_id" => &mut r.user_id,
                    "session_token" => &mut r.session_token,
                    _ => &mut r.session_jwt,
                };
                *slot = Some(blank.into());
                assert_eq!(field_of(&r, None), field);
            }
        }

        let mut r = ok_request();
        r.session_token = Some("a".into());
        r.session_jwt = Some("b".into());
        assert_eq!(field_of(&r, None), "session_jwt");
    }

    #[test]
    fn allowed_country_codes_guard_toll_fraud() {
        let allowed = vec!["1".to_owned(), "44".to_owned()];
        let mut r = ok_request();
        assert!(validate_request(&r, Some(&allowed)).is_ok());
        r.phone_number = "+442079460958".into();
        assert!(validate_request(&r, Some(&allowed)).is_ok());
        r.phone_number = "+33142685300".into();
        let err = validate_request(&r, Some(&allowed)).expect_err("+33 not allowed");
        assert_eq!(err.field(), Some("phone_number"));
        assert!(err.to_string().contains("+33"), "{err}");
        // The sandbox number is +1, so it follows the allowlist like any US number.
        r.phone_number = crate::SANDBOX_PHONE_NUMBER.into();
        assert!(validate_request(&r, Some(&["44".to_owned()])).is_err());
    }

    #[test]
    fn serialised_request_leaves_out_unset_fields() {
        let json = serde_json::to_string(&ok_request()).expect("serialises");
        assert_eq!(json, r#"{"phone_number":"+12025550162"}"#);
        let full = SendRequest {
            phone_number: "+12025550162".into(),
            expiration_minutes: Some(5),
            attributes: Some(Attributes {
                ip_address: Some("203.0.113.7".into()),
                user_agent: None,
            }),
            locale: Some(Locale::ZhHans),
            user_id: None,
            session_token: None,
            session_jwt: Some("jwt".into()),
        };
        let json = serde_json::to_string(&full).expect("serialises");
        assert_eq!(
            json,
            r#"{"phone_number":"+12025550162","expiration_minutes":5,"attributes":{"ip_address":"203.0.113.7"},"locale":"zh-Hans","session_jwt":"jwt"}"#
        );
    }
}
