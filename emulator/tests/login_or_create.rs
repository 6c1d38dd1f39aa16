//! `POST /v1/otps/sms/login_or_create` over real loopback HTTP: the answer, users made (and
//! pending when asked), the send's checks in the send's order, the shared rate limit, one
//! active code per number across send and login_or_create, the sandbox.

mod common;

use common::*;
use serde_json::json;
use sms_otp_emulator::{MessageStatus, UserStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_has_the_documented_shape_and_makes_the_user_once() {
    let emu = start().await;
    let reply = login_or_create(&emu, &json!({"phone_number": PHONE})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.first_read, reply.total, "one write");
    let body = reply.json();
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "phone_id",
            "request_id",
            "status_code",
            "user_created",
            "user_id"
        ]
    );
    assert_eq!(body["status_code"], 200);
    assert_eq!(body["user_created"], true);
    assert_id(&body["request_id"], "request-id-test-");
    assert_id(&body["user_id"], "user-test-");
    assert_id(&body["phone_id"], "phone-number-test-");

    let again = login_or_create(&emu, &json!({"phone_number": PHONE}))
        .await
        .json();
    assert_eq!(again["user_created"], false);
    assert_eq!(again["user_id"], body["user_id"]);
    assert_eq!(again["phone_id"], body["phone_id"]);

    let inbox = messages(&emu, PHONE);
    assert_eq!(inbox.len(), 2, "each call sends an SMS");
    assert_eq!(inbox[1].request_id, again["request_id"]);
    assert_eq!(
        inbox.iter().map(|m| m.status).collect::<Vec<_>>(),
        [MessageStatus::Invalidated, MessageStatus::Active]
    );
    let user = emu
        .user(body["user_id"].as_str().expect("id"))
        .expect("user");
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.phone_numbers.len(), 1);
    assert!(!user.phone_numbers[0].verified);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_as_pending_makes_a_pending_user_only_when_it_creates_one() {
    let emu = start().await;
    let body = login_or_create(
        &emu,
        &json!({"phone_number": PHONE, "create_user_as_pending": true}),
    )
    .await
    .json();
    assert_eq!(body["user_created"], true);
    let listed = admin_json(
        &emu,
        "GET",
        &format!("users?user_id={}", body["user_id"].as_str().expect("id")),
        None,
    )
    .await;
    assert_eq!(listed["users"][0]["status"], "pending");
    assert_eq!(listed["users"][0]["phone_numbers"][0]["verified"], false);

    // A number someone already has: no user made, the status stays.
    let user = emu.create_user(Some(PHONE_2)).expect("user");
    let body = login_or_create(
        &emu,
        &json!({"phone_number": PHONE_2, "create_user_as_pending": true}),
    )
    .await
    .json();
    assert_eq!(body["user_created"], false);
    assert_eq!(body["user_id"], user.user_id.as_str());
    assert_eq!(body["phone_id"], user.phone_id.as_deref().expect("phone"));
    assert_eq!(
        emu.user(&user.user_id).expect("user").status,
        UserStatus::Active
    );
    // A number first seen by a send belongs to the send's user.
    let sent = send_to(&emu, "+12025550170").await.json();
    let body = login_or_create(&emu, &json!({"phone_number": "+12025550170"}))
        .await
        .json();
    assert_eq!(
        (body["user_created"].clone(), body["user_id"].clone()),
        (json!(false), sent["user_id"].clone())
    );
    assert_eq!(emu.users().len(), 3);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_run_in_the_send_order() {
    let emu = start().await;
    let p = PHONE;
    let cases = [
        (json!([]), 400, "bad_request"),
        (json!({}), 400, "bad_request"),
        (json!({"phone_number": 5}), 400, "bad_request"),
        (
            json!({"phone_number": "bad", "create_user_as_pending": "yes"}),
            400,
            "bad_request",
        ),
        (
            json!({"phone_number": "bad", "expiration_minutes": "1"}),
            400,
            "bad_request",
        ),
        (
            json!({"phone_number": "bad", "attributes": "x"}),
            400,
            "bad_request",
        ),
        (
            json!({"phone_number": "bad", "expiration_minutes": 99}),
            400,
            "invalid_phone_number",
        ),
        (
            json!({"phone_number": "+442079460958", "expiration_minutes": 99}),
            400,
            "invalid_phone_number_country_code",
        ),
        (
            json!({"phone_number": p, "expiration_minutes": 11, "locale": "xx"}),
            400,
            "invalid_expiration_otp",
        ),
        (
            json!({"phone_number": p, "locale": "xx", "attributes": {"ip_address": "no"}}),
            400,
            "invalid_locale",
        ),
        (
            json!({"phone_number": p, "attributes": {"ip_address": "no"}}),
            400,
            "bad_request",
        ),
    ];
    for (body, status, error_type) in cases {
        let reply = login_or_create(&emu, &body).await;
        assert_error(&reply, status, error_type);
    }
    let reply = post_bytes(&emu, LOGIN_PATH, b"{not json")
        .await
        .expect("answered");
    assert_error(&reply, 400, "bad_request");
    assert!(emu.messages(None).is_empty(), "nothing sent");
    assert!(emu.users().is_empty(), "nobody made");

    // Credentials first, then the size.
    let req = request(
        "POST",
        LOGIN_PATH,
        &[("Authorization", &basic(emu.project_id(), "secret-test-no"))],
        br#"{"phone_number": "+12025550162"}"#,
    );
    let reply = raw(emu.local_addr(), &req).await.expect("answered");
    assert_error(&reply, 401, "unauthorized_credentials");
    let big = format!(
        r#"{{"phone_number": "{p}", "attributes": {{"user_agent": "{}"}}}}"#,
        "x".repeat(1 << 20)
    );
    let reply = post_bytes(&emu, LOGIN_PATH, big.as_bytes())
        .await
        .expect("answered");
    assert_error(&reply, 413, "bad_request");
    let reply = raw(emu.local_addr(), &request("GET", LOGIN_PATH, &[], b""))
        .await
        .expect("answered");
    assert_error(&reply, 405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("POST"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_and_the_active_code_are_shared_with_send() {
    let emu = start().await;
    for i in 0..5 {
        let reply = if i % 2 == 0 {
            send_to(&emu, PHONE).await
        } else {
            login_or_create(&emu, &json!({"phone_number": PHONE})).await
        };
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let reply = login_or_create(&emu, &json!({"phone_number": PHONE})).await;
    assert_error(&reply, 429, "too_many_requests");
    assert!(reply.header("retry-after").is_some());
    assert_error(&send_to(&emu, PHONE).await, 429, "too_many_requests");
    let statuses: Vec<MessageStatus> = messages(&emu, PHONE).iter().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        [
            MessageStatus::Invalidated,
            MessageStatus::Invalidated,
            MessageStatus::Invalidated,
            MessageStatus::Invalidated,
            MessageStatus::Active
        ]
    );

    // The sandbox: code 000000, no rate limit.
    for _ in 0..7 {
        let reply = login_or_create(&emu, &json!({"phone_number": SANDBOX})).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert!(messages(&emu, SANDBOX).iter().all(|m| m.code == "000000"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiration_locale_and_seeded_codes() {
    let config = sms_otp_emulator::Config {
        seed: Some(11),
        ..sms_otp_emulator::Config::default()
    };
    let a = start_with(config.clone()).await;
    let b = start_with(config).await;
    for emu in [&a, &b] {
        let reply = login_or_create(
            emu,
            &json!({"phone_number": PHONE, "expiration_minutes": 1, "locale": "es"}),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let (ma, mb) = (&messages(&a, PHONE)[0], &messages(&b, PHONE)[0]);
    assert_eq!(ma.code, mb.code, "same seed, same code");
    assert_eq!(ma.locale, "es");
    assert!(ma.text.starts_with("Tu código"), "{}", ma.text);
    assert!(ma.text.contains("1 minuto."), "{}", ma.text);
    a.advance_clock(std::time::Duration::from_secs(61));
    assert_eq!(messages(&a, PHONE)[0].status, MessageStatus::Expired);
    a.shutdown().await;
    b.shutdown().await;
}
