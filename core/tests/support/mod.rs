//! What the client tests share: the hostile HTTP/1.1 server (tests/hostile-server, compiled
//! in as a module; the Python and Node suites run it as the program `sms-otp-hostile`), test credentials, and a check that an error never shows the secret.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

pub const PROJECT_ID: &str = "project-test-11111111-2222-3333-4444-555555555555";
pub const SECRET: &str = "secret-test-MARKER-9f8e7d6c5b4a";

/// The hostile server (tests/hostile-server/src/lib.rs), compiled in: the same code the
/// `sms-otp-hostile` program of the Python and Node suites runs.
#[allow(dead_code, unused_imports)]
#[path = "../../../tests/hostile-server/src/lib.rs"]
pub mod hostile;

pub use hostile::{Behaviour, Hostile};

/// A client for `server` with test credentials and short timeouts.
pub fn builder(url: &str) -> sms_otp::ClientBuilder {
    sms_otp::Client::builder(PROJECT_ID, SECRET)
        .base_url(url)
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_millis(300))
}

pub fn request() -> sms_otp::SendRequest {
    sms_otp::SendRequest {
        phone_number: "+12025550162".into(),
        ..Default::default()
    }
}

/// Fails the test if the secret shows up in any rendering of `err`.
pub fn assert_no_secret(err: &sms_otp::Error) {
    let mut text = format!(
        "{err} | {err:?} | {:?} | {:?}",
        err.body(),
        err.error_message()
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    assert!(!text.contains("MARKER"), "secret leaked: {text}");
}
