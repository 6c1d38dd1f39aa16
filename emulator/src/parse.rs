//! Field helpers shared by the request parsers: JSON types first (`bad_request`), then the
//! field rules of the code-sending endpoints, reusing the core crate's validation so client
//! and emulator never disagree.

use serde_json::{Map, Value};
use sms_otp::validate::{
    validate_expiration_minutes, validate_ip_address, validate_non_empty,
    validate_session_arguments, validate_user_agent,
};
use sms_otp::{validate_phone_number, Locale};

use crate::api_errors::ApiError;
use crate::state::CodeParams;

/// Default `expiration_minutes`.
pub const DEFAULT_EXPIRATION_MINUTES: i64 = 2;

pub(crate) fn bad_request() -> ApiError {
    ApiError::of("bad_request")
}

/// The body as a JSON object, or `bad_request`.
pub(crate) fn object(
    body: Result<Value, serde_json::Error>,
) -> Result<Map<String, Value>, ApiError> {
    match body {
        Ok(Value::Object(obj)) => Ok(obj),
        _ => Err(bad_request()),
    }
}

/// An optional string field: absent or `null` is `None`, a string is `Some`, anything else
/// is a bad request.
pub(crate) fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_request()),
    }
}

/// A required string field.
pub(crate) fn req_str<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    opt_str(obj, name)?.ok_or_else(bad_request)
}

/// An optional boolean field.
pub(crate) fn opt_bool(obj: &Map<String, Value>, name: &str) -> Result<Option<bool>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad_request()),
    }
}

/// An optional integer field: `Some(None)` for an integer beyond `i64` (out of any range).
pub(crate) fn opt_int(
    obj: &Map<String, Value>,
    name: &str,
) -> Result<Option<Option<i64>>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.as_i64())),
        Some(_) => Err(bad_request()),
    }
}

/// An optional object field.
pub(crate) fn opt_object<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => Ok(Some(inner)),
        Some(_) => Err(bad_request()),
    }
}

/// `attributes.ip_address` and `attributes.user_agent`, type-checked.
pub(crate) fn attributes(
    obj: &Map<String, Value>,
) -> Result<(Option<&str>, Option<&str>), ApiError> {
    match opt_object(obj, "attributes")? {
        None => Ok((None, None)),
        Some(attributes) => Ok((
            opt_str(attributes, "ip_address")?,
            opt_str(attributes, "user_agent")?,
        )),
    }
}

/// The rules of `attributes`: an IP address, a user agent of at most 1024 characters.
pub(crate) fn check_attributes(ip: Option<&str>, agent: Option<&str>) -> Result<(), ApiError> {
    if let Some(ip) = ip {
        validate_ip_address(ip).map_err(|_| bad_request())?;
    }
    if let Some(agent) = agent {
        validate_user_agent(agent).map_err(|_| bad_request())?;
    }
    Ok(())
}

/// The fields of a code-sending request, type-checked but not yet validated.
#[derive(Debug)]
pub(crate) struct CodeFields<'a> {
    phone_number: &'a str,
    expiration: Option<Option<i64>>,
    locale: Option<&'a str>,
    ip_address: Option<&'a str>,
    user_agent: Option<&'a str>,
}

/// Types of `phone_number` (required), `expiration_minutes`, `locale` and `attributes`.
pub(crate) fn code_fields(obj: &Map<String, Value>) -> Result<CodeFields<'_>, ApiError> {
    let phone_number = req_str(obj, "phone_number")?;
    let expiration = opt_int(obj, "expiration_minutes")?;
    let locale = opt_str(obj, "locale")?;
    let (ip_address, user_agent) = attributes(obj)?;
    Ok(CodeFields {
        phone_number,
        expiration,
        locale,
        ip_address,
        user_agent,
    })
}

/// The rules, in order: phone number, country allowlist, expiration, locale, attributes.
pub(crate) fn code_rules(
    f: CodeFields<'_>,
    allowed_country_codes: &[String],
) -> Result<CodeParams, ApiError> {
    let calling_code =
        validate_phone_number(f.phone_number).map_err(|_| ApiError::of("invalid_phone_number"))?;
    if !allowed_country_codes.iter().any(|c| c == calling_code) {
        return Err(ApiError::of("invalid_phone_number_country_code"));
    }
    let expiration_minutes = match f.expiration {
        None => DEFAULT_EXPIRATION_MINUTES,
        // A u64 beyond i64 is out of range too.
        Some(minutes) => {
            let minutes = minutes.ok_or_else(|| ApiError::of("invalid_expiration_otp"))?;
            validate_expiration_minutes(minutes)
                .map_err(|_| ApiError::of("invalid_expiration_otp"))?;
            minutes
        }
    };
    let locale = match f.locale {
        None => Locale::En,
        Some(tag) => tag
            .parse::<Locale>()
            .map_err(|_| ApiError::of("invalid_locale"))?,
    };
    check_attributes(f.ip_address, f.user_agent)?;
    Ok(CodeParams {
        phone_number: f.phone_number.to_owned(),
        expiration_minutes,
        locale,
        ip_address: f.ip_address.map(str::to_owned),
        user_agent: f.user_agent.map(str::to_owned),
    })
}

/// At most one of `session_token` and `session_jwt` (`too_many_session_arguments`), neither
/// blank (`bad_request`).
pub(crate) fn check_session_arguments(
    session_token: Option<&str>,
    session_jwt: Option<&str>,
) -> Result<(), ApiError> {
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
    Ok(())
}
