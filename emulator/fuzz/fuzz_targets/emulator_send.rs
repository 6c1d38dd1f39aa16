//! The emulator's send handler's body decoding over arbitrary bytes: never a panic, only the
//! documented 400s, and whatever it accepts passes the core's rules.
#![no_main]

use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 2] = ["1", "44"];
const TYPES: [&str; 7] = [
    "bad_request",
    "invalid_phone_number",
    "invalid_phone_number_country_code",
    "invalid_expiration_otp",
    "invalid_locale",
    "invalid_user_id",
    "too_many_session_arguments",
];

fuzz_target!(|data: &[u8]| {
    let allowed: Vec<String> = ALLOWED.iter().map(|s| (*s).to_owned()).collect();
    match sms_otp_emulator::__parse_send_for_fuzzing(data, &allowed) {
        Ok((phone, minutes)) => {
            let code = sms_otp::validate_phone_number(&phone).expect("accepted numbers are E.164");
            assert!(ALLOWED.contains(&code), "{phone}");
            assert!((1..=10).contains(&minutes));
        }
        Err((status, error_type)) => {
            assert_eq!(status, 400, "{error_type}");
            assert!(TYPES.contains(&error_type.as_str()), "{error_type}");
        }
    }
});
