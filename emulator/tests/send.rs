//! `POST /v1/otps/sms/send` over real loopback HTTP: every row of docs/emulator.md's table, the
//! success path, sandbox, invalidation, expiry, rate limits, locales, users and sessions.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use sms_otp_emulator::{Config, MessageStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_has_the_documented_shape() {
    let emu = start().await;
    let reply = send_to(&emu, PHONE).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.first_read, reply.total, "one write");
    let body = reply.json();
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort_unstable();
    assert_eq!(keys, ["phone_id", "request_id", "status_code", "user_id"]);
    assert_eq!(body["status_code"], 200);
    assert_id(&body["request_id"], "request-id-test-");
    assert_id(&body["user_id"], "user-test-");
    assert_id(&body["phone_id"], "phone-number-test-");

    let inbox = messages(&emu, PHONE);
    assert_eq!(inbox.len(), 1);
    let m = &inbox[0];
    assert_eq!(m.phone_number, PHONE);
    assert_eq!(m.phone_id, body["phone_id"]);
    assert_eq!(m.user_id, body["user_id"]);
    assert_eq!(m.request_id, body["request_id"]);
    assert_eq!(m.status, MessageStatus::Active);
    assert_eq!(m.locale, "en");
    assert!(m.code.len() == 6 && m.code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        m.text,
        format!(
            "Your verification code is {}. It expires in 2 minutes.",
            m.code
        )
    );
    assert_id(&json!(m.message_id), "message-test-");
    // Default expiry: 2 minutes after creation.
    let minutes = |t: &str| -> i64 {
        let hm = &t[11..19];
        let parts: Vec<i64> = hm.split(':').map(|x| x.parse().expect("digits")).collect();
        parts[0] * 3600 + parts[1] * 60 + parts[2]
    };
    assert_eq!(
        (minutes(&m.expires_at) - minutes(&m.created_at)).rem_euclid(86_400),
        120
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_checked_first() {
    let emu = start().await;
    let addr = emu.local_addr();
    let body = json!({"phone_number": PHONE}).to_string();
    let wrong = [
        None,
        Some(basic(emu.project_id(), "secret-test-wrong")),
        Some(basic("project-test-other", emu.secret())),
        Some("Basic !!!not-base64".to_owned()),
        Some(format!("Bearer {}", emu.secret())),
        Some(basic(emu.project_id(), "").replace("Basic ", "Basic")),
    ];
    for auth in wrong {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("Authorization", auth));
        }
        let reply = raw(
            addr,
            &request("POST", "/v1/otps/sms/send", &headers, body.as_bytes()),
        )
        .await
        .expect("answer");
        let err = assert_error(&reply, 401, "unauthorized_credentials");
        assert_eq!(err["error_message"], "Unauthorized credentials.");
    }
    // Bad JSON and oversized bodies without credentials are still a 401.
    for body in [b"{not json".to_vec(), vec![b' '; (1 << 20) + 10]] {
        let reply = raw(addr, &request("POST", "/v1/otps/sms/send", &[], &body))
            .await
            .expect("answer");
        assert_error(&reply, 401, "unauthorized_credentials");
    }
    // Scheme case does not matter.
    let lower = auth(&emu).replace("Basic", "basic");
    let reply = raw(
        addr,
        &request(
            "POST",
            "/v1/otps/sms/send",
            &[("Authorization", &lower)],
            body.as_bytes(),
        ),
    )
    .await
    .expect("answer");
    assert_eq!(reply.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_row_of_the_table() {
    let emu = start().await;
    let unknown_user = "user-test-00000000-0000-4000-8000-000000000000";
    let cases: Vec<(&str, u16, &str, Option<&str>)> = vec![
        // body not JSON / not an object / phone_number missing or not a string
        (
            "{",
            400,
            "bad_request",
            Some("The submitted request is invalid."),
        ),
        ("", 400, "bad_request", None),
        ("[]", 400, "bad_request", None),
        ("\"+12025550162\"", 400, "bad_request", None),
        ("{}", 400, "bad_request", None),
        (r#"{"phone_number": null}"#, 400, "bad_request", None),
        (r#"{"phone_number": 12025550162}"#, 400, "bad_request", None),
        // other fields of the wrong JSON type
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": "5"}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": 5.5}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "locale": 1}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "attributes": "x"}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "attributes": {"user_agent": 1}}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "user_id": 1}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "session_token": true}"#,
            400,
            "bad_request",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "session_jwt": []}"#,
            400,
            "bad_request",
            None,
        ),
        // bad attributes
        (
            r#"{"phone_number": "+12025550162", "attributes": {"ip_address": "300.1.1.1"}}"#,
            400,
            "bad_request",
            None,
        ),
        // phone number not E.164 / unassigned calling code
        (
            r#"{"phone_number": "2025550162"}"#,
            400,
            "invalid_phone_number",
            Some("Phone number format is invalid. Ensure the phone number is in the E.164 format."),
        ),
        (
            r#"{"phone_number": "+1 202 555 0162"}"#,
            400,
            "invalid_phone_number",
            None,
        ),
        (r#"{"phone_number": ""}"#, 400, "invalid_phone_number", None),
        (
            r#"{"phone_number": "+9991234567"}"#,
            400,
            "invalid_phone_number",
            None,
        ),
        // calling code not in the allowlist
        (
            r#"{"phone_number": "+442079460958"}"#,
            400,
            "invalid_phone_number_country_code",
            Some("The phone number's country code is invalid, unsupported, or disabled."),
        ),
        // expiration outside 1..10
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": 0}"#,
            400,
            "invalid_expiration_otp",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": 11}"#,
            400,
            "invalid_expiration_otp",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": -1}"#,
            400,
            "invalid_expiration_otp",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": 18446744073709551615}"#,
            400,
            "invalid_expiration_otp",
            None,
        ),
        // Beyond 64 bits JSON numbers are not integers any more.
        (
            r#"{"phone_number": "+12025550162", "expiration_minutes": 99999999999999999999}"#,
            400,
            "bad_request",
            None,
        ),
        // unknown locale
        (
            r#"{"phone_number": "+12025550162", "locale": "pt-BR"}"#,
            400,
            "invalid_locale",
            Some("locale is invalid."),
        ),
        (
            r#"{"phone_number": "+12025550162", "locale": ""}"#,
            400,
            "invalid_locale",
            None,
        ),
        // user_id malformed / unknown
        (
            r#"{"phone_number": "+12025550162", "user_id": "user-123"}"#,
            400,
            "invalid_user_id",
            Some("user_id format is invalid."),
        ),
        (
            r#"{"phone_number": "+12025550162", "user_id": "user-test-ABCDEF00-0000-4000-8000-000000000000"}"#,
            400,
            "invalid_user_id",
            None,
        ),
        (
            r#"{"phone_number": "+12025550162", "user_id": ""}"#,
            400,
            "invalid_user_id",
            None,
        ),
        // both session arguments
        (
            r#"{"phone_number": "+12025550162", "session_token": "a", "session_jwt": "b"}"#,
            400,
            "too_many_session_arguments",
            None,
        ),
        // unknown session
        (
            r#"{"phone_number": "+12025550162", "session_token": "nope"}"#,
            404,
            "session_not_found",
            Some("Session could not be found."),
        ),
        (
            r#"{"phone_number": "+12025550162", "session_jwt": "a.b.c"}"#,
            404,
            "session_not_found",
            None,
        ),
    ];
    for (body, status, error_type, message) in cases {
        let reply = send_bytes(&emu, body.as_bytes()).await.expect("answer");
        let err = assert_error(&reply, status, error_type);
        if let Some(message) = message {
            assert_eq!(err["error_message"], message, "{body}");
        }
    }
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE, "user_id": unknown_user}),
    )
    .await;
    let err = assert_error(&reply, 404, "user_not_found");
    assert_eq!(err["error_message"], "User could not be found.");
    // No failed send left anything behind.
    assert!(emu.messages(None).is_empty());
    // Unknown fields and explicit nulls are fine.
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE, "locale": null, "attributes": null, "future_field": 1}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_one_mebibyte_are_413() {
    let emu = start().await;
    // Exactly 1 MiB is accepted.
    let mut body = json!({"phone_number": PHONE}).to_string().into_bytes();
    body.resize(1 << 20, b' ');
    let reply = send_bytes(&emu, &body).await.expect("answer");
    assert_eq!(reply.status, 200, "{}", reply.text());
    // One byte more is not.
    body.push(b' ');
    let reply = send_bytes(&emu, &body).await.expect("answer");
    let err = assert_error(&reply, 413, "bad_request");
    assert_eq!(err["status_code"], 413);
    // Neither is a chunked body that grows past the limit.
    let auth = auth(&emu);
    let mut req = format!(
        "POST /v1/otps/sms/send HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {auth}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..3 {
        req.extend_from_slice(format!("{:x}\r\n", 512 * 1024).as_bytes());
        req.extend(std::iter::repeat_n(b' ', 512 * 1024));
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let reply = raw(emu.local_addr(), &req).await.expect("answer");
    assert_error(&reply, 413, "bad_request");
    assert_eq!(emu.messages(None).len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_invalidates_and_ids_are_stable() {
    let emu = start().await;
    let first = send_to(&emu, PHONE).await.json();
    let second = send_to(&emu, PHONE).await.json();
    let other = send_to(&emu, PHONE_2).await.json();
    assert_eq!(first["phone_id"], second["phone_id"]);
    assert_eq!(first["user_id"], second["user_id"]);
    assert_ne!(first["request_id"], second["request_id"]);
    assert_ne!(first["phone_id"], other["phone_id"]);
    assert_ne!(first["user_id"], other["user_id"]);
    let inbox = messages(&emu, PHONE);
    let statuses: Vec<MessageStatus> = inbox.iter().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        [MessageStatus::Invalidated, MessageStatus::Active]
    );
    assert_eq!(
        messages(&emu, PHONE_2)[0].status,
        MessageStatus::Active,
        "other numbers are untouched"
    );
    // Clearing the inbox keeps the number's identity.
    emu.clear_messages();
    let third = send_to(&emu, PHONE).await.json();
    assert_eq!(third["phone_id"], first["phone_id"]);
    assert_eq!(messages(&emu, PHONE)[0].status, MessageStatus::Active);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_expire_on_the_virtual_clock() {
    let emu = start().await;
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE, "expiration_minutes": 1}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(messages(&emu, PHONE)[0]
        .text
        .ends_with("It expires in 1 minute."));
    emu.advance_clock(Duration::from_secs(58));
    assert_eq!(messages(&emu, PHONE)[0].status, MessageStatus::Active);
    let clock = admin_json(&emu, "POST", "clock/advance", Some(r#"{"seconds": 2}"#)).await;
    assert_eq!(clock["offset_seconds"], 60.0);
    assert_eq!(messages(&emu, PHONE)[0].status, MessageStatus::Expired);
    // A later send does not turn an expired code into an invalidated one.
    send(
        &emu,
        &json!({"phone_number": PHONE, "expiration_minutes": 10}),
    )
    .await;
    let statuses: Vec<MessageStatus> = messages(&emu, PHONE).iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MessageStatus::Expired, MessageStatus::Active]);
    emu.advance_clock(Duration::from_secs(599));
    assert_eq!(messages(&emu, PHONE)[1].status, MessageStatus::Active);
    emu.advance_clock(Duration::from_secs(1));
    assert_eq!(messages(&emu, PHONE)[1].status, MessageStatus::Expired);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_with_retry_after_and_window_reset() {
    let emu = start().await;
    for _ in 0..5 {
        assert_eq!(send_to(&emu, PHONE).await.status, 200);
    }
    let reply = send_to(&emu, PHONE).await;
    let err = assert_error(&reply, 429, "too_many_requests");
    assert_eq!(err["error_message"], "Too many requests have been made.");
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    // The window ends at the top of the hour of the emulator's clock.
    let clock = admin_json(&emu, "GET", "clock", None).await;
    let now_ms = clock["now_ms"].as_i64().expect("now_ms");
    let end_s = (now_ms + 999) / 1000 + i64::try_from(retry_after).expect("small");
    assert!(end_s % 3600 <= 1 || end_s % 3600 >= 3599, "{end_s}");
    // The refused send was not recorded, other numbers are not limited.
    assert_eq!(messages(&emu, PHONE).len(), 5);
    assert_eq!(send_to(&emu, PHONE_2).await.status, 200);
    // Still limited a little before the window ends; free once it has.
    emu.advance_clock(Duration::from_secs(retry_after.saturating_sub(2)));
    assert_eq!(send_to(&emu, PHONE).await.status, 429);
    emu.advance_clock(Duration::from_secs(2));
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    assert_eq!(messages(&emu, PHONE).len(), 6);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_and_window_are_configurable() {
    let emu = start_with(Config {
        rate_limit: 2,
        rate_window: Duration::from_secs(60),
        ..Config::default()
    })
    .await;
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    let reply = send_to(&emu, PHONE).await;
    assert_eq!(reply.status, 429);
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry_after));
    emu.advance_clock(Duration::from_secs(60));
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_number_gets_000000_and_no_rate_limit() {
    let emu = start().await;
    for _ in 0..12 {
        let reply = send_to(&emu, SANDBOX).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let inbox = messages(&emu, SANDBOX);
    assert_eq!(inbox.len(), 12);
    assert!(inbox.iter().all(|m| m.code == "000000"));
    let active = inbox
        .iter()
        .filter(|m| m.status == MessageStatus::Active)
        .count();
    assert_eq!(active, 1);
    assert_eq!(inbox[11].status, MessageStatus::Active);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_text_follows_the_locale() {
    let emu = start_with(Config {
        rate_limit: 100,
        ..Config::default()
    })
    .await;
    let expected = [
        (
            "en",
            "Your verification code is {}. It expires in 5 minutes.",
        ),
        (
            "es",
            "Tu código de verificación es {}. Caduca en 5 minutos.",
        ),
        (
            "fr",
            "Votre code de vérification est {}. Il expire dans 5 minutes.",
        ),
        (
            "pt-br",
            "Seu código de verificação é {}. Ele expira em 5 minutos.",
        ),
        ("it", "Il tuo codice di verifica è {}. Scade tra 5 minuti."),
        (
            "de-DE",
            "Ihr Bestätigungscode lautet {}. Er läuft in 5 Minuten ab.",
        ),
        (
            "ja",
            "Your verification code is {}. It expires in 5 minutes.",
        ),
    ];
    for (locale, text) in expected {
        let reply = send(
            &emu,
            &json!({"phone_number": PHONE, "locale": locale, "expiration_minutes": 5}),
        )
        .await;
        assert_eq!(reply.status, 200, "{locale}: {}", reply.text());
        let inbox = messages(&emu, PHONE);
        let last = inbox.last().expect("a message");
        assert_eq!(last.locale, locale);
        assert_eq!(last.text, text.replace("{}", &last.code), "{locale}");
    }
    // Every locale of the API is accepted.
    for locale in sms_otp::Locale::ALL {
        let reply = send(
            &emu,
            &json!({"phone_number": SANDBOX, "locale": locale.as_str()}),
        )
        .await;
        assert_eq!(reply.status, 200, "{locale}");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_id_and_session_paths() {
    let emu = start().await;
    // A user seeded with a number owns it.
    let user = admin_json(
        &emu,
        "POST",
        "users",
        Some(&json!({"phone_number": PHONE}).to_string()),
    )
    .await;
    let user_id = user["user_id"].as_str().expect("user_id").to_owned();
    let reply = send(&emu, &json!({"phone_number": PHONE, "user_id": user_id})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["user_id"], user_id.as_str());
    assert_eq!(reply.json()["phone_id"], user["phone_id"]);
    // Without user_id the number still answers with its owner.
    assert_eq!(
        send_to(&emu, PHONE).await.json()["user_id"],
        user_id.as_str()
    );

    // A session attaches a new number to its user, by token or by JWT.
    let session = admin_json(
        &emu,
        "POST",
        "sessions",
        Some(&json!({"user_id": user_id}).to_string()),
    )
    .await;
    let by_token = send(
        &emu,
        &json!({"phone_number": PHONE_2, "session_token": session["session_token"]}),
    )
    .await;
    assert_eq!(by_token.status, 200, "{}", by_token.text());
    assert_eq!(by_token.json()["user_id"], user_id.as_str());
    let by_jwt = send(
        &emu,
        &json!({"phone_number": PHONE_2, "session_jwt": session["session_jwt"]}),
    )
    .await;
    assert_eq!(by_jwt.json()["user_id"], user_id.as_str());
    assert_eq!(by_jwt.json()["phone_id"], by_token.json()["phone_id"]);

    // A number owned by someone else cannot be attached to another user.
    let other = emu.create_user(None).expect("user");
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE, "user_id": other.user_id}),
    )
    .await;
    let err = assert_error(&reply, 400, "duplicate_phone_number");
    assert_eq!(
        err["error_message"],
        "A user with the specified phone number already exists for this project."
    );
    // user_id and a session of another user disagree.
    let reply = send(
        &emu,
        &json!({"phone_number": "+12025550199", "user_id": other.user_id,
                "session_token": session["session_token"]}),
    )
    .await;
    assert_error(&reply, 400, "bad_request");
    // Users created by sends can be used too.
    let fresh: Value = send_to(&emu, "+12025550100").await.json();
    let reply = send(
        &emu,
        &json!({"phone_number": "+12025550100", "user_id": fresh["user_id"]}),
    )
    .await;
    assert_eq!(reply.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowlist_is_configurable() {
    let emu = start_with(Config {
        allowed_country_codes: vec!["44".into()],
        ..Config::default()
    })
    .await;
    assert_eq!(send_to(&emu, "+442079460958").await.status, 200);
    // The sandbox number is +1, so it follows the allowlist like any US number.
    let reply = send_to(&emu, SANDBOX).await;
    assert_error(&reply, 400, "invalid_phone_number_country_code");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_codes_are_reproducible() {
    let mut runs = Vec::new();
    for seed in [42, 42, 43] {
        let emu = start_with(Config {
            seed: Some(seed),
            ..Config::default()
        })
        .await;
        send_to(&emu, PHONE).await;
        send_to(&emu, PHONE_2).await;
        send_to(&emu, PHONE).await;
        let codes: Vec<String> = emu.messages(None).into_iter().map(|m| m.code).collect();
        let ids: Vec<String> = emu.messages(None).into_iter().map(|m| m.phone_id).collect();
        // After a reset the same sequence starts again.
        emu.reset();
        send_to(&emu, PHONE).await;
        assert_eq!(emu.messages(None)[0].code, codes[0]);
        runs.push((codes, ids));
        emu.shutdown().await;
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0].0, runs[2].0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_and_wrong_methods() {
    let emu = start().await;
    let addr = emu.local_addr();
    let auth = auth(&emu);
    for method in ["GET", "PUT", "DELETE"] {
        let reply = raw(
            addr,
            &request(
                method,
                "/v1/otps/sms/send",
                &[("Authorization", &auth)],
                b"",
            ),
        )
        .await
        .expect("answer");
        assert_error(&reply, 405, "method_not_allowed");
        assert_eq!(reply.header("allow"), Some("POST"));
    }
    for path in [
        "/",
        "/v1/otps/sms/send/",
        "/v1/otps/email/send",
        "/_emulator/v1/nope",
    ] {
        let reply = raw(addr, &request("POST", path, &[], b"{}"))
            .await
            .expect("answer");
        assert_error(&reply, 404, "not_found");
    }
    let reply = raw(addr, &request("POST", "/_emulator/v1/messages", &[], b""))
        .await
        .expect("answer");
    assert_error(&reply, 405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, DELETE"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_connections_serve_several_requests() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start().await;
    let mut stream = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .expect("connect");
    let auth = auth(&emu);
    let body = json!({"phone_number": SANDBOX}).to_string();
    for _ in 0..3 {
        let req = format!(
            "POST /v1/otps/sms/send HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut buf = vec![0u8; 4096];
        let n = stream.read(&mut buf).await.expect("read");
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(
            text.contains("\"status_code\":200"),
            "whole answer in one read: {text}"
        );
    }
    assert_eq!(emu.messages(None).len(), 3);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_limits_do_not_panic() {
    let emu = start_with(Config {
        rate_limit: 0,
        rate_window: Duration::MAX,
        ..Config::default()
    })
    .await;
    let reply = send_to(&emu, PHONE).await;
    assert_error(&reply, 429, "too_many_requests");
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry_after > 1_000_000);
    // The sandbox is exempt even from a zero limit.
    assert_eq!(send_to(&emu, SANDBOX).await.status, 200);
    emu.advance_clock(Duration::MAX);
    assert_eq!(emu.messages(None)[0].status, MessageStatus::Expired);
    let reply = admin(&emu, "POST", "clock/advance", Some(r#"{"seconds": 3e9}"#)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(send_to(&emu, SANDBOX).await.status, 200);
    emu.shutdown().await;
}
