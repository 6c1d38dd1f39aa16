//! The admin API under `/_emulator/v1/` over real loopback HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use sms_otp_emulator::{Config, Message, MessageStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health() {
    let emu = start().await;
    let reply = admin(&emu, "GET", "health", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), json!({"status": "ok"}));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_list_filter_and_delete() {
    let emu = start().await;
    send_to(&emu, PHONE).await;
    send_to(&emu, PHONE_2).await;
    send_to(&emu, PHONE).await;

    let all = admin_json(&emu, "GET", "messages", None).await;
    let all: Vec<Message> = serde_json::from_value(all["messages"].clone()).expect("messages");
    assert_eq!(all.len(), 3);
    assert_eq!(all, emu.messages(None), "admin API and Rust API agree");
    let numbers: Vec<&str> = all.iter().map(|m| m.phone_number.as_str()).collect();
    assert_eq!(numbers, [PHONE, PHONE_2, PHONE], "oldest first");

    // `+` may be written raw or percent-encoded.
    for query in [
        "messages?phone_number=+12025550162",
        "messages?phone_number=%2B12025550162",
    ] {
        let one = admin_json(&emu, "GET", query, None).await;
        let one: Vec<Message> = serde_json::from_value(one["messages"].clone()).expect("list");
        assert_eq!(one.len(), 2, "{query}");
        assert!(one.iter().all(|m| m.phone_number == PHONE));
        assert_eq!(one[0].status, MessageStatus::Invalidated);
        assert_eq!(one[1].status, MessageStatus::Active);
        // Every documented field is there.
        let raw = admin_json(&emu, "GET", query, None).await;
        let mut keys: Vec<&String> = raw["messages"][0]
            .as_object()
            .expect("object")
            .keys()
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "code",
                "created_at",
                "expires_at",
                "locale",
                "message_id",
                "phone_id",
                "phone_number",
                "request_id",
                "status",
                "text",
                "user_id"
            ]
        );
    }
    let none = admin_json(&emu, "GET", "messages?phone_number=%2B19999999999", None).await;
    assert_eq!(none["messages"], json!([]));
    let bad = admin(&emu, "GET", "messages?phone_number=%zz", None).await;
    assert_error(&bad, 400, "bad_request");

    let deleted = admin_json(&emu, "DELETE", "messages", None).await;
    assert_eq!(deleted, json!({"deleted": 3}));
    assert!(emu.messages(None).is_empty());
    emu.shutdown().await;
}

/// The long-poll answers with a message sent after it started, never one sent before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_poll_returns_the_next_message() {
    let emu = start().await;
    let before = send_to(&emu, SANDBOX).await.json();
    let addr = emu.local_addr();
    let poll = tokio::spawn(async move {
        raw(
            addr,
            &request(
                "GET",
                "/_emulator/v1/messages/next?phone_number=%2B10000000000&timeout_ms=20000",
                &[],
                b"",
            ),
        )
        .await
    });
    // Messages to another number never wake it; keep sending to ours until the poll (which
    // started at some point after the spawn) answers.
    let mut sent_after = Vec::new();
    while !poll.is_finished() {
        send_to(&emu, PHONE_2).await;
        sent_after.push(send_to(&emu, SANDBOX).await.json()["request_id"].clone());
        assert!(sent_after.len() < 2000, "the long-poll never answered");
    }
    let reply = poll.await.expect("joined").expect("answered");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let message: Message = serde_json::from_value(reply.json()).expect("a message");
    assert_eq!(message.phone_number, SANDBOX);
    assert_ne!(json!(message.request_id), before["request_id"]);
    assert!(sent_after.contains(&json!(message.request_id)));
    emu.shutdown().await;
}

/// The same through the Rust API, where "started" is observable: the first poll registers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_message_in_rust_sees_only_later_messages() {
    let emu = start().await;
    send_to(&emu, PHONE).await;
    let next = emu.next_message(Some(PHONE), Duration::from_secs(20));
    let mut next = std::pin::pin!(next);
    tokio::select! {
        biased;
        _ = &mut next => panic!("nothing was sent yet"),
        () = std::future::ready(()) => {}
    }
    let sent = send_to(&emu, PHONE).await.json();
    let message = next.await.expect("a message");
    assert_eq!(json!(message.request_id), sent["request_id"]);
    assert_eq!(message.status, MessageStatus::Active);
    // And it times out when nothing comes.
    let started = Instant::now();
    assert!(emu
        .next_message(None, Duration::from_millis(100))
        .await
        .is_none());
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_poll_times_out() {
    let emu = start().await;
    send_to(&emu, PHONE).await; // already there: does not count
    let started = Instant::now();
    let reply = admin(
        &emu,
        "GET",
        "messages/next?phone_number=%2B12025550162&timeout_ms=300",
        None,
    )
    .await;
    let elapsed = started.elapsed();
    let err = assert_error(&reply, 408, "timeout");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .contains("300 ms"));
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // timeout_ms=0 answers at once.
    let reply = admin(&emu, "GET", "messages/next?timeout_ms=0", None).await;
    assert_eq!(reply.status, 408);
    for bad in ["-1", "abc", "600001", "1.5"] {
        let reply = admin(
            &emu,
            "GET",
            &format!("messages/next?timeout_ms={bad}"),
            None,
        )
        .await;
        assert_error(&reply, 400, "bad_request");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_sessions() {
    let emu = start().await;
    let user = admin_json(&emu, "POST", "users", None).await;
    assert_id(&user["user_id"], "user-test-");
    assert_eq!(user["phone_id"], Value::Null);
    let user = admin_json(&emu, "POST", "users", Some("{}")).await;
    assert_id(&user["user_id"], "user-test-");
    let with_phone = admin_json(
        &emu,
        "POST",
        "users",
        Some(r#"{"phone_number": "+12025550162"}"#),
    )
    .await;
    assert_id(&with_phone["phone_id"], "phone-number-test-");
    assert_eq!(with_phone["phone_number"], PHONE);

    let dup = admin(
        &emu,
        "POST",
        "users",
        Some(r#"{"phone_number": "+12025550162"}"#),
    )
    .await;
    assert_error(&dup, 400, "duplicate_phone_number");
    let bad = admin(&emu, "POST", "users", Some(r#"{"phone_number": "555"}"#)).await;
    let err = assert_error(&bad, 400, "invalid_phone_number");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .contains("phone_number"));

    let session = admin_json(
        &emu,
        "POST",
        "sessions",
        Some(&json!({"user_id": with_phone["user_id"]}).to_string()),
    )
    .await;
    assert_id(&session["session_id"], "session-test-");
    assert_eq!(session["user_id"], with_phone["user_id"]);
    assert_eq!(session["session_token"].as_str().map(str::len), Some(44));
    assert_eq!(
        session["session_jwt"]
            .as_str()
            .map(|j| j.split('.').count()),
        Some(3)
    );
    let unknown = admin(
        &emu,
        "POST",
        "sessions",
        Some(r#"{"user_id": "user-test-00000000-0000-4000-8000-000000000000"}"#),
    )
    .await;
    assert_error(&unknown, 404, "user_not_found");
    let malformed = admin(&emu, "POST", "sessions", Some(r#"{"user_id": "bob"}"#)).await;
    assert_error(&malformed, 400, "invalid_user_id");
    let missing = admin(&emu, "POST", "sessions", Some("{}")).await;
    let err = assert_error(&missing, 400, "bad_request");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .contains("user_id"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_json_wrong_types_and_oversized_bodies_get_a_reason() {
    let emu = start().await;
    let cases: [(&str, &str, &str); 9] = [
        ("users", "{", "not valid JSON"),
        ("users", "[1]", "must be a JSON object"),
        ("users", r#"{"phone_number": 5}"#, "invalid type"),
        ("users", r#"{"phone": "+12025550162"}"#, "unknown field"),
        ("sessions", r#"{"user_id": null}"#, "invalid type"),
        ("clock/advance", r#"{"seconds": "10"}"#, "invalid type"),
        ("clock/advance", "{}", "missing field"),
        ("faults", r#"{"kind": "explode"}"#, "unknown variant"),
        ("reset", r#"{"everything": true}"#, "unknown field"),
    ];
    for (path, body, reason) in cases {
        let reply = admin(&emu, "POST", path, Some(body)).await;
        let err = assert_error(&reply, 400, "bad_request");
        let message = err["error_message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{path} {body}: {message}");
    }
    let huge = format!(r#"{{"phone_number": "{}"}}"#, "1".repeat(1 << 20));
    let reply = admin(&emu, "POST", "users", Some(&huge)).await;
    let err = assert_error(&reply, 413, "bad_request");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .contains("1 MiB"));
    // Deeply nested JSON is refused, not a crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let reply = admin(&emu, "POST", "faults", Some(&deep)).await;
    assert_error(&reply, 400, "bad_request");
    let reply = send_bytes(&emu, deep.as_bytes()).await.expect("answer");
    assert_error(&reply, 400, "bad_request");
    // Still healthy.
    assert_eq!(admin(&emu, "GET", "health", None).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_advance() {
    let emu = start().await;
    let before = admin_json(&emu, "GET", "clock", None).await;
    assert_eq!(before["offset_seconds"], 0.0);
    let after = admin_json(&emu, "POST", "clock/advance", Some(r#"{"seconds": 90.5}"#)).await;
    assert_eq!(after["offset_seconds"], 90.5);
    let moved = after["now_ms"].as_i64().expect("ms") - before["now_ms"].as_i64().expect("ms");
    assert!((90_500..95_000).contains(&moved), "{moved}");
    assert!(after["now"].as_str().expect("now").ends_with('Z'));
    for bad in [r#"{"seconds": -1}"#, r#"{"seconds": 1e300}"#] {
        let reply = admin(&emu, "POST", "clock/advance", Some(bad)).await;
        let err = assert_error(&reply, 400, "bad_request");
        assert!(err["error_message"]
            .as_str()
            .unwrap_or_default()
            .contains("seconds"));
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_forgets_everything() {
    let emu = start_with(Config {
        rate_limit: 1,
        ..Config::default()
    })
    .await;
    let first = send_to(&emu, PHONE).await.json();
    assert_eq!(send_to(&emu, PHONE).await.status, 429);
    let user = emu.create_user(None).expect("user");
    admin_json(
        &emu,
        "POST",
        "faults",
        Some(r#"{"phone_number": "+19999999999"}"#),
    )
    .await;
    admin_json(&emu, "POST", "clock/advance", Some(r#"{"seconds": 30}"#)).await;

    let reply = admin_json(&emu, "POST", "reset", None).await;
    assert_eq!(reply, json!({"reset": true}));
    assert!(emu.messages(None).is_empty());
    assert!(emu.faults().is_empty());
    let clock = admin_json(&emu, "GET", "clock", None).await;
    assert_eq!(clock["offset_seconds"], 0.0);
    // Rate counters, numbers and users are gone too.
    let again = send_to(&emu, PHONE).await;
    assert_eq!(again.status, 200);
    assert_ne!(again.json()["phone_id"], first["phone_id"]);
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE_2, "user_id": user.user_id}),
    )
    .await;
    assert_error(&reply, 404, "user_not_found");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_admin_validation_and_listing() {
    let emu = start().await;
    let defaults = admin_json(&emu, "POST", "faults", None).await;
    assert!(defaults["fault_id"]
        .as_str()
        .expect("id")
        .starts_with("fault-"));
    assert_eq!(defaults["kind"], "error");
    assert_eq!(defaults["status"], 500);
    assert_eq!(defaults["error_type"], "internal_server_error");
    assert_eq!(defaults["times"], 1);
    assert_eq!(defaults["hits"], 0);
    let bad_cases = [
        (r#"{"status": 200}"#, "400 to 599"),
        (r#"{"status": 700}"#, "400 to 599"),
        (r#"{"kind": "stall", "status": 500}"#, "status applies only"),
        (r#"{"kind": "malformed_body", "status": 100}"#, "200 to 599"),
        (
            r#"{"kind": "stall", "error_type": "x"}"#,
            "error_type applies only",
        ),
        (
            r#"{"kind": "stall", "retry_after": 1}"#,
            "retry_after applies only",
        ),
        (r#"{"times": 0}"#, "at least 1"),
        (r#"{"times": -1}"#, "invalid value"),
        (r#"{"delay_ms": 600001}"#, "at most"),
        (r#"{"error_type": " "}"#, "empty"),
        (r#"{"phone_number": ""}"#, "empty"),
        (r#"{"time": 2}"#, "unknown field"),
    ];
    for (body, reason) in bad_cases {
        let reply = admin(&emu, "POST", "faults", Some(body)).await;
        let err = assert_error(&reply, 400, "bad_request");
        let message = err["error_message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{body}: {message}");
    }
    let listed = admin_json(&emu, "GET", "faults", None).await;
    assert_eq!(listed["faults"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["faults"][0]["fault_id"], defaults["fault_id"]);
    let deleted = admin_json(&emu, "DELETE", "faults", None).await;
    assert_eq!(deleted, json!({"deleted": 1}));
    assert!(emu.faults().is_empty());
    emu.shutdown().await;
}

/// The admin API answers loopback clients only. Needs a non-loopback interface; skipped
/// (passes) on machines without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_refuses_non_loopback_clients() {
    let Some(ip) = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
    else {
        eprintln!("no non-loopback interface: skipped");
        return;
    };
    let emu = start_with(Config {
        host: "0.0.0.0".into(),
        ..Config::default()
    })
    .await;
    assert!(emu.url().starts_with("http://127.0.0.1:"), "{}", emu.url());
    let outside = std::net::SocketAddr::new(ip, emu.local_addr().port());
    let reply = raw(outside, &request("GET", "/_emulator/v1/messages", &[], b""))
        .await
        .expect("answer");
    assert_error(&reply, 403, "forbidden");
    // The API itself answers anyone with the credentials.
    let auth = auth(&emu);
    let body = json!({"phone_number": PHONE}).to_string();
    let reply = raw(
        outside,
        &request(
            "POST",
            "/v1/otps/sms/send",
            &[("Authorization", &auth)],
            body.as_bytes(),
        ),
    )
    .await
    .expect("answer");
    assert_eq!(reply.status, 200);
    emu.shutdown().await;
}
