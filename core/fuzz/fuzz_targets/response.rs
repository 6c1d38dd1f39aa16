//! Decoding what the server answered (`response::interpret`, as `Transport::exchange` calls
//! it) over arbitrary bytes, status and `Retry-After`. Input: a first line
//! `STATUS [RETRY-AFTER [LOCATION]]` (space separated), then the body; a first line whose
//! status does not parse takes the status from its first two bytes.
//!
//! Checks: never a panic; success only for 2xx with the documented fields; otherwise the
//! error kind and `maybe_delivered` of docs/errors.md's table; short excerpts; and the client's
//! secret (and its Basic credentials) never in any rendering of the error, however the server
//! echoes it (escaped JSON included).
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sms_otp::{ErrorKind, MAX_BODY_BYTES};

const PROJECT_ID: &str = "project-test-fuzz";
/// Contains characters some JSON encoders escape (`/`, `+`, `=`).
const SECRET: &str = "secret-test-Fz/9+q=Xw";

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if body.len() > MAX_BODY_BYTES {
        return; // the transport never hands a longer body over
    }
    let head = String::from_utf8_lossy(head);
    let mut parts = head.split(' ');
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or_else(|| {
            u16::from_le_bytes([
                data.first().copied().unwrap_or(0),
                data.get(1).copied().unwrap_or(0),
            ])
        });
    // hyper only ever produces statuses 100..=999.
    let status = 100 + status % 900;
    let retry_after = parts.next();
    let location = parts.next();

    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{PROJECT_ID}:{SECRET}"));
    let result =
        sms_otp::fuzzing::interpret_answer(status, retry_after, location, body, [SECRET, &auth]);
    let object = matches!(serde_json::from_slice::<Value>(body), Ok(Value::Object(_)));
    let success = (200..300).contains(&status);
    let err = match result {
        Ok(resp) => {
            assert!(success && object, "{status}");
            assert_eq!(
                resp.status_code as u64,
                resp.raw["status_code"].as_u64().unwrap_or(u64::MAX)
            );
            return;
        }
        Err(err) => err,
    };
    let expected = if !success && status >= 400 && object {
        ErrorKind::from_status(status)
    } else {
        ErrorKind::UnexpectedResponse
    };
    assert_eq!(err.kind(), expected, "{status} {err}");
    assert_eq!(err.status_code(), Some(status));
    assert_eq!(
        err.maybe_delivered(),
        !(400..500).contains(&status),
        "{status}"
    );
    assert_eq!(err.attempts(), 0);
    if expected == ErrorKind::UnexpectedResponse {
        assert!(err.body().is_some_and(|b| b.chars().count() <= 200));
    }

    let mut rendered = vec![err.to_string(), format!("{err:?}")];
    for text in [
        err.body(),
        err.error_type(),
        err.error_message(),
        err.request_id(),
        err.error_url(),
    ] {
        rendered.extend(text.map(str::to_owned));
    }
    if let Some(json) = err.body_json() {
        strings(json, &mut rendered);
        rendered.push(json.to_string());
    }
    for text in &rendered {
        for secret in [SECRET, auth.as_str()] {
            assert!(!text.contains(secret), "secret leaked: {text}");
        }
    }
});
