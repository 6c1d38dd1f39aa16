//! The hostile-server half of the fault matrix: every hostile behaviour, on the first attempt
//! and after connect-phase retries (the port refuses connections at first), ends in the
//! documented error within its deadline, with the documented number of requests reaching
//! the server. (The emulator's fault kinds: emulator/tests/fault_matrix.rs.)
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use sms_otp::TimeoutPhase;
use support::{assert_no_secret, builder, request, Behaviour, Hostile};

const TIMEOUT: Duration = Duration::from_millis(600);
/// How long the refusing port stays shut: the first attempt, and maybe a retry or two.
const REFUSED_FOR: Duration = Duration::from_millis(150);

/// What a row must end in.
#[derive(Debug, Clone)]
struct Expect {
    code: &'static str,
    maybe_delivered: bool,
    status: Option<u16>,
    phase: Option<TimeoutPhase>,
    after_send: Option<bool>,
    /// Requests that reached the server.
    requests: usize,
    /// From the send to the error, at least and at most (first attempt; the retried variant
    /// adds the refused time and backoff).
    within: (Duration, Duration),
}

fn unexpected(status: u16, maybe_delivered: bool) -> Expect {
    Expect {
        code: "unexpected_response",
        maybe_delivered,
        status: Some(status),
        phase: None,
        after_send: None,
        requests: 1,
        within: (Duration::ZERO, Duration::from_secs(2)),
    }
}

fn broken_after_send() -> Expect {
    Expect {
        code: "network_error",
        maybe_delivered: true,
        status: None,
        phase: None,
        after_send: Some(true),
        requests: 1,
        within: (Duration::ZERO, Duration::from_secs(2)),
    }
}

fn response_timeout() -> Expect {
    Expect {
        code: "timeout",
        maybe_delivered: true,
        status: None,
        phase: Some(TimeoutPhase::Response),
        after_send: None,
        requests: 1,
        within: (TIMEOUT, TIMEOUT + Duration::from_millis(1500)),
    }
}

fn html(status: u16) -> Behaviour {
    Behaviour::Respond {
        status,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: format!("<html><head><title>{status}</title></head><body><h1>{status}</h1><hr>nginx</body></html>").into_bytes(),
    }
}

fn redirect(status: u16, port_hint: &str) -> Behaviour {
    Behaviour::Respond {
        status,
        headers: vec![("Location".into(), format!("{port_hint}/v1/otps/sms/send"))],
        body: Vec::new(),
    }
}

fn rows() -> Vec<(&'static str, Behaviour, Expect)> {
    let ten_mb = 10 * 1024 * 1024;
    let mut rows = vec![
        ("stall", Behaviour::Stall, response_timeout()),
        (
            "slow drip (1 byte / 100 ms)",
            Behaviour::Drip {
                every: Duration::from_millis(100),
                total: 1000,
            },
            response_timeout(),
        ),
        (
            "reset after the request",
            Behaviour::Reset,
            broken_after_send(),
        ),
        (
            "closed after the request",
            Behaviour::Close,
            broken_after_send(),
        ),
        (
            "10 MB chunked body",
            Behaviour::Huge { total: ten_mb },
            unexpected(200, true),
        ),
        (
            "10 MB body with Content-Length",
            Behaviour::Respond {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: vec![b' '; ten_mb],
            },
            unexpected(200, true),
        ),
        ("HTML page, 502", html(502), unexpected(502, true)),
        ("HTML page, 200", html(200), unexpected(200, true)),
        ("HTML page, 403", html(403), unexpected(403, false)),
        (
            "JSON string, 200",
            Behaviour::json(200, r#""sent""#),
            unexpected(200, true),
        ),
        (
            "JSON string, 500",
            Behaviour::json(500, r#""internal error""#),
            unexpected(500, true),
        ),
        (
            "JSON array, 400",
            Behaviour::json(400, r#"["bad"]"#),
            unexpected(400, false),
        ),
    ];
    // Answers that are not HTTP, or break off: the request was sent, so "may have been".
    let mut header_bomb = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..2000 {
        header_bomb.extend_from_slice(format!("X-H{i}: {}\r\n", "a".repeat(100)).as_bytes());
    }
    header_bomb.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    for (name, bytes) in [
        ("not HTTP", b"garbage garbage\r\n\r\n".to_vec()),
        (
            "an HTTP/2 frame",
            b"\x00\x00\x12\x04\x00\x00\x00\x00\x00".to_vec(),
        ),
        ("200 KB of headers", header_bomb),
        (
            "a NUL in a header",
            b"HTTP/1.1 500 X\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        ),
        (
            "body shorter than Content-Length",
            b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"a\":1}".to_vec(),
        ),
        (
            "broken chunk",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".to_vec(),
        ),
    ] {
        rows.push((name, Behaviour::Raw(bytes), broken_after_send()));
    }
    rows.push((
        "204 without a body",
        Behaviour::Raw(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()),
        unexpected(204, true),
    ));
    rows.push((
        "gzip body (never asked for)",
        Behaviour::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00"
                .to_vec(),
        ),
        unexpected(200, true),
    ));
    for status in [301, 302, 303, 307, 308] {
        rows.push((
            "redirect",
            redirect(status, "http://127.0.0.1:9"),
            unexpected(status, true),
        ));
    }
    rows
}

async fn run_row(name: &str, behaviour: Behaviour, want: &Expect, refused: bool) {
    let (server, retries) = if refused {
        (
            Hostile::start_refusing(vec![behaviour.clone()], REFUSED_FOR).await,
            10,
        )
    } else {
        (Hostile::start(vec![behaviour.clone()]).await, 2)
    };
    let client = builder(&server.url())
        .timeout(TIMEOUT)
        .max_retries(retries)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    let took = started.elapsed();
    let label = format!("{name} ({behaviour:?}), refused first: {refused}");
    assert_eq!(err.code(), want.code, "{label}: {err}");
    assert_eq!(err.maybe_delivered(), want.maybe_delivered, "{label}");
    assert_eq!(err.status_code(), want.status, "{label}");
    assert_eq!(err.phase(), want.phase, "{label}");
    assert_eq!(err.after_send(), want.after_send, "{label}");
    assert_eq!(
        server.seen(),
        want.requests,
        "{label}: requests that reached the server"
    );
    if refused {
        // At least one refused connect, retried; never a second request.
        assert!(err.attempts() >= 2, "{label}: {} attempts", err.attempts());
    } else {
        assert_eq!(err.attempts(), 1, "{label}");
    }
    let extra = if refused {
        REFUSED_FOR + Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    assert!(
        took >= want.within.0 && took <= want.within.1 + extra,
        "{label}: took {took:?}, wanted {:?}",
        want.within
    );
    assert_no_secret(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_behaviours_on_the_first_attempt() {
    for (name, behaviour, want) in rows() {
        run_row(name, behaviour, &want, false).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_behaviours_after_connect_phase_retries() {
    for (name, behaviour, want) in rows() {
        run_row(name, behaviour, &want, true).await;
    }
}

/// Refused until the client has given up: every attempt refused, none reached the server.
#[tokio::test]
async fn a_port_that_never_opens_costs_max_retries_plus_one_attempts() {
    let server = Hostile::start_refusing(vec![Behaviour::ok()], Duration::from_secs(3600)).await;
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
