//! The whole SMS login through the Rust client (async and blocking) against the emulator over
//! loopback: login_or_create, the delivered code, a wrong code, the right code with a
//! session, the used code, an expired code; validation before any request; secrets kept out
//! of errors and Debug.

use std::time::Duration;

use sms_otp::{AuthenticateRequest, Client, ErrorKind, LoginOrCreateRequest};
use sms_otp_emulator::{Config, Emulator};

const PHONE: &str = "+12025550162";

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("the emulator starts")
}

fn client(emu: &Emulator) -> Client {
    Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a client")
}

fn code_for(emu: &Emulator, phone: &str) -> String {
    emu.messages(Some(phone))
        .last()
        .map(|m| m.code.clone())
        .expect("a delivered message")
}

fn login(phone: &str) -> LoginOrCreateRequest {
    LoginOrCreateRequest {
        phone_number: phone.into(),
        ..Default::default()
    }
}

fn check(method_id: &str, code: &str, minutes: Option<i32>) -> AuthenticateRequest {
    AuthenticateRequest {
        method_id: method_id.into(),
        code: code.into(),
        session_duration_minutes: minutes,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_whole_login_with_every_outcome() {
    let emu = emulator().await;
    let client = client(&emu);

    let sent = client
        .otps
        .sms
        .login_or_create(LoginOrCreateRequest {
            create_user_as_pending: Some(true),
            ..login(PHONE)
        })
        .await
        .expect("login_or_create");
    assert!(sent.user_created);
    assert!(sent.phone_id.starts_with("phone-number-test-"));
    assert_eq!(sent.status_code, 200);
    let again = client
        .otps
        .sms
        .login_or_create(login(PHONE))
        .await
        .expect("a second login_or_create");
    assert!(!again.user_created);
    assert_eq!(
        (again.user_id.as_str(), again.phone_id.as_str()),
        (sent.user_id.as_str(), sent.phone_id.as_str())
    );
    let code = code_for(&emu, PHONE);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = client
        .otps
        .authenticate(check(&sent.phone_id, wrong, None))
        .await
        .expect_err("a wrong code");
    assert_eq!(err.kind(), ErrorKind::InvalidCode);
    assert_eq!(err.code(), "invalid_code");
    assert_eq!(err.error_type(), Some("otp_code_not_found"));
    assert_eq!(err.status_code(), Some(404));
    assert!(!err.maybe_delivered());

    let ok = client
        .otps
        .authenticate(check(&sent.phone_id, &code, Some(60)))
        .await
        .expect("the right code");
    assert_eq!(ok.user_id, sent.user_id);
    assert_eq!(ok.method_id, sent.phone_id);
    assert_eq!(ok.user.status, "active", "a pending user becomes active");
    assert!(ok
        .user
        .phone_numbers
        .iter()
        .any(|p| p.phone_id == sent.phone_id && p.verified));
    let session = ok.session.as_ref().expect("a session was started");
    assert!(session.session_id.starts_with("session-test-"));
    assert!(!ok.session_token.is_empty() && ok.session_jwt.split('.').count() == 3);
    let shown = format!("{ok:?}");
    assert!(!shown.contains(&ok.session_token) && !shown.contains(&ok.session_jwt));

    let err = client
        .otps
        .authenticate(check(&sent.phone_id, &code, None))
        .await
        .expect_err("a used code");
    assert_eq!(err.kind(), ErrorKind::InvalidCode);
    assert_eq!(err.error_type(), Some("unable_to_auth_otp_code"));
    assert!(!err.to_string().contains(&code), "{err}");
    emu.shutdown().await;
}

#[tokio::test]
async fn an_expired_or_replaced_code_is_refused() {
    let emu = emulator().await;
    let client = client(&emu);
    let sent = client
        .otps
        .sms
        .login_or_create(LoginOrCreateRequest {
            expiration_minutes: Some(1),
            ..login(PHONE)
        })
        .await
        .expect("login_or_create");
    let first = code_for(&emu, PHONE);
    emu.advance_clock(Duration::from_secs(61));
    let err = client
        .otps
        .authenticate(check(&sent.phone_id, &first, None))
        .await
        .expect_err("expired");
    assert_eq!(err.error_type(), Some("unable_to_auth_otp_code"));

    client
        .otps
        .sms
        .login_or_create(login(PHONE))
        .await
        .expect("a new code");
    let second = code_for(&emu, PHONE);
    client
        .otps
        .sms
        .login_or_create(login(PHONE))
        .await
        .expect("a newer code");
    if second != code_for(&emu, PHONE) {
        let err = client
            .otps
            .authenticate(check(&sent.phone_id, &second, None))
            .await
            .expect_err("replaced");
        assert_eq!(err.kind(), ErrorKind::InvalidCode);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_fail_before_any_request() {
    let emu = emulator().await;
    let client = client(&emu);
    let method = "phone-number-test-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f";
    for (request, field) in [
        (check(method, "12345", None), "code"),
        (
            check(
                "phone-number-live-2f1b7a53-6c1e-4f7e-9a55-0e7b3c1d2e4f",
                "123456",
                None,
            ),
            "method_id",
        ),
        (check(method, "123456", Some(4)), "session_duration_minutes"),
    ] {
        let err = client.otps.authenticate(request).await.expect_err(field);
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::Validation, Some(field))
        );
    }
    let err = client
        .otps
        .sms
        .login_or_create(login("2025550162"))
        .await
        .expect_err("no +");
    assert_eq!(err.field(), Some("phone_number"));
    assert!(
        emu.messages(None).is_empty(),
        "nothing reached the emulator"
    );
    emu.shutdown().await;
}

#[test]
fn the_blocking_client_logs_in_too() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let emu = runtime.block_on(emulator());
    let client = sms_otp::blocking::Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .build()
        .expect("a blocking client");
    let sent = client
        .otps
        .sms
        .login_or_create(login(PHONE))
        .expect("login_or_create");
    let code = code_for(&emu, PHONE);
    let ok = client
        .otps
        .authenticate(check(&sent.phone_id, &code, None))
        .expect("authenticate");
    assert!(ok.session.is_none() && ok.session_token.is_empty());
    runtime.block_on(emu.shutdown());
}
