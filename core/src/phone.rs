//! Phone numbers: the strict E.164 check every send goes through, and the forgiving
//! normaliser that turns what people type into E.164. Both lean on libphonenumber's metadata
//! (the `phonenumber` crate) rather than a hand-kept table, so new ranges arrive with updates.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::Error;

/// The region `normalize_phone_number` assumes in every surface when none is given.
pub const DEFAULT_REGION: &str = "US";

/// The sandbox number of the test environment: always accepted, never texted, code `000000`.
pub const SANDBOX_PHONE_NUMBER: &str = "+10000000000";

/// The calling codes libphonenumber knows (geographic and non-geographic), built once.
fn assigned_calling_codes() -> &'static HashSet<u16> {
    static CODES: OnceLock<HashSet<u16>> = OnceLock::new();
    CODES.get_or_init(|| {
        phonenumber::metadata::DATABASE
            .iter()
            .map(|meta| meta.country_code())
            .collect()
    })
}

/// Whether `code` (digits without `+`) is an assigned country calling code.
pub fn is_assigned_calling_code(code: &str) -> bool {
    (1..=3).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && !code.starts_with('0')
        && code
            .parse::<u16>()
            .is_ok_and(|n| assigned_calling_codes().contains(&n))
}

/// The country calling code of a number in E.164 form (`"+442079460958"` → `"44"`), or `None`
/// when no prefix of it is an assigned code. Calling codes are prefix-free, so at most one
/// of the 1-, 2- and 3-digit prefixes matches.
pub fn calling_code(e164: &str) -> Option<&str> {
    let digits = e164.strip_prefix('+')?;
    (1..=3)
        .filter_map(|len| digits.get(..len))
        .find(|prefix| is_assigned_calling_code(prefix))
}

/// Checks that `phone_number` is E.164: `+`, then 2 to 15 ASCII digits, the first 1–9, starting
/// with an assigned calling code. Returns the calling code. Errors name the field
/// `phone_number`, say how to fix the input, and never repeat the number (it is personal data).
pub fn validate_phone_number(phone_number: &str) -> Result<&str, Error> {
    let invalid = |reason: String| Error::validation("phone_number", reason);
    const EXAMPLE: &str = "E.164 format, e.g. +12025550162";
    if phone_number.trim().is_empty() {
        return Err(invalid(format!("is required ({EXAMPLE})")));
    }
    let has_formatting = phone_number
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.' | '/'));
    if has_formatting {
        return Err(invalid(format!(
            "must be in {EXAMPLE}: '+' and digits only, without spaces, dashes, dots or \
             brackets; normalize_phone_number() converts what users type"
        )));
    }
    let Some(digits) = phone_number.strip_prefix('+') else {
        let hint = if phone_number.starts_with("00") {
            " (replace the leading 00 with +)"
        } else {
            " (add + and the country calling code, or use normalize_phone_number())"
        };
        return Err(invalid(format!("must start with '+' ({EXAMPLE}){hint}")));
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "must contain only the digits 0-9 after '+' ({EXAMPLE})"
        )));
    }
    if !(2..=15).contains(&digits.len()) {
        return Err(invalid(format!(
            "must have 2 to 15 digits after '+', it has {} ({EXAMPLE})",
            digits.len()
        )));
    }
    if digits.starts_with('0') {
        return Err(invalid(format!(
            "country calling codes never start with 0 ({EXAMPLE})"
        )));
    }
    calling_code(phone_number).ok_or_else(|| {
        invalid(format!(
            "starts with +{}, which is not an assigned country calling code ({EXAMPLE})",
            &digits[..digits.len().min(3)]
        ))
    })
}

/// Turns a number as people type it (`(202) 555-0162`, `+44 20 7946 0958`, `020 7946 0958`
/// with region `GB`) into E.164, or fails with a validation error naming `phone_number`
/// (or `default_region` when the region is not an ISO 3166 code).
pub fn normalize_phone_number(text: &str, default_region: &str) -> Result<String, Error> {
    let region =
        phonenumber::country::Id::from_str(&default_region.to_ascii_uppercase()).map_err(|_| {
            Error::validation(
                "default_region",
                "must be a two-letter ISO 3166 region code such as \"US\" or \"GB\"",
            )
        })?;
    // libphonenumber caps its own input, but refuse absurd text before it is even scanned.
    if text.len() > 250 {
        return Err(Error::validation(
            "phone_number",
            "is too long to be a phone number",
        ));
    }
    let parsed = phonenumber::parse(Some(region), text).map_err(|_| {
        Error::validation(
            "phone_number",
            format!(
                "could not be read as a phone number (for region {}; give an international \
                 number starting with + for other countries)",
                region.as_ref()
            ),
        )
    })?;
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    validate_phone_number(&e164)?;
    Ok(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(number: &str) -> String {
        let err = validate_phone_number(number).expect_err(number);
        assert_eq!(err.code(), "validation_error");
        assert_eq!(err.field(), Some("phone_number"));
        err.reason().unwrap_or_default().to_owned()
    }

    #[test]
    fn accepts_e164_from_several_countries() {
        for (number, code) in [
            ("+12025550162", "1"),
            ("+442079460958", "44"),
            ("+33142685300", "33"),
            ("+5511987654321", "55"),
            ("+8613800138000", "86"),
            ("+97150123456", "971"),
            (SANDBOX_PHONE_NUMBER, "1"),
            ("+12", "1"),
            ("+123456789012345", "1"),
        ] {
            assert_eq!(validate_phone_number(number).ok(), Some(code), "{number}");
        }
    }

    #[test]
    fn rejects_each_broken_form_with_a_fix() {
        assert!(reason("").contains("required"));
        assert!(reason("   ").contains("required"));
        assert!(reason("+1 202 555 0162").contains("normalize_phone_number"));
        assert!(reason("+1-202-555-0162").contains("without spaces, dashes"));
        assert!(reason("(202)5550162").contains("brackets"));
        assert!(reason("12025550162").contains("must start with '+'"));
        assert!(reason("0012025550162").contains("replace the leading 00"));
        assert!(reason("+1202555016a").contains("only the digits"));
        assert!(reason("+１２０２５５５０１６２").contains("only the digits"));
        assert!(reason("+1").contains("2 to 15 digits"));
        assert!(reason("+1234567890123456").contains("it has 16"));
        assert!(reason("+0123456789").contains("never start with 0"));
        assert!(reason("+").contains("2 to 15"));
        assert!(reason("+999123456").contains("not an assigned"));
        assert!(reason("+2141234567").contains("+214, which is not an assigned"));
    }

    #[test]
    fn errors_never_repeat_the_number() {
        let err = validate_phone_number("+9991234567890").expect_err("unassigned");
        assert!(!err.to_string().contains("1234567890"), "{err}");
    }

    #[test]
    fn calling_codes_are_found_by_prefix() {
        assert_eq!(calling_code("+12025550162"), Some("1"));
        assert_eq!(calling_code("+442079460958"), Some("44"));
        assert_eq!(calling_code("+3545511234"), Some("354"));
        assert_eq!(calling_code("+999"), None);
        assert_eq!(calling_code("12025550162"), None);
        assert!(is_assigned_calling_code("44"));
        assert!(!is_assigned_calling_code("044"));
        assert!(!is_assigned_calling_code("+44"));
        assert!(!is_assigned_calling_code("9999"));
    }

    #[test]
    fn normalizes_what_people_type() {
        for (text, region, expected) in [
            ("(202) 555-0162", "US", "+12025550162"),
            ("202.555.0162", "us", "+12025550162"),
            ("+1 202-555-0162", "GB", "+12025550162"),
            ("+44 20 7946 0958", "US", "+442079460958"),
            ("020 7946 0958", "GB", "+442079460958"),
            ("01 42 68 53 00", "FR", "+33142685300"),
            ("(11) 98765-4321", "BR", "+5511987654321"),
            ("030 123456", "DE", "+4930123456"),
            ("090-1234-5678", "JP", "+819012345678"),
        ] {
            assert_eq!(
                normalize_phone_number(text, region).ok().as_deref(),
                Some(expected),
                "{text} in {region}"
            );
        }
    }

    #[test]
    fn normalize_rejects_junk_and_bad_regions() {
        let err = normalize_phone_number("hello", "US").expect_err("junk");
        assert_eq!(err.field(), Some("phone_number"));
        let err = normalize_phone_number("202 555 0162", "XX").expect_err("region");
        assert_eq!(err.field(), Some("default_region"));
        let err = normalize_phone_number(&"1".repeat(10_000), "US").expect_err("huge");
        assert_eq!(err.field(), Some("phone_number"));
    }
}
