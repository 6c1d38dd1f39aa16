//! No input breaks the login endpoints: random mutations of valid bodies (wrong types,
//! nulls, deep nesting, huge numbers, odd strings) get a Stytch answer, and the emulator
//! keeps serving.

mod common;

use common::*;
use serde_json::{json, Value};

fn odd_value(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(..12) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(u64::MAX),
        4 => json!(rng.f64() * 1e300),
        5 => json!(""),
        6 => json!("\u{0}\u{202e}é😀"),
        7 => json!("x".repeat(rng.usize(..5000))),
        8 => json!([1, "a", null]),
        9 => json!({"ip_address": rng.u32(..), "user_agent": null, "a": {"b": []}}),
        10 => {
            let mut v = json!(1);
            for _ in 0..200 {
                v = json!({ "k": v });
            }
            v
        }
        _ => json!(format!("{:06}", rng.u32(..1_000_000))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_bodies_get_stytch_answers() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let seeded = emu
        .create_session(&emu.users()[0].user_id)
        .expect("session");
    let auth_fields = [
        "method_id",
        "code",
        "attributes",
        "options",
        "session_token",
        "session_jwt",
        "session_duration_minutes",
        "session_custom_claims",
        "telemetry_id",
    ];
    let login_fields = [
        "phone_number",
        "expiration_minutes",
        "attributes",
        "create_user_as_pending",
        "locale",
    ];
    let mut rng = fastrand::Rng::with_seed(20_240_501);
    for round in 0..400 {
        let (path, mut body, fields): (&str, Value, &[&str]) = if round % 2 == 0 {
            (
                AUTH_PATH,
                json!({"method_id": phone_id, "code": code, "session_duration_minutes": 60,
                       "session_token": seeded.session_token}),
                &auth_fields,
            )
        } else {
            (LOGIN_PATH, json!({"phone_number": PHONE_2}), &login_fields)
        };
        for _ in 0..rng.usize(1..4) {
            let field = fields[rng.usize(..fields.len())];
            body[field] = odd_value(&mut rng);
        }
        let reply = post(&emu, path, &body).await;
        match reply.status {
            200 => assert_eq!(reply.json()["status_code"], 200),
            status => {
                let err = reply.json();
                assert_eq!(err["status_code"], status, "{body}: {}", reply.text());
                assert!(err["error_type"].is_string());
            }
        }
    }
    for bytes in [
        &b"[]"[..],
        b"\"x\"",
        b"1e999",
        b"{\"method_id\":",
        &[0xc3, 0x28],
    ] {
        let reply = post_bytes(&emu, AUTH_PATH, bytes).await.expect("answered");
        assert_error(&reply, 400, "bad_request");
    }
    admin_json(&emu, "GET", "health", None).await;
    assert_eq!(send_to(&emu, "+12025550177").await.status, 200);
    emu.shutdown().await;
}
