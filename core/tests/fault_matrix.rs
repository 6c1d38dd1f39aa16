//! The hostile-server half of the fault matrix: every hostile behaviour of
//! tests/fault-matrix.json, on the first attempt and after connect-phase retries (the port
//! refuses connections at first), ends in the documented error within its deadline, with the
//! documented number of requests reaching the server. (The emulator's fault kinds:
//! emulator/tests/fault_matrix.rs; Python and Node run the same rows.)
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use support::hostile::matrix::{self, Expect, FaultMatrix, HostileRow};
use support::{assert_no_secret, builder, request, Behaviour, Hostile};

async fn run_row(m: &FaultMatrix, row: &HostileRow, refused: bool) {
    let HostileRow {
        name,
        behaviour,
        expect: want,
    } = row;
    let Expect { within, .. } = want;
    let (server, retries) = if refused {
        (
            Hostile::start_refusing(vec![behaviour.clone()], Some(m.refused_for)).await,
            m.max_retries_refused,
        )
    } else {
        (
            Hostile::start(vec![behaviour.clone()]).await,
            m.max_retries_first_attempt,
        )
    };
    let client = builder(&server.url())
        .timeout(m.timeout)
        .connect_timeout(m.hostile_connect_timeout)
        .max_retries(u32::try_from(retries).expect("a small retry count"))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    let took = started.elapsed();
    let label = format!("{name}, refused first: {refused}");
    assert_eq!(err.code(), want.code, "{label}: {err}");
    assert_eq!(err.maybe_delivered(), want.maybe_delivered, "{label}");
    assert_eq!(err.status_code(), want.status_code, "{label}");
    assert_eq!(
        err.phase().map(|p| p.as_str()),
        want.phase.as_deref(),
        "{label}"
    );
    assert_eq!(err.after_send(), want.after_send, "{label}");
    assert_eq!(err.retry_after(), want.retry_after, "{label}");
    assert_eq!(
        server.seen(),
        want.requests,
        "{label}: requests that reached the server"
    );
    if refused {
        // At least one refused connect, retried; never a second request.
        assert!(
            err.attempts() as usize > want.requests,
            "{label}: {} attempts",
            err.attempts()
        );
    } else {
        assert_eq!(err.attempts() as usize, want.requests, "{label}");
    }
    let extra = if refused {
        m.refused_for + m.refused_extra
    } else {
        Duration::ZERO
    };
    assert!(
        took >= within.0 && took <= within.1 + extra,
        "{label}: took {took:?}, wanted {within:?}"
    );
    assert_no_secret(&err);
}

/// Every hostile row, once each; the count must be the file's.
async fn run_all(refused: bool) {
    let m = matrix::load();
    let mut ran = 0;
    for row in &m.hostile {
        run_row(&m, row, refused).await;
        ran += 1;
    }
    assert_eq!(ran, m.hostile.len(), "rows run vs tests/fault-matrix.json");
    assert!(ran > 0, "tests/fault-matrix.json has no hostile rows");
    println!("fault matrix (hostile, refused first: {refused}): {ran} rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_behaviours_on_the_first_attempt() {
    run_all(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_behaviours_after_connect_phase_retries() {
    run_all(true).await;
}

/// Refused until the client has given up: every attempt refused, none reached the server.
#[tokio::test]
async fn a_port_that_never_opens_costs_max_retries_plus_one_attempts() {
    let server = Hostile::start_refusing(vec![Behaviour::ok()], None).await;
    let client = builder(&server.url()).max_retries(3).build().unwrap();
    let started = Instant::now();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(
        (
            err.code(),
            err.after_send(),
            err.maybe_delivered(),
            err.attempts()
        ),
        ("network_error", Some(false), false, 4)
    );
    // Backoff: full jitter under 100 + 200 + 400 ms.
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(server.seen(), 0);
}

/// A keep-alive connection the server half-closed (FIN after the answer, still reading):
/// noticed before reuse, the next send opens a new connection and succeeds; two requests
/// in all.
#[tokio::test]
async fn a_half_closed_keep_alive_connection_is_not_reused() {
    for first in [Behaviour::OkThenHalfClose, Behaviour::OkThenClose] {
        let server = Hostile::start(vec![first.clone(), Behaviour::ok()]).await;
        let client = builder(&server.url()).build().unwrap();
        client.otps.sms.send(request()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let resp = client.otps.sms.send(request()).await;
        assert!(resp.is_ok(), "{first:?}: {resp:?}");
        assert_eq!((server.seen(), server.connections()), (2, 2), "{first:?}");
    }
}

/// The same, reused at once: the client may not have seen the FIN yet. Either the pool
/// noticed (a new connection, success), or the request went out on the dead connection and
/// the answer never came: then a network error that says the SMS may have been sent, never
/// a silent second request. One request per send, whichever happens.
#[tokio::test]
async fn a_half_closed_connection_reused_at_once_never_sends_twice() {
    let (mut ok, mut broken) = (0, 0);
    for _ in 0..20 {
        let server = Hostile::start(vec![Behaviour::OkThenHalfClose, Behaviour::ok()]).await;
        let client = builder(&server.url()).build().unwrap();
        client.otps.sms.send(request()).await.unwrap();
        match client.otps.sms.send(request()).await {
            Ok(_) => ok += 1,
            Err(err) => {
                assert_eq!(err.code(), "network_error", "{err}");
                assert_eq!(err.after_send(), Some(true), "{err}");
                assert!(err.maybe_delivered());
                assert_eq!(err.attempts(), 1);
                broken += 1;
            }
        }
        assert_eq!(server.seen(), 2);
    }
    println!("half-closed connection reused at once: {ok} succeeded, {broken} broken");
}

/// Informational answers before the real one, and an HTTP/1.0 close-delimited body, are
/// read like any answer.
#[tokio::test]
async fn informational_answers_and_http_1_0_are_read() {
    let ok = r#"{"request_id":"r","user_id":"u","phone_id":"p","status_code":200}"#;
    for raw in [
        format!(
            "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{ok}",
            ok.len()
        ),
        format!(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{ok}",
            ok.len()
        ),
        format!("HTTP/1.0 200 OK\r\n\r\n{ok}"),
    ] {
        let server = Hostile::start(vec![Behaviour::Raw(raw.clone().into_bytes())]).await;
        let client = builder(&server.url()).build().unwrap();
        let resp = client.otps.sms.send(request()).await;
        assert_eq!(resp.map(|r| r.request_id).ok().as_deref(), Some("r"), "{raw}");
        assert_eq!(server.seen(), 1);
    }
}
