//! Faults on every endpoint, and the `path` filter: a fault without one fires on any API
//! request (never the admin API); with one, only on that path.

mod common;

use std::io::ErrorKind;

use common::*;
use serde_json::json;
use sms_otp_emulator::{FaultKind, FaultSpec, MessageStatus};

async fn fault(emu: &sms_otp_emulator::Emulator, spec: serde_json::Value) -> serde_json::Value {
    admin_json(emu, "POST", "faults", Some(&spec.to_string())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_without_a_path_fire_on_every_endpoint() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let jwks = format!("/v1/sessions/jwks/{}", emu.project_id());
    fault(&emu, json!({"status": 503, "times": 4})).await;
    assert_error(
        &authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await,
        503,
        "server_unavailable",
    );
    assert_error(
        &login_or_create(&emu, &json!({"phone_number": PHONE})).await,
        503,
        "server_unavailable",
    );
    assert_error(&get(&emu, &jwks).await, 503, "server_unavailable");
    // The admin API is never faulted.
    admin_json(&emu, "GET", "health", None).await;
    assert_error(&send_to(&emu, PHONE).await, 503, "server_unavailable");
    // Unauthenticated requests to authenticated endpoints get their 401 first.
    fault(&emu, json!({})).await;
    let req = request("POST", AUTH_PATH, &[], b"{}");
    let reply = raw(emu.local_addr(), &req).await.expect("answered");
    assert_error(&reply, 401, "unauthorized_credentials");
    let listed = admin_json(&emu, "GET", "faults", None).await;
    assert_eq!(listed["faults"][0]["hits"], 4);
    assert_eq!(listed["faults"][0]["path"], serde_json::Value::Null);
    assert_eq!(listed["faults"][1]["hits"], 0);
    // The faulted authenticate did not use the code.
    emu.clear_faults();
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_path_filter_picks_the_endpoint() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let armed = fault(
        &emu,
        json!({"path": AUTH_PATH, "status": 500, "error_type": "internal_server_error"}),
    )
    .await;
    assert_eq!(armed["path"], AUTH_PATH);
    // Other endpoints pass untouched.
    assert_eq!(send_to(&emu, PHONE_2).await.status, 200);
    let jwks = format!("/v1/sessions/jwks/{}", emu.project_id());
    assert_eq!(get(&emu, &jwks).await.status, 200);
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_error(&reply, 500, "internal_server_error");

    // The JWKS path, including its project ID.
    fault(&emu, json!({"path": jwks, "kind": "malformed_body"})).await;
    let reply = get(&emu, &jwks).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));

    // path and phone_number together: both must match.
    fault(
        &emu,
        json!({"path": LOGIN_PATH, "phone_number": PHONE_2, "status": 429, "retry_after": 9}),
    )
    .await;
    assert_eq!(send_to(&emu, PHONE_2).await.status, 200);
    assert_eq!(
        login_or_create(&emu, &json!({"phone_number": PHONE}))
            .await
            .status,
        200
    );
    let reply = login_or_create(&emu, &json!({"phone_number": PHONE_2})).await;
    assert_error(&reply, 429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("9"));

    for bad in [
        json!({"path": ""}),
        json!({"path": "v1/otps/authenticate"}),
        json!({"path": "/_emulator/v1/messages"}),
        json!({"path": 5}),
    ] {
        let reply = admin(&emu, "POST", "faults", Some(&bad.to_string())).await;
        assert_error(&reply, 400, "bad_request");
    }
    assert!(emu
        .inject_fault(FaultSpec {
            path: Some("nope".into()),
            ..FaultSpec::default()
        })
        .is_err());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_then_reset_on_authenticate_uses_the_code() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    emu.inject_fault(FaultSpec {
        kind: Some(FaultKind::ProcessThenReset),
        path: Some(AUTH_PATH.into()),
        ..FaultSpec::default()
    })
    .expect("fault");
    let body = json!({"method_id": phone_id, "code": code}).to_string();
    match post_bytes(&emu, AUTH_PATH, body.as_bytes()).await {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        Ok(reply) => panic!("expected a reset, got {} {}", reply.status, reply.text()),
    }
    // The code was accepted before the reset: a retry is refused.
    assert_eq!(messages(&emu, PHONE)[0].status, MessageStatus::Used);
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_error(&reply, 401, "unable_to_auth_otp_code");

    // reset_before_processing leaves it unused.
    let (_, code) = code_for(&emu, PHONE).await;
    emu.inject_fault(FaultSpec {
        kind: Some(FaultKind::ResetBeforeProcessing),
        path: Some(AUTH_PATH.into()),
        ..FaultSpec::default()
    })
    .expect("fault");
    let body = json!({"method_id": phone_id, "code": code}).to_string();
    assert!(post_bytes(&emu, AUTH_PATH, body.as_bytes()).await.is_err());
    let reply = authenticate(&emu, &json!({"method_id": phone_id, "code": code})).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_with_delay_then_processes_login_or_create() {
    let emu = start().await;
    emu.inject_fault(FaultSpec {
        kind: Some(FaultKind::Stall),
        delay_ms: Some(200),
        path: Some(LOGIN_PATH.into()),
        ..FaultSpec::default()
    })
    .expect("fault");
    let started = std::time::Instant::now();
    let reply = login_or_create(&emu, &json!({"phone_number": PHONE})).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["user_created"], true);
    assert_eq!(messages(&emu, PHONE).len(), 1);
    emu.shutdown().await;
}
