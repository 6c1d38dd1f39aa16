//! Whatever the client accepts and sends (`Sms::send`'s validation, then its JSON), the
//! emulator's send handler accepts too (its only extra rule is the format of a `user_id`,
//! which the client cannot know). Moved from core/fuzz's `request` target, which keeps the
//! client-side half: the core knows nothing of the emulator.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
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
    if validate_request(&request, input.allowed_country_codes.as_deref()).is_err() {
        return;
    }
    let bytes = serde_json::to_vec(&request).expect("a request always serialises");
    let code = sms_otp::calling_code(&request.phone_number).expect("valid has a code");
    match sms_otp_emulator::__parse_send_for_fuzzing(&bytes, &[code.to_owned()]) {
        Ok((phone, minutes)) => {
            assert_eq!(phone, request.phone_number);
            assert_eq!(minutes, request.expiration_minutes.map_or(2, i64::from));
        }
        Err((400, t)) if t == "invalid_user_id" && request.user_id.is_some() => {}
        Err(other) => panic!(
            "the client accepts what the emulator refuses ({other:?}): {}",
            String::from_utf8_lossy(&bytes)
        ),
    }
});
