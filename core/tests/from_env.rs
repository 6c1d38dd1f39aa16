//! `from_env`, alone in its own test binary so no other test runs while variables change.
#![allow(clippy::unwrap_used)]

const SECRET: &str = "secret-test-from-env";

#[test]
fn from_env_reads_the_three_variables() {
    // The only test that touches these variables, so no other test races with it.
    std::env::remove_var("STYTCH_PROJECT_ID");
    let err = sms_otp::Client::from_env().unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("configuration_error", Some("project_id"))
    );
    std::env::set_var("STYTCH_PROJECT_ID", "project-live-x");
    std::env::set_var("STYTCH_SECRET", SECRET);
    std::env::remove_var("STYTCH_BASE_URL");
    let client = sms_otp::Client::from_env().unwrap();
    assert_eq!(client.endpoint(), "https://api.stytch.com/v1/otps/sms/send");
    std::env::set_var("STYTCH_BASE_URL", "http://127.0.0.1:9010/p");
    let client = sms_otp::Client::from_env().unwrap();
    assert_eq!(
        client.endpoint(),
        "http://127.0.0.1:9010/p/v1/otps/sms/send"
    );
    // Values that are not UTF-8 are named as such, never repaired into another URL or
    // credential (found by the Python bad-input sweep: a lossy STYTCH_BASE_URL was accepted
    // with U+FFFD in it, and a non-UTF-8 project id was reported as "not set").
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let junk = std::ffi::OsStr::from_bytes(b"http://127.0.0.1:9010/p\xff");
        std::env::set_var("STYTCH_BASE_URL", junk);
        let err = sms_otp::Client::from_env().unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("configuration_error", Some("base_url"))
        );
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
        std::env::remove_var("STYTCH_BASE_URL");
        std::env::set_var(
            "STYTCH_PROJECT_ID",
            std::ffi::OsStr::from_bytes(b"project-test-\xff"),
        );
        let err = sms_otp::Client::from_env().unwrap_err();
        assert_eq!(err.field(), Some("project_id"));
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }
}
