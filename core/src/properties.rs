//! Property tests (proptest) of the contract in docs/, each against an independent model:
//! the E.164 language validation accepts, what a serialised request may contain, and which
//! errors say `maybe_delivered`.

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::error::Details;
use crate::response::{interpret, Received, Redactor};
use crate::{
    validate_phone_number, Attributes, Error, ErrorKind, Locale, SendRequest, TimeoutPhase,
};

/// Country calling codes in service, from the ITU-T E.164 assignment list (Annex to ITU
/// Operational Bulletin No. 1096, with later changes: 383 Kosovo), written out here rather
/// than taken from libphonenumber so the two can be compared. Spare, reserved and
/// discontinued codes (e.g. 388, 991, 999) are left out.
const ITU_CODES: &[u16] = &[
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
    55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211,
    212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234,
    235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253,
    254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291, 297, 298,
    299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377,
    378, 380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506,
    507, 508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676,
    677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 800, 808, 850, 852,
    853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960, 961, 962, 963, 964, 965, 966, 967,
    968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998,
];

/// docs/client.md's language: `+`, 2 to 15 ASCII digits, the first 1-9, starting with an assigned
/// calling code (the sandbox number `+10000000000` is one of them). Returns the code.
fn model(text: &str) -> Option<String> {
    let digits = text.strip_prefix('+')?;
    let shape = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if !shape {
        return None;
    }
    ITU_CODES
        .iter()
        .map(u16::to_string)
        .find(|code| digits.starts_with(code.as_str()))
}

#[test]
fn assigned_codes_are_the_itu_list() {
    // Every 1-3 digit string: libphonenumber's metadata against the ITU list.
    let differ: Vec<u16> = (1..1000u16)
        .filter(|n| crate::is_assigned_calling_code(&n.to_string()) != ITU_CODES.contains(n))
        .collect();
    assert!(
        differ.is_empty(),
        "libphonenumber and ITU differ on {differ:?}"
    );
    for n in 0..1000u16 {
        for text in [n.to_string(), format!("{n:02}"), format!("{n:03}")] {
            let itu = !text.starts_with('0') && ITU_CODES.contains(&n);
            assert_eq!(crate::is_assigned_calling_code(&text), itu, "{text}");
        }
    }
}

/// A string near the E.164 language: a valid number, then maybe one mutation.
fn near_e164() -> impl Strategy<Value = String> {
    let code = prop::sample::select(ITU_CODES).prop_map(|c| c.to_string());
    let national = prop::collection::vec(0u8..10, 0..16);
    let valid = (code, national).prop_map(|(code, national)| {
        let mut text = format!("+{code}");
        text.extend(national.iter().map(|d| char::from(b'0' + d)));
        text
    });
    let junk = prop::sample::select(vec![
        " ", "-", "(", ")", ".", "/", "+", "0", "00", "a", "\u{0}", "\n", "\t", "\u{a0}",
        "\u{200b}", "１", "\u{661}", "é", "😀", "ext",
    ]);
    (valid, 0usize..6, any::<prop::sample::Index>(), junk).prop_map(|(text, how, at, junk)| {
        let mut text = text;
        let at = at.index(text.len() + 1);
        match how {
            0 => {}                                           // unchanged
            1 => text.insert_str(at, junk),                   // a foreign character
            2 => text.replace_range(..1, ""),                 // no +
            3 => text.truncate(at.max(1)),                    // shortened
            4 => text.push_str("1234567"),                    // lengthened
            _ => text.insert(at.max(1).min(text.len()), '0'), // a zero, maybe after +
        }
        text
    })
}

proptest! {
    #![proptest_config(Config::with_cases(20_000))]

    #[test]
    fn validation_accepts_exactly_the_e164_language(text in near_e164()) {
        let got = validate_phone_number(&text).ok().map(str::to_owned);
        prop_assert_eq!(got, model(&text), "{:?}", text);
    }

    #[test]
    fn validation_of_any_text_matches_the_model(text in "\\PC{0,20}|\\+[0-9]{0,18}") {
        let got = validate_phone_number(&text).ok().map(str::to_owned);
        prop_assert_eq!(got, model(&text), "{:?}", text);
    }
}

#[test]
fn the_sandbox_number_is_valid() {
    assert_eq!(model(crate::SANDBOX_PHONE_NUMBER).as_deref(), Some("1"));
    assert_eq!(
        validate_phone_number(crate::SANDBOX_PHONE_NUMBER).ok(),
        Some("1")
    );
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        Just("null".to_owned()),
        Just(String::new()),
        ".{0,4}"
    ]
}

fn any_request() -> impl Strategy<Value = SendRequest> {
    let attributes = prop::option::of(
        (prop::option::of(any_text()), prop::option::of(any_text())).prop_map(
            |(ip_address, user_agent)| Attributes {
                ip_address,
                user_agent,
            },
        ),
    );
    (
        any_text(),
        prop::option::of(any::<i32>()),
        attributes,
        prop::option::of(prop::sample::select(Locale::ALL.to_vec())),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
    )
        .prop_map(
            |(
                phone_number,
                expiration_minutes,
                attributes,
                locale,
                user_id,
                session_token,
                session_jwt,
            )| {
                SendRequest {
                    phone_number,
                    expiration_minutes,
                    attributes,
                    locale,
                    user_id,
                    session_token,
                    session_jwt,
                }
            },
        )
}

fn has_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(has_null),
        serde_json::Value::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

proptest! {
    #![proptest_config(Config::with_cases(5_000))]

    #[test]
    fn serialised_requests_never_contain_null(request in any_request()) {
        let bytes = serde_json::to_vec(&request).expect("serialises");
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("parses");
        prop_assert!(!has_null(&value), "{}", String::from_utf8_lossy(&bytes));
        let map = value.as_object().expect("an object");
        let set = [
            true,
            request.expiration_minutes.is_some(),
            request.attributes.is_some(),
            request.locale.is_some(),
            request.user_id.is_some(),
            request.session_token.is_some(),
            request.session_jwt.is_some(),
        ];
        prop_assert_eq!(map.len(), set.iter().filter(|s| **s).count());
    }
}

/// docs/errors.md's maybe_delivered table: may the SMS have been sent?
fn table(
    kind: ErrorKind,
    status: Option<u16>,
    phase: Option<TimeoutPhase>,
    after_send: Option<bool>,
) -> bool {
    // An error of a status kind made without a status (by hand) has the status its kind
    // stands for.
    let implied = match kind {
        ErrorKind::BadRequest => Some(400),
        ErrorKind::Unauthorized => Some(401),
        ErrorKind::Forbidden => Some(403),
        ErrorKind::NotFound => Some(404),
        ErrorKind::RateLimited => Some(429),
        ErrorKind::Server => Some(500),
        // A refused passcode: 401 or 404.
        ErrorKind::InvalidCode => Some(401),
        _ => None,
    };
    let four_xx = status.or(implied).is_some_and(|s| (400..500).contains(&s));
    match kind {
        // "a bug inside the library": it cannot know how far the send got.
        ErrorKind::Internal => true,
        ErrorKind::Validation | ErrorKind::Configuration => false,
        // "false before send, true after"; not knowing which means it may have been sent.
        ErrorKind::Network => after_send != Some(false),
        // "false for connect, true for response".
        ErrorKind::Timeout => phase != Some(TimeoutPhase::Connect),
        // ApiError "false for 4xx, true for 5xx"; UnexpectedResponse "true for 2xx/5xx, false
        // for 4xx"; any other status (a redirect) cannot prove nothing was sent.
        _ => !four_xx,
    }
}

proptest! {
    #![proptest_config(Config::with_cases(5_000))]

    #[test]
    fn maybe_delivered_follows_the_table(
        kind in prop::sample::select(ErrorKind::ALL.to_vec()),
        status in prop::option::of(100u16..1000),
        phase in prop::option::of(prop::sample::select(vec![TimeoutPhase::Connect, TimeoutPhase::Response])),
        after_send in prop::option::of(any::<bool>()),
    ) {
        let error = Error::new(kind, "x", Details { status_code: status, phase, after_send, ..Details::default() });
        prop_assert_eq!(error.maybe_delivered(), table(kind, status, phase, after_send));
    }

    /// Through the real decoding of answers: the kind each status and body gets, and its
    /// `maybe_delivered`.
    #[test]
    fn decoded_answers_follow_the_table(
        status in 100u16..1000,
        body in prop_oneof![
            Just(r#"{"status_code":400,"error_type":"x","error_message":"y","request_id":"r"}"#.to_owned()),
            Just(r#"{"request_id":"r","user_id":"u","phone_id":"p","status_code":200}"#.to_owned()),
            Just("<html>502 Bad Gateway</html>".to_owned()),
            Just(r#""a JSON string""#.to_owned()),
            Just(String::new()),
            "\\PC{0,40}",
        ],
        retry_after in prop::option::of(0u64..100_000),
    ) {
        let received = Received {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            location: None,
            body: body.as_bytes(),
        };
        let object = matches!(serde_json::from_str(&body), Ok(serde_json::Value::Object(_)));
        let success = (200..300).contains(&status);
        match interpret(&received, &Redactor::new(["", ""])) {
            Ok(_) => prop_assert!(success && object),
            Err(error) => {
                let kind = if !success && status >= 400 && object {
                    ErrorKind::from_status(status)
                } else {
                    ErrorKind::UnexpectedResponse
                };
                prop_assert_eq!(error.kind(), kind);
                prop_assert_eq!(error.status_code(), Some(status));
                prop_assert_eq!(error.retry_after(), retry_after.map(Duration::from_secs));
                prop_assert_eq!(error.maybe_delivered(), table(kind, Some(status), None, None));
            }
        }
    }
}

#[test]
fn maybe_delivered_of_the_error_constructors() {
    assert!(!Error::validation("phone_number", "x").maybe_delivered());
    assert!(!Error::configuration("timeout", "x").maybe_delivered());
}
