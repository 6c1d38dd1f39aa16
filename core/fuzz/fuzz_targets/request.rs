//! Request building as `Sms::send` does it: validation, then JSON serialisation. Never a
//! panic, never a `null`, every set field on the wire and no other. (That the emulator
//! accepts whatever the client sends is emulator/fuzz's `client_request` target.)
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sms_otp::validate::validate_request;
use sms_otp::{Attributes, Locale, SendRequest};

#[derive(Arbitrary, Debug)]
struct Input {
    phone_number: String,
    expiration_minutes: Option<i32>,
    attributes: Option<(Option<String>, Option<String>)>,
    locale: Option<u8>,
    user_id: Option<String>,
    session_token: Option<String>,
    session_jwt: Option<String>,
    allowed_country_codes: Option<Vec<String>>,
}

fn no_null(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().all(no_null),
        Value::Object(map) => map.values().all(no_null),
        _ => true,
    }
}

fuzz_target!(|input: Input| {
    let request = SendRequest {
        phone_number: input.phone_number,
        expiration_minutes: input.expiration_minutes,
        attributes: input.attributes.map(|(ip_address, user_agent)| Attributes {
            ip_address,
            user_agent,
        }),
        locale: input
            .locale
            .map(|i| Locale::ALL[usize::from(i) % Locale::ALL.len()]),
        user_id: input.user_id,
        session_token: input.session_token,
        session_jwt: input.session_jwt,
    };
    let valid = validate_request(&request, input.allowed_country_codes.as_deref());
    if let Err(e) = &valid {
        assert_eq!(e.code(), "validation_error");
        assert!(e.field().is_some_and(|f| !f.is_empty()));
        assert!(!e.maybe_delivered());
    }

    let bytes = serde_json::to_vec(&request).expect("a request always serialises");
    let value: Value = serde_json::from_slice(&bytes).expect("and parses back");
    assert!(
        no_null(&value),
        "null on the wire: {}",
        String::from_utf8_lossy(&bytes)
    );
    let Value::Object(map) = &value else {
        panic!("not an object")
    };
    let expected = [
        ("phone_number", true),
        ("expiration_minutes", request.expiration_minutes.is_some()),
        ("attributes", request.attributes.is_some()),
        ("locale", request.locale.is_some()),
        ("user_id", request.user_id.is_some()),
        ("session_token", request.session_token.is_some()),
        ("session_jwt", request.session_jwt.is_some()),
    ];
    assert_eq!(map.len(), expected.iter().filter(|(_, set)| *set).count());
    for (name, set) in expected {
        assert_eq!(map.contains_key(name), set, "{name}");
    }
    assert_eq!(
        map["phone_number"].as_str(),
        Some(request.phone_number.as_str())
    );
    if let Some(tag) = map.get("locale") {
        let parsed = tag.as_str().and_then(|t| t.parse::<Locale>().ok());
        assert_eq!(parsed, request.locale);
    }
});
