//! `POST /v1/otps/authenticate` over real loopback HTTP: the answer and the user object, every
//! error of docs/emulator.md's table, the failed-attempt limit, single use, expiry and
//! replacement on the virtual clock, verification of the phone and the pending user, the
//! sandbox and the request options.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use sms_otp_emulator::{MessageStatus, UserStatus, MAX_FAILED_ATTEMPTS};

fn sorted_keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    keys.sort_unstable();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_without_session_answers_the_user_and_empty_session_fields() {
    let emu = start().await;
    let created = login_or_create(
        &emu,
        &json!({"phone_number": PHONE, "create_user_as_pending": true}),
    )
    .await
    .json();
    let phone_id = created["phone_id"].as_str().expect("phone_id");
    let code = messages(&emu, PHONE)[0].code.clone();
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.first_read, reply.total, "one write");
    let body = reply.json();
    assert_eq!(
        sorted_keys(&body),
        [
            "method_id",
            "request_id",
            "reset_sessions",
            "session",
            "session_jwt",
            "session_token",
            "status_code",
            "user",
            "user_id"
        ]
    );
    assert_eq!(body["status_code"], 200);
    assert_id(&body["request_id"], "request-id-test-");
    assert_eq!(body["user_id"], created["user_id"]);
    assert_eq!(body["method_id"], phone_id);
    assert_eq!(body["session_token"], "");
    assert_eq!(body["session_jwt"], "");
    assert_eq!(body["session"], Value::Null);
    assert_eq!(body["reset_sessions"], false);

    // Every field the official Python SDK's User model requires, and the optional ones.
    let user = &body["user"];
    for field in [
        "user_id",
        "emails",
        "status",
        "phone_numbers",
        "webauthn_registrations",
        "providers",
        "totps",
        "crypto_wallets",
        "biometric_registrations",
        "is_locked",
        "roles",
        "name",
        "created_at",
        "trusted_metadata",
        "untrusted_metadata",
        "external_id",
    ] {
        assert!(user.get(field).is_some(), "user.{field} in {user}");
    }
    for list in [
        "emails",
        "webauthn_registrations",
        "providers",
        "totps",
        "crypto_wallets",
        "biometric_registrations",
        "roles",
    ] {
        assert_eq!(user[list], json!([]), "{list}");
    }
    assert_eq!(user["user_id"], created["user_id"]);
    assert_eq!(user["status"], "active", "a pending user becomes active");
    assert_eq!(user["is_locked"], false);
    assert_eq!(
        user["phone_numbers"],
        json!([{"phone_id": phone_id, "phone_number": PHONE, "verified": true}])
    );
    assert!(user["created_at"]
        .as_str()
        .is_some_and(|t| t.len() == 20 && t.ends_with('Z')));

    let info = emu
        .user(created["user_id"].as_str().expect("id"))
        .expect("user");
    assert_eq!(info.status, UserStatus::Active);
    assert!(info.phone_numbers[0].verified);
    assert_eq!(messages(&emu, PHONE)[0].status, MessageStatus::Used);
    assert!(
        emu.sessions(None).is_empty(),
        "no session without a duration"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_used_replaced_and_expired_codes_are_refused() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let attempt = |code: String| {
        let phone_id = phone_id.clone();
        let emu = &emu;
        async move { authenticate(emu, &json!({"method_id": phone_id, "code": code})).await }
    };
    let wrong = attempt(other_code(&code)).await;
    let err = assert_error(&wrong, 404, "otp_code_not_found");
    assert_eq!(
        err["error_message"],
        "The passcode provided was incorrect and could not be authenticated."
    );
    assert_eq!(
        attempt(code.clone()).await.status,
        200,
        "still good after a wrong one"
    );
    assert_error(&attempt(code.clone()).await, 401, "unable_to_auth_otp_code");

    // Replaced: a new send invalidates the previous code, whoever sent it.
    let (_, first) = code_for(&emu, PHONE).await;
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    let second = messages(&emu, PHONE).last().expect("message").code.clone();
    if first != second {
        assert_error(&attempt(first).await, 401, "unable_to_auth_otp_code");
    }
    // Expired on the virtual clock (default 2 minutes).
    emu.advance_clock(Duration::from_secs(121));
    assert_error(
        &attempt(second.clone()).await,
        401,
        "unable_to_auth_otp_code",
    );
    assert_eq!(
        messages(&emu, PHONE).last().expect("message").status,
        MessageStatus::Expired
    );
    // The inbox is a view: emptying it leaves the codes.
    let (_, fresh) = code_for(&emu, PHONE).await;
    emu.clear_messages();
    assert_eq!(attempt(fresh).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_codes_lock_the_code_until_a_new_one_is_sent() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let wrong = other_code(&code);
    for _ in 0..MAX_FAILED_ATTEMPTS {
        let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": wrong})).await;
        assert_error(&reply, 404, "otp_code_not_found");
    }
    for c in [&wrong, &code] {
        let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": c})).await;
        assert_error(&reply, 429, "too_many_requests");
    }
    // Other numbers are not affected.
    let (other_id, other) = code_for(&emu, PHONE_2).await;
    let reply = authenticate(&emu, &json!({"method_id": other_id, "code": other})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // A new code starts the count again.
    let (_, code) = code_for(&emu, PHONE).await;
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_requests() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let unknown = "phone-number-test-6d1f3c2e-8b7a-4c5d-9e0f-123456789abc";
    let cases = [
        (json!([]), 400, "bad_request"),
        (json!({"code": code}), 400, "bad_request"),
        (json!({"method_id": phone_id}), 400, "bad_request"),
        (
            json!({"method_id": phone_id, "code": 123_456}),
            400,
            "bad_request",
        ),
        (
            json!({"method_id": "x", "code": "1", "options": []}),
            400,
            "bad_request",
        ),
        (
            json!({"method_id": "p1", "code": "1"}),
            400,
            "invalid_method_id",
        ),
        (
            json!({"method_id": phone_id.to_uppercase(), "code": code}),
            400,
            "invalid_method_id",
        ),
        (
            json!({"method_id": phone_id, "code": "12345"}),
            400,
            "invalid_code",
        ),
        (
            json!({"method_id": phone_id, "code": "1234567"}),
            400,
            "invalid_code",
        ),
        (
            json!({"method_id": phone_id, "code": " 12345"}),
            400,
            "invalid_code",
        ),
        (
            json!({"method_id": phone_id, "code": code, "attributes": {"ip_address": "x"}}),
            400,
            "bad_request",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_token": "a", "session_jwt": "b"}),
            400,
            "too_many_session_arguments",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_jwt": ""}),
            400,
            "bad_request",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_duration_minutes": 4}),
            400,
            "invalid_session_duration_minutes",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_duration_minutes": 527_041}),
            400,
            "invalid_session_duration_minutes",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_duration_minutes": 60,
                   "session_custom_claims": {"exp": 1}}),
            400,
            "reserved_claims_in_custom_claims",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_duration_minutes": 60,
                   "session_custom_claims": {"https://stytch.com/organization": 1}}),
            400,
            "stytch_claims_in_custom_claims",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_duration_minutes": 60,
                   "session_custom_claims": {"big": "x".repeat(5000)}}),
            400,
            "custom_claims_too_large",
        ),
        (
            json!({"method_id": unknown, "code": code}),
            404,
            "phone_number_not_found",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_token": "no-such-token"}),
            404,
            "session_not_found",
        ),
        (
            json!({"method_id": phone_id, "code": code, "session_jwt": "a.b.c"}),
            404,
            "session_not_found",
        ),
    ];
    for (body, status, error_type) in cases {
        let reply = authenticate(&emu, &body).await;
        assert_error(&reply, status, error_type);
    }
    for bytes in [&b"{"[..], b"", b"null", b"\xff\xfe"] {
        let reply = post_bytes(&emu, AUTH_PATH, bytes).await.expect("answered");
        assert_error(&reply, 400, "bad_request");
    }
    // None of that used the code or counted as a failed attempt.
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let req = request(
        "POST",
        AUTH_PATH,
        &[("Content-Type", "application/json")],
        b"{}",
    );
    let reply = raw(emu.local_addr(), &req).await.expect("answered");
    assert_error(&reply, 401, "unauthorized_credentials");
    let big = format!(
        r#"{{"method_id": "{phone_id}", "code": "{}"}}"#,
        "1".repeat(1 << 20)
    );
    let reply = post_bytes(&emu, AUTH_PATH, big.as_bytes())
        .await
        .expect("answered");
    assert_error(&reply, 413, "bad_request");
    let reply = raw(emu.local_addr(), &request("PUT", AUTH_PATH, &[], b""))
        .await
        .expect("answered");
    assert_error(&reply, 405, "method_not_allowed");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_number_authenticates_with_000000() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, SANDBOX).await;
    assert_eq!(code, "000000");
    for _ in 0..3 {
        let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": "000000"})).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    // Wrong codes are refused but never lock the sandbox number.
    for _ in 0..(MAX_FAILED_ATTEMPTS + 2) {
        let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": "123456"})).await;
        assert_error(&reply, 404, "otp_code_not_found");
    }
    emu.advance_clock(Duration::from_secs(3600));
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": "000000"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_and_user_agent_match_options() {
    let emu = start().await;
    let attrs = json!({"ip_address": "203.0.113.7", "user_agent": "phone"});
    let sent = login_or_create(&emu, &json!({"phone_number": PHONE, "attributes": attrs}))
        .await
        .json();
    let phone_id = sent["phone_id"].as_str().expect("id");
    let code = messages(&emu, PHONE)[0].code.clone();
    let with = |attributes: Value, options: Value| json!({"method_id": phone_id, "code": code, "attributes": attributes, "options": options});
    let reply = authenticate(
        &emu,
        &with(
            json!({"ip_address": "198.51.100.1"}),
            json!({"ip_match_required": true}),
        ),
    )
    .await;
    assert_error(&reply, 401, "attribute_mismatch");
    let reply = authenticate(
        &emu,
        &with(
            json!({"ip_address": "203.0.113.7", "user_agent": "laptop"}),
            json!({"ip_match_required": true, "user_agent_match_required": true}),
        ),
    )
    .await;
    assert_error(&reply, 401, "attribute_mismatch");
    // A mismatch does not use the code.
    let reply = authenticate(
        &emu,
        &with(
            attrs.clone(),
            json!({"ip_match_required": true, "user_agent_match_required": true}),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_attempts_accept_a_code_once() {
    let emu = std::sync::Arc::new(start().await);
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (emu, phone_id, code) = (emu.clone(), phone_id.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            authenticate(&emu, &json!({"method_id": phone_id, "code": code}))
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses.sort_unstable();
    let mut expected = vec![200];
    expected.extend(std::iter::repeat_n(401, 19));
    assert_eq!(statuses, expected);
}
