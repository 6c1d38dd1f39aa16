//! `validate_phone_number`, `calling_code` and `normalize_phone_number` over arbitrary text.
//! Input: `REGION\nTEXT` (no newline: region "US", the whole input is the text), as bytes,
//! read as UTF-8 with replacement characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sms_otp::{
    calling_code, is_assigned_calling_code, normalize_phone_number, validate_phone_number,
};

/// The E.164 shape of docs/client.md: `+`, 2 to 15 ASCII digits, the first 1-9.
fn e164_shape(text: &str) -> bool {
    text.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

fuzz_target!(|data: &[u8]| {
    let (region, text) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]),
            String::from_utf8_lossy(&data[i + 1..]),
        ),
        None => ("US".into(), String::from_utf8_lossy(data)),
    };

    match validate_phone_number(&text) {
        Ok(code) => {
            assert!(e164_shape(&text), "accepted {text:?}");
            assert!(is_assigned_calling_code(code), "{text:?} -> {code}");
            assert!(text[1..].starts_with(code));
            assert_eq!(calling_code(&text), Some(code));
        }
        Err(e) => {
            assert_eq!(e.code(), "validation_error");
            assert_eq!(e.field(), Some("phone_number"));
            assert!(!e.maybe_delivered());
            assert!(
                !e164_shape(&text) || calling_code(&text).is_none(),
                "refused a well-formed number {text:?}: {e}"
            );
            // The number is personal data: messages never repeat it.
            let digits = text.bytes().filter(u8::is_ascii_digit).count();
            if digits >= 7 && !"+12025550162".contains(&*text) {
                assert!(!e.to_string().contains(&*text), "{e}");
            }
        }
    }

    match normalize_phone_number(&text, &region) {
        Ok(e164) => {
            assert!(validate_phone_number(&e164).is_ok(), "{text:?} -> {e164:?}");
            // Idempotent: E.164 in, the same E.164 out, whatever the region.
            let again = normalize_phone_number(&e164, &region);
            assert_eq!(
                again.as_deref().ok(),
                Some(e164.as_str()),
                "{text:?} -> {e164:?} -> {again:?}"
            );
        }
        Err(e) => {
            assert_eq!(e.code(), "validation_error");
            assert!(
                matches!(e.field(), Some("phone_number" | "default_region")),
                "{e:?}"
            );
        }
    }
});
