//! `sms_otp_emulator::testing`: the bindings' testing API, in both languages' spellings.

use serde_json::{json, Value};
use sms_otp_emulator::testing::{EmulatorError, ErrorKind, Language, TestEmulator, METHODS};
use tokio::runtime::Handle;

const PHONE: &str = "+12025550162";

fn start(language: Language, options: Value) -> Result<TestEmulator, EmulatorError> {
    TestEmulator::start(&Handle::current(), language, &options)
}

async fn call(emu: &TestEmulator, method: &str, args: Value) -> Result<Value, EmulatorError> {
    let text = emu.call(method, &args).await?;
    Ok(serde_json::from_str(&text).expect("JSON"))
}

async fn send(emu: &TestEmulator) {
    let client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .build()
        .expect("client");
    let request = sms_otp::SendRequest {
        phone_number: PHONE.into(),
        ..Default::default()
    };
    client.otps.sms.send(request).await.expect("send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_operations_answer_json() {
    let emu = start(Language::Python, json!({"seed": 7, "rate_window": 60.0})).expect("starts");
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    send(&emu).await;
    let messages = call(&emu, "messages", json!({"phone_number": PHONE}))
        .await
        .expect("messages");
    assert_eq!(messages[0]["status"], "active");
    let user = call(&emu, "create_user", json!({"phone_number": "+12025550100"}))
        .await
        .expect("user");
    assert!(user["user_id"]
        .as_str()
        .expect("id")
        .starts_with("user-test-"));
    let session = call(&emu, "create_session", json!({"user_id": user["user_id"]}))
        .await
        .expect("session");
    assert_eq!(session["user_id"], user["user_id"]);
    let fault = call(&emu, "inject_fault", json!({"status": 503, "times": 2}))
        .await
        .expect("fault");
    assert!(fault["fault_id"]
        .as_str()
        .expect("id")
        .starts_with("fault-"));
    assert_eq!(fault["remaining"], 2);
    assert_eq!(
        call(&emu, "faults", Value::Null).await.expect("faults")[0],
        fault
    );
    assert_eq!(
        call(&emu, "clear_faults", json!({})).await.expect("clear"),
        1
    );
    assert_eq!(
        call(&emu, "advance_clock", json!({"seconds": 121}))
            .await
            .expect("clock"),
        Value::Null
    );
    let expired = call(&emu, "messages", Value::Null).await.expect("messages");
    assert_eq!(expired[0]["status"], "expired");
    assert_eq!(
        call(&emu, "clear_messages", Value::Null)
            .await
            .expect("clear"),
        1
    );
    assert_eq!(
        call(&emu, "reset", Value::Null).await.expect("reset"),
        Value::Null
    );
    call(&emu, "stop", Value::Null).await.expect("stop");
    call(&emu, "stop", Value::Null).await.expect("stop twice");
    let stopped = call(&emu, "messages", Value::Null)
        .await
        .expect_err("stopped");
    assert_eq!(stopped.kind, ErrorKind::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_message_waits_from_the_call_and_is_null_on_timeout() {
    let emu = start(Language::Node, Value::Null).expect("starts");
    // Watching starts at the call, before the future is polled.
    let next = emu.call(
        "next_message",
        &json!({"phone_number": PHONE, "timeout_ms": 5000}),
    );
    send(&emu).await;
    let text = next.await.expect("message");
    // Fields in the admin API's order.
    assert!(text.starts_with(r#"{"message_id":"#), "{text}");
    let message: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(message["phone_number"], PHONE);
    let none = call(&emu, "next_message", json!({"timeout_ms": 10}))
        .await
        .expect("timeout");
    assert_eq!(none, Value::Null);
    let py = start(Language::Python, Value::Null).expect("starts");
    assert_eq!(
        call(&py, "next_message", json!({"timeout": 0.01}))
            .await
            .expect("timeout"),
        Value::Null
    );
    let bad = call(&py, "next_message", json!({"timeout": 601}))
        .await
        .expect_err("range");
    assert_eq!(
        (bad.kind, bad.status, bad.field.as_deref()),
        (ErrorKind::Admin, Some(400), Some("timeout"))
    );
    // Stopping ends a wait with `stopped`.
    let waiting = py.call("next_message", &json!({"timeout": 30}));
    let stopping = py.call("stop", &Value::Null);
    let (waited, ()) = tokio::join!(waiting, async {
        stopping.await.expect("stop");
    });
    assert_eq!(waited.expect_err("stopped").kind, ErrorKind::Stopped);
    call(&emu, "stop", Value::Null).await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_one_shape_in_both_spellings() {
    let err = start(Language::Node, json!({"secret": "secret-live-x"})).expect_err("live");
    assert_eq!(
        (err.kind, err.field.as_deref()),
        (ErrorKind::LiveCredentials, Some("secret"))
    );
    let err = start(Language::Python, json!({"port": 70000})).expect_err("port");
    assert_eq!(
        (err.kind, err.field.as_deref()),
        (ErrorKind::InvalidConfig, Some("port"))
    );
    let err = start(Language::Python, json!({"seed": 1.5})).expect_err("seed");
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::Type, "seed must be an int, not float")
    );
    let err = start(Language::Node, json!({"seed": 9.007_199_254_740_992e15})).expect_err("unsafe");
    assert_eq!(err.kind, ErrorKind::InvalidConfig);
    assert!(err.message.contains("bigint"), "{}", err.message);
    let err = start(Language::Node, json!({"rate_window": 5})).expect_err("unit");
    assert_eq!(err.kind, ErrorKind::Type);
    assert!(
        err.message.contains("did you mean rate_window_ms"),
        "{}",
        err.message
    );
    let err = start(Language::Node, json!({"rate_window_ms": 0})).expect_err("window");
    assert_eq!(
        (err.kind, err.field.as_deref()),
        (ErrorKind::InvalidConfig, Some("rate_window_ms"))
    );
    let err = start(Language::Node, json!(5)).expect_err("not an object");
    assert_eq!(
        err.message,
        "Emulator.start options must be an object, got number"
    );

    let emu = start(Language::Node, Value::Null).expect("starts");
    let err = call(&emu, "create_session", json!({"user_id": "bob"}))
        .await
        .expect_err("malformed");
    assert_eq!(
        (err.status, err.error_type.as_deref()),
        (Some(400), Some("invalid_user_id"))
    );
    let err = call(&emu, "create_session", json!({}))
        .await
        .expect_err("missing");
    assert_eq!(err.message, "user_id must be a string, got undefined");
    let err = call(&emu, "messages", json!({"phone_number": 1}))
        .await
        .expect_err("type");
    assert_eq!(err.kind, ErrorKind::Type);
    let err = call(&emu, "next_message", json!({"timeout": 1}))
        .await
        .expect_err("unit");
    assert!(
        err.message
            .starts_with("nextMessage options have an unknown key"),
        "{}",
        err.message
    );
    let err = call(&emu, "inject_fault", json!({"bogus": 1}))
        .await
        .expect_err("fault");
    assert_eq!((err.kind, err.status), (ErrorKind::Admin, Some(400)));
    let err = call(&emu, "advance_clock", json!({"ms": -1}))
        .await
        .expect_err("backwards");
    assert_eq!((err.status, err.field.as_deref()), (Some(400), Some("ms")));
    let err = call(&emu, "create_user", json!({"phone_number": "x"}))
        .await
        .expect_err("phone");
    assert_eq!(err.error_type.as_deref(), Some("invalid_phone_number"));
    assert_eq!(
        call(&emu, "client", Value::Null)
            .await
            .expect_err("unknown")
            .kind,
        ErrorKind::Type
    );
    assert_eq!(
        EmulatorError::bad_value("messages", "phone_number", "is bad").status,
        Some(400)
    );
    assert_eq!(
        EmulatorError::bad_value("start", "secret", "is bad").kind,
        ErrorKind::InvalidConfig
    );
    assert!(METHODS.contains(&"next_message") && !METHODS.contains(&"client"));
    call(&emu, "stop", Value::Null).await.expect("stop");
}
