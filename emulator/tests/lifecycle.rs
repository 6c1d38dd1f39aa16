//! Starting, refusing to start, running on a runtime of one's own, shutting down (with
//! stalled, idle and long-polling connections), and consistency under concurrent sends.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use sms_otp_emulator::{Config, Emulator, MessageStatus, StartError};
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn defaults() {
    let emu = start().await;
    assert_eq!(
        emu.project_id(),
        "project-test-00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(emu.secret(), "secret-test-emulator");
    let url = emu.url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(url, format!("http://{}", emu.local_addr()));
    assert_ne!(emu.local_addr().port(), 0);
    let debug = format!("{:?}", Config::default());
    assert!(!debug.contains("secret-test-emulator"), "{debug}");
    emu.shutdown().await;
}

#[tokio::test]
async fn live_credentials_are_refused() {
    for (project_id, secret, field) in [
        (
            "project-live-00000000-0000-0000-0000-000000000000",
            "secret-test-x",
            "project_id",
        ),
        (
            "project-test-00000000-0000-0000-0000-000000000000",
            "secret-live-abc",
            "secret",
        ),
        ("PROJECT-LIVE-x", "secret-test-x", "project_id"),
    ] {
        let err = Emulator::start(Config {
            project_id: project_id.into(),
            secret: secret.into(),
            ..Config::default()
        })
        .await
        .expect_err("refused");
        assert!(
            matches!(err, StartError::LiveCredentials { field: f, .. } if f == field),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("live credentials") && text.contains(field),
            "{text}"
        );
        assert!(
            !text.contains("secret-live-abc"),
            "never echoes the secret: {text}"
        );
    }
}

#[tokio::test]
async fn unusable_configs_are_refused_with_the_field() {
    let cases = [
        (
            Config {
                secret: String::new(),
                ..Config::default()
            },
            "secret",
        ),
        (
            Config {
                allowed_country_codes: vec!["999".into()],
                ..Config::default()
            },
            "allowed_country_codes",
        ),
        (
            Config {
                allowed_country_codes: vec![],
                ..Config::default()
            },
            "allowed_country_codes",
        ),
        (
            Config {
                rate_window: Duration::ZERO,
                ..Config::default()
            },
            "rate_window",
        ),
    ];
    for (config, field) in cases {
        match Emulator::start(config).await {
            Err(StartError::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let err = Emulator::start(Config {
        host: "256.0.0.1".into(),
        ..Config::default()
    })
    .await
    .expect_err("no such address");
    assert!(matches!(err, StartError::Bind { .. }), "{err:?}");
    assert!(err.to_string().contains("256.0.0.1"), "{err}");
}

#[test]
fn start_needs_a_runtime_and_start_on_works_from_any_thread() {
    // Polled outside any runtime, `start` says what to do instead of panicking.
    let mut start = std::pin::pin!(Emulator::start(Config::default()));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match start.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Err(err @ StartError::NoRuntime)) => {
            assert!(err.to_string().contains("start_on"), "{err}");
        }
        other => panic!("{other:?}"),
    }

    // A binding's way: its own runtime, started from a plain thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let emu = Emulator::start_on(runtime.handle(), Config::default()).expect("started");
    let reply = runtime.block_on(send_to(&emu, PHONE));
    assert_eq!(reply.status, 200);
    assert_eq!(emu.messages(Some(PHONE)).len(), 1);
    let addr = emu.local_addr();
    runtime.block_on(emu.shutdown());
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer listening"
    );
}

use std::future::Future as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_stalled_idle_and_long_polling_connections() {
    let emu = start().await;
    let addr = emu.local_addr();
    // A stalled send.
    emu.inject_fault(sms_otp_emulator::FaultSpec {
        kind: Some(sms_otp_emulator::FaultKind::Stall),
        ..Default::default()
    })
    .expect("armed");
    let auth = auth(&emu);
    let body = json!({"phone_number": PHONE}).to_string();
    let stalled_req = request(
        "POST",
        "/v1/otps/sms/send",
        &[("Authorization", &auth)],
        body.as_bytes(),
    );
    let stalled = tokio::spawn(async move { raw(addr, &stalled_req).await });
    // An idle keep-alive connection that has sent nothing.
    let mut idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
    // A long-poll.
    let poll_req = request(
        "GET",
        "/_emulator/v1/messages/next?timeout_ms=60000",
        &[],
        b"",
    );
    let poll = tokio::spawn(async move { raw(addr, &poll_req).await });
    // Wait until the stall has really begun (its fault has fired).
    while emu.faults()[0].hits == 0 {
        tokio::task::yield_now().await;
    }

    let started = Instant::now();
    emu.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    // The stalled client's connection was closed without an answer.
    let stalled = stalled.await.expect("joined");
    assert!(stalled.is_err(), "{stalled:?}");
    // The idle connection is closed.
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf))
        .await
        .expect("closed promptly");
    assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    // The long-poll got an answer or a closed connection, never a hang.
    let poll = poll.await.expect("joined");
    if let Ok(reply) = poll {
        assert_error(&reply, 503, "shutting_down");
    }
    // Nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_stops_the_server() {
    let emu = start().await;
    let addr = emu.local_addr();
    drop(emu);
    // The accept loop ends on its own; wait for the port to close (an event, via retries of
    // connect, which fail fast once it is closed).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::net::TcpStream::connect(addr).await {
            Err(_) => break,
            Ok(_) => {
                assert!(Instant::now() < deadline, "still listening");
                tokio::task::yield_now().await;
            }
        }
    }
}

/// Hundreds of concurrent sends: every one answered, counts exact, exactly one active code
/// per number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_stay_consistent() {
    let emu = start_with(Config {
        rate_limit: 1_000,
        ..Config::default()
    })
    .await;
    let numbers = ["+12025550101", "+12025550102", "+12025550103"];
    let auth = auth(&emu);
    let addr = emu.local_addr();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let body = json!({"phone_number": numbers[i % 3]}).to_string();
        let req = request(
            "POST",
            "/v1/otps/sms/send",
            &[("Authorization", &auth)],
            body.as_bytes(),
        );
        tasks.push(tokio::spawn(async move { raw(addr, &req).await }));
    }
    let mut request_ids = HashSet::new();
    let mut phone_ids: HashMap<String, HashSet<String>> = HashMap::new();
    for task in tasks {
        let reply = task.await.expect("joined").expect("answered");
        assert_eq!(reply.status, 200, "{}", reply.text());
        let body = reply.json();
        request_ids.insert(body["request_id"].as_str().expect("id").to_owned());
        phone_ids
            .entry(body["phone_id"].as_str().expect("id").to_owned())
            .or_default()
            .insert(body["user_id"].as_str().expect("id").to_owned());
    }
    assert_eq!(request_ids.len(), 300, "every request_id is unique");
    assert_eq!(phone_ids.len(), 3, "one phone_id per number");
    assert!(
        phone_ids.values().all(|users| users.len() == 1),
        "one user per number"
    );
    assert_eq!(emu.messages(None).len(), 300);
    for number in numbers {
        let inbox = emu.messages(Some(number));
        assert_eq!(inbox.len(), 100, "{number}");
        let active: Vec<_> = inbox
            .iter()
            .filter(|m| m.status == MessageStatus::Active)
            .collect();
        assert_eq!(active.len(), 1, "{number}");
        assert_eq!(
            active[0].message_id, inbox[99].message_id,
            "the latest is active"
        );
        assert!(inbox[..99]
            .iter()
            .all(|m| m.status == MessageStatus::Invalidated));
    }
    emu.shutdown().await;
}

/// The rate limit holds exactly under concurrency too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_respect_the_rate_limit_exactly() {
    let emu = start_with(Config {
        rate_limit: 7,
        ..Config::default()
    })
    .await;
    let auth = auth(&emu);
    let addr = emu.local_addr();
    let body = json!({"phone_number": PHONE}).to_string();
    let req = request(
        "POST",
        "/v1/otps/sms/send",
        &[("Authorization", &auth)],
        body.as_bytes(),
    );
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let req = req.clone();
            tokio::spawn(async move { raw(addr, &req).await })
        })
        .collect();
    let mut statuses = HashMap::new();
    for task in tasks {
        let reply = task.await.expect("joined").expect("answered");
        *statuses.entry(reply.status).or_insert(0) += 1;
    }
    assert_eq!(statuses.get(&200), Some(&7));
    assert_eq!(statuses.get(&429), Some(&43));
    assert_eq!(emu.messages(None).len(), 7);
    emu.shutdown().await;
}
