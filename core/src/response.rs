//! Turning what the server answered into a [`SendResponse`] or an [`Error`]. Pure functions
//! over status, headers and body, so every mapping is testable without a socket.

use std::time::Duration;

use crate::error::Details;
pub(crate) use crate::redact::Redactor;
#[cfg(any(test, feature = "fuzzing"))]
use crate::SendResponse;
use crate::{Error, ErrorKind};

/// Response bodies are read up to this many bytes; beyond, `unexpected_response`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Characters of a body kept in an `unexpected_response` excerpt.
const EXCERPT_CHARS: usize = 200;

/// What was received, after the body was read in full.
#[derive(Clone, Copy)]
pub(crate) struct Received<'a> {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) location: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// JSON-aware redaction on top of [`Redactor::clean`] (which lives in `redact.rs`).
impl Redactor<'_> {
    /// Redacts every string (keys included) of a JSON value in place; true when any changed.
    /// The server may echo a secret JSON-escaped (`\/`, `\u0073`): the raw text then does
    /// not contain it, but the decoded strings do.
    fn clean_json(&self, value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::String(text) => {
                let cleaned = self.clean(text);
                let changed = cleaned != *text;
                *text = cleaned;
                changed
            }
            Value::Array(items) => {
                let mut changed = false;
                for item in items {
                    changed |= self.clean_json(item);
                }
                changed
            }
            Value::Object(map) => {
                let mut changed = false;
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    changed |= self.clean_json(&mut item);
                    let clean_key = self.clean(&key);
                    changed |= clean_key != key;
                    map.insert(clean_key, item);
                }
                changed
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }

    /// The body as text without secrets: when it is JSON that carried one (even escaped),
    /// the redacted JSON re-serialised; otherwise the text itself, redacted.
    fn clean_body(&self, body: &[u8]) -> String {
        if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) {
            if self.clean_json(&mut value) {
                return self.clean(&value.to_string());
            }
        }
        self.clean(&String::from_utf8_lossy(body))
    }
}

/// Maps a fully read answer to the result of the call.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn interpret(r: &Received<'_>, redact: &Redactor<'_>) -> Result<SendResponse, Error> {
    interpret_as(r, redact, |body| from_object(body, SendResponse::from_json))
}

/// Why a 2xx body is not the call's response.
#[derive(Debug)]
pub(crate) enum Unreadable {
    NotAnObject,
    /// The documented field it lacks (or holds with the wrong type), named.
    Lacks(String),
}

/// The body as a JSON object.
pub(crate) fn json_object(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, Unreadable> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(Unreadable::NotAnObject),
    }
}

/// Whether a body starts as a JSON object: a struct also reads from a JSON array, which is
/// no response.
#[cfg(any(feature = "host", test))]
pub(crate) fn opens_an_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// A body as text; one that is not UTF-8 is no JSON object.
#[cfg(feature = "host")]
pub(crate) fn body_text(body: &[u8]) -> Result<String, Unreadable> {
    String::from_utf8(body.to_vec()).map_err(|_| Unreadable::NotAnObject)
}

/// A typed response read by `from_json` (`SendResponse::from_json`, …) from a body.
pub(crate) fn from_object<T>(
    body: &[u8],
    from_json: fn(serde_json::Map<String, serde_json::Value>) -> Result<T, String>,
) -> Result<T, Unreadable> {
    from_json(json_object(body)?).map_err(Unreadable::Lacks)
}

/// [`interpret`] for any call: `parse` turns a 2xx body into the call's response.
pub(crate) fn interpret_as<T>(
    r: &Received<'_>,
    redact: &Redactor<'_>,
    parse: fn(&[u8]) -> Result<T, Unreadable>,
) -> Result<T, Error> {
    if (200..300).contains(&r.status) {
        return parse(r.body).map_err(|problem| match problem {
            Unreadable::NotAnObject => unexpected(r, "the 2xx body is not a JSON object", redact),
            Unreadable::Lacks(reason) => unexpected(
                r,
                &format!("the 2xx body lacks a documented field: {reason}"),
                redact,
            ),
        });
    }
    match json_object(r.body).ok() {
        Some(map) if r.status >= 400 => Err(api_error(r, map, redact)),
        _ if (300..400).contains(&r.status) => {
            let target = r
                .location
                .map(|l| format!(" to {}", redact.clean(l)))
                .unwrap_or_default();
            Err(unexpected(
                r,
                &format!("the server answered with a redirect{target}, which is not followed; check base_url"),
                redact,
            ))
        }
        _ => Err(unexpected(r, "the error body is not a JSON object", redact)),
    }
}

fn api_error(
    r: &Received<'_>,
    map: serde_json::Map<String, serde_json::Value>,
    redact: &Redactor<'_>,
) -> Error {
    let mut json = serde_json::Value::Object(map);
    let carried_secret = redact.clean_json(&mut json);
    let text = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let error_type = text("error_type");
    let kind = ErrorKind::from_answer(r.status, error_type.as_deref());
    let error_message = text("error_message");
    let request_id = text("request_id");
    let mut message = format!("Stytch answered HTTP {}", r.status);
    if let Some(t) = &error_type {
        message.push_str(&format!(" {t}"));
    }
    if let Some(m) = &error_message {
        message.push_str(&format!(": {m}"));
    }
    if let Some(id) = &request_id {
        message.push_str(&format!(" (request_id {id})"));
    }
    if kind == ErrorKind::Server {
        message.push_str("; the SMS may have been sent, so this was not retried");
    }
    // The whole text, unless it carried a secret (perhaps escaped): then the redacted JSON.
    let body = if carried_secret {
        redact.clean(&json.to_string())
    } else {
        redact.clean(&String::from_utf8_lossy(r.body))
    };
    let error_url = text("error_url");
    Error::new(
        kind,
        message,
        Details {
            status_code: Some(r.status),
            request_id,
            error_type,
            error_message,
            error_url,
            retry_after: r.retry_after,
            body: Some(body),
            json: Some(json),
            ..Details::default()
        },
    )
}

/// An answer that is not the JSON the API documents. `what` says what was wrong.
pub(crate) fn unexpected(r: &Received<'_>, what: &str, redact: &Redactor<'_>) -> Error {
    let excerpt = excerpt(r.body, redact);
    Error::new(
        ErrorKind::UnexpectedResponse,
        format!(
            "unexpected response (HTTP {}): {what}; body starts: {excerpt:?}",
            r.status
        ),
        Details {
            status_code: Some(r.status),
            retry_after: r.retry_after,
            body: Some(excerpt),
            ..Details::default()
        },
    )
}

/// The first characters of a body, printable, for messages. Redacted before it is cut, so a
/// secret straddling the cut cannot show its first characters.
pub(crate) fn excerpt(body: &[u8], redact: &Redactor<'_>) -> String {
    let printable: String = redact
        .clean_body(body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    redact
        .clean(&printable)
        .chars()
        .take(EXCERPT_CHARS)
        .collect()
}

/// Hooks for the fuzz targets of `core/fuzz` (feature `fuzzing`), not an API.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    use super::{interpret, parse_retry_after, Received, Redactor};
    use crate::{Error, SendResponse};

    /// How `Transport::exchange` reads an answer: the status, the raw `Retry-After` and
    /// `Location` header values, the whole body, and the client's two secrets.
    pub fn interpret_answer(
        status: u16,
        retry_after: Option<&str>,
        location: Option<&str>,
        body: &[u8],
        secrets: [&str; 2],
    ) -> Result<SendResponse, Error> {
        interpret(
            &Received {
                status,
                retry_after: retry_after.and_then(parse_retry_after),
                location,
                body,
            },
            &Redactor::new(secrets),
        )
    }
}

/// Parses `Retry-After`: delay-seconds, or an HTTP date (as seconds from now, at least 0).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Result<SendResponse, Error> {
        interpret(
            &Received {
                status,
                retry_after: None,
                location: None,
                body: body.as_bytes(),
            },
            &Redactor::new(["", ""]),
        )
    }

    #[test]
    fn success_keeps_unknown_fields() {
        let resp = answer(
            200,
            r#"{"request_id":"r","user_id":"u","phone_id":"p","status_code":200,"new":[1]}"#,
        )
        .expect("ok");
        assert_eq!(
            (
                resp.request_id.as_str(),
                resp.user_id.as_str(),
                resp.phone_id.as_str()
            ),
            ("r", "u", "p")
        );
        assert_eq!(resp.status_code, 200);
        assert_eq!(resp.raw["new"], serde_json::json!([1]));
    }

    #[test]
    fn status_maps_to_kind_and_delivery() {
        let body = r#"{"status_code":429,"request_id":"rid","error_type":"too_many_requests","error_message":"Too many requests have been made.","error_url":"https://stytch.com/docs/api/errors/429"}"#;
        for (status, code, maybe) in [
            (400, "bad_request", false),
            (401, "unauthorized", false),
            (403, "forbidden", false),
            (404, "not_found", false),
            (408, "api_error", false),
            (413, "api_error", false),
            (429, "rate_limited", false),
            (499, "api_error", false),
            (500, "server_error", true),
            (503, "server_error", true),
        ] {
            let err = answer(status, body).expect_err("error status");
            assert_eq!(
                (err.code(), err.maybe_delivered()),
                (code, maybe),
                "{status}"
            );
            assert_eq!(err.status_code(), Some(status));
            assert_eq!(err.request_id(), Some("rid"));
            assert_eq!(err.error_type(), Some("too_many_requests"));
            assert_eq!(
                err.error_url(),
                Some("https://stytch.com/docs/api/errors/429")
            );
            assert_eq!(err.body(), Some(body));
        }
    }

    #[test]
    fn broken_bodies_are_unexpected() {
        for (status, body, maybe) in [
            (200, "<html>gateway</html>", true),
            (200, r#"{"request_id":"r"}"#, true),
            (200, r#""just a string""#, true),
            (200, "", true),
            (
                200,
                r#"{"request_id":"r","user_id":"u","phone_id":"p","status_code":200"#,
                true,
            ),
            (502, "<html>Bad Gateway</html>", true),
            (400, "Bad Request", false),
            (302, "", true),
        ] {
            let err = answer(status, body).expect_err(body);
            assert_eq!(err.code(), "unexpected_response", "{status} {body}");
            assert_eq!(err.maybe_delivered(), maybe, "{status} {body}");
            assert_eq!(err.status_code(), Some(status));
        }
        let long = "x".repeat(10_000);
        let err = answer(502, &long).expect_err("long");
        assert_eq!(err.body().map(|b| b.chars().count()), Some(200));
    }

    #[test]
    fn server_text_is_redacted() {
        let redact = Redactor::new(["secret-test-MARK", "Basic cHJvamVjdDpzZWNyZXQ="]);
        let body = r#"{"error_type":"x","error_message":"you sent secret-test-MARK and Basic cHJvamVjdDpzZWNyZXQ="}"#;
        let err = interpret(
            &Received {
                status: 400,
                retry_after: None,
                location: None,
                body: body.as_bytes(),
            },
            &redact,
        )
        .expect_err("400");
        let all = format!("{err} {err:?} {:?}", err.body());
        assert!(
            !all.contains("MARK") && !all.contains("cHJvamVjdDpzZWNyZXQ="),
            "{all}"
        );
    }

    /// Every rendering of an error, for secret checks.
    fn rendered(err: &Error) -> String {
        format!(
            "{err} | {err:?} | {:?} | {:?} | {:?} | {:?}",
            err.body(),
            err.body_json().map(ToString::to_string),
            err.error_message(),
            err.error_type()
        )
    }

    /// A server that echoes the credentials JSON-escaped (PHP escapes `/`; any encoder may
    /// write `\u0073`): the escaped text is not the secret, but what it decodes to is, and
    /// `body_json()` and `Debug` showed it decoded.
    #[test]
    fn escaped_secrets_are_redacted_too() {
        let redact = Redactor::new(["secret-test-MA/RK", "cHJvamVjdDpzZWNyZXQ="]);
        for body in [
            r#"{"error_type":"x","error_message":"you sent secret-test-MA\/RK"}"#,
            r#"{"error_type":"x","echo":{"\u0073ecret-test-MA\/RK":["secret-test-MA\u002fRK"]}}"#,
            r#"{"error_type":"x","auth":"Basic cHJvamVjdDpzZWNyZXQ\u003d"}"#,
        ] {
            for status in [400, 503, 200] {
                let err = interpret(
                    &Received {
                        status,
                        retry_after: None,
                        location: None,
                        body: body.as_bytes(),
                    },
                    &redact,
                )
                .expect_err("an error");
                let all = rendered(&err);
                for leak in [
                    "MA/RK",
                    "MA\\/RK",
                    "MA\\u002fRK",
                    "ZWNyZXQ\\u003d",
                    "cHJvamVjdDpzZWNyZXQ=",
                ] {
                    assert!(!all.contains(leak), "{status} {body}: {all}");
                }
            }
        }
    }

    /// The excerpt of an unexpected answer was cut to 200 characters before redaction, so a
    /// secret straddling the cut showed its first characters.
    #[test]
    fn excerpts_are_redacted_before_they_are_cut() {
        let redact = Redactor::new(["secret-test-MARKER-0123456789", ""]);
        for at in 170..200 {
            let body = format!("{}secret-test-MARKER-0123456789 and more", "x".repeat(at));
            let err = interpret(
                &Received {
                    status: 502,
                    retry_after: None,
                    location: None,
                    body: body.as_bytes(),
                },
                &redact,
            )
            .expect_err("502");
            let excerpt = err.body().unwrap_or_default();
            assert!(excerpt.chars().count() <= 200);
            assert!(!excerpt.contains("secret-"), "{at}: {excerpt}");
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
