//! Fault injection over real loopback HTTP: each kind, times, hit counts, the phone filter,
//! delays, and that only authenticated sends trigger faults.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use sms_otp_emulator::{FaultKind, FaultSpec};

async fn fault(emu: &sms_otp_emulator::Emulator, spec: serde_json::Value) -> serde_json::Value {
    admin_json(emu, "POST", "faults", Some(&spec.to_string())).await
}

fn assert_reset(outcome: std::io::Result<Reply>) {
    match outcome {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        Ok(reply) => panic!("expected a reset, got {} {}", reply.status, reply.text()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_fault_answers_the_stytch_body_times_times() {
    let emu = start().await;
    let armed = fault(&emu, json!({"times": 2})).await;
    for _ in 0..2 {
        let reply = send_to(&emu, PHONE).await;
        let err = assert_error(&reply, 500, "internal_server_error");
        assert_eq!(
            err["error_message"],
            "Oops, something seems to have gone wrong, please reach out to support@stytch.com \
             to let us know what went wrong."
        );
    }
    assert_eq!(send_to(&emu, PHONE).await.status, 200, "spent after 2");
    assert_eq!(emu.messages(None).len(), 1, "faulted sends record nothing");
    let listed = admin_json(&emu, "GET", "faults", None).await;
    let f = &listed["faults"][0];
    assert_eq!(f["fault_id"], armed["fault_id"]);
    assert_eq!(
        (f["hits"].as_u64(), f["remaining"].as_u64()),
        (Some(2), Some(0))
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_fault_status_type_and_retry_after() {
    let emu = start().await;
    fault(&emu, json!({"status": 429, "retry_after": 7})).await;
    fault(&emu, json!({"status": 503})).await;
    fault(
        &emu,
        json!({"status": 400, "error_type": "unsubscribed_phone_number"}),
    )
    .await;
    fault(&emu, json!({"status": 502, "error_type": "upstream_broke"})).await;

    let reply = send_to(&emu, PHONE).await;
    let err = assert_error(&reply, 429, "too_many_requests");
    assert_eq!(err["error_message"], "Too many requests have been made.");
    assert_eq!(reply.header("retry-after"), Some("7"));

    let reply = send_to(&emu, PHONE).await;
    let err = assert_error(&reply, 503, "server_unavailable");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Oops"));
    assert_eq!(reply.header("retry-after"), None);

    let reply = send_to(&emu, PHONE).await;
    let err = assert_error(&reply, 400, "unsubscribed_phone_number");
    assert!(err["error_message"]
        .as_str()
        .unwrap_or_default()
        .contains("START"));

    let reply = send_to(&emu, PHONE).await;
    assert_error(&reply, 502, "upstream_broke");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_fire_only_on_matching_authenticated_sends() {
    let emu = start().await;
    fault(&emu, json!({"phone_number": PHONE_2, "status": 503})).await;
    // Another number: untouched.
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    // Unauthenticated: 401, the fault does not fire.
    let body = json!({"phone_number": PHONE_2}).to_string();
    let reply = raw(
        emu.local_addr(),
        &request("POST", "/v1/otps/sms/send", &[], body.as_bytes()),
    )
    .await
    .expect("answer");
    assert_error(&reply, 401, "unauthorized_credentials");
    // Admin calls do not trigger it either.
    admin_json(&emu, "GET", "messages", None).await;
    assert_eq!(emu.faults()[0].hits, 0);
    // The matching send does.
    assert_error(&send_to(&emu, PHONE_2).await, 503, "server_unavailable");
    assert_eq!(emu.faults()[0].hits, 1);
    assert_eq!(send_to(&emu, PHONE_2).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oldest_armed_fault_fires_first() {
    let emu = start().await;
    fault(&emu, json!({"status": 500})).await;
    fault(&emu, json!({"status": 503})).await;
    assert_eq!(send_to(&emu, PHONE).await.status, 500);
    assert_eq!(send_to(&emu, PHONE).await.status, 503);
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_before_processing_cuts_the_connection_and_records_nothing() {
    let emu = start().await;
    fault(&emu, json!({"kind": "reset_before_processing"})).await;
    assert_reset(send_bytes(&emu, json!({"phone_number": PHONE}).to_string().as_bytes()).await);
    assert!(emu.messages(None).is_empty());
    assert_eq!(emu.faults()[0].hits, 1);
    // The next send is normal, and does not count the reset one against the rate limit.
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    assert_eq!(emu.messages(None).len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_then_reset_records_the_sms_then_cuts_the_connection() {
    let emu = start().await;
    let spec = FaultSpec {
        kind: Some(FaultKind::ProcessThenReset),
        phone_number: Some(PHONE.into()),
        ..FaultSpec::default()
    };
    emu.inject_fault(spec).expect("armed");
    assert_reset(send_bytes(&emu, json!({"phone_number": PHONE}).to_string().as_bytes()).await);
    let inbox = messages(&emu, PHONE);
    assert_eq!(
        inbox.len(),
        1,
        "the SMS went out even though no answer came"
    );
    // A retry texts the user again and invalidates the first code.
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    let statuses: Vec<_> = messages(&emu, PHONE).iter().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        [
            sms_otp_emulator::MessageStatus::Invalidated,
            sms_otp_emulator::MessageStatus::Active
        ]
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_body_is_an_html_page() {
    let emu = start().await;
    fault(&emu, json!({"kind": "malformed_body"})).await;
    fault(&emu, json!({"kind": "malformed_body", "status": 200})).await;
    let reply = send_to(&emu, PHONE).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(
        reply.text().contains("<h1>502 Bad Gateway</h1>"),
        "{}",
        reply.text()
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
    let reply = send_to(&emu, PHONE).await;
    assert_eq!(reply.status, 200);
    assert!(reply.text().starts_with("<html>"));
    assert!(emu.messages(None).is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_answers_nothing_until_the_client_gives_up() {
    let emu = start().await;
    fault(&emu, json!({"kind": "stall"})).await;
    let give_up = Duration::from_millis(300);
    let outcome = tokio::time::timeout(
        give_up,
        send_bytes(&emu, json!({"phone_number": PHONE}).to_string().as_bytes()),
    )
    .await;
    assert!(outcome.is_err(), "no answer within {give_up:?}");
    assert!(
        emu.messages(None).is_empty(),
        "a stalled send is not processed"
    );
    assert_eq!(emu.faults()[0].hits, 1);
    // The server is not blocked by the stalled connection.
    assert_eq!(send_to(&emu, PHONE).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_with_delay_answers_late_and_delays_apply_to_other_kinds() {
    let emu = start().await;
    fault(&emu, json!({"kind": "stall", "delay_ms": 250})).await;
    let started = Instant::now();
    let reply = send_to(&emu, PHONE).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(emu.messages(None).len(), 1);

    fault(&emu, json!({"status": 503, "delay_ms": 200})).await;
    let started = Instant::now();
    assert_eq!(send_to(&emu, PHONE).await.status, 503);
    assert!(started.elapsed() >= Duration::from_millis(200));

    fault(
        &emu,
        json!({"kind": "reset_before_processing", "delay_ms": 150}),
    )
    .await;
    let started = Instant::now();
    assert_reset(send_bytes(&emu, json!({"phone_number": PHONE}).to_string().as_bytes()).await);
    assert!(started.elapsed() >= Duration::from_millis(150));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_then_reset_of_an_invalid_send_records_nothing() {
    let emu = start().await;
    fault(&emu, json!({"kind": "process_then_reset"})).await;
    assert_reset(send_bytes(&emu, br#"{"phone_number": "bad"}"#).await);
    assert!(emu.messages(None).is_empty());
    // Faults match bodies that are not even JSON when they have no phone filter.
    fault(&emu, json!({"status": 500})).await;
    assert_error(
        &send_bytes(&emu, b"not json").await.expect("answer"),
        500,
        "internal_server_error",
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_send_whose_client_gave_up_is_dropped() {
    let emu = start().await;
    fault(&emu, json!({"kind": "stall", "delay_ms": 400})).await;
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        send_bytes(&emu, json!({"phone_number": PHONE}).to_string().as_bytes()),
    )
    .await;
    assert!(gave_up.is_err());
    // Nothing arrives, even after the stall's delay has passed.
    assert!(emu
        .next_message(None, Duration::from_millis(800))
        .await
        .is_none());
    assert!(emu.messages(None).is_empty());
    emu.shutdown().await;
}
