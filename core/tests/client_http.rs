//! The client against the hostile loopback server: the exact request on the wire, every
//! fault mapped to its documented error, and exactly how many requests each fault costs
//! (a retry that could send a second SMS is a bug).
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use sms_otp::{Attributes, Locale, SendRequest, TimeoutPhase};
use support::{assert_no_secret, builder, request, Behaviour, Hostile, PROJECT_ID, SECRET};

#[tokio::test]
async fn the_request_on_the_wire_is_exact() {
    let server = Hostile::start(vec![Behaviour::ok()]).await;
    let client = builder(&format!("{}/prefix/", server.url()))
        .user_agent_suffix("myapp/2.1")
        .build()
        .unwrap();
    let resp = client
        .otps
        .sms
        .send(SendRequest {
            phone_number: "+12025550162".into(),
            expiration_minutes: Some(5),
            locale: Some(Locale::PtBr),
            attributes: Some(Attributes {
                ip_address: Some("203.0.113.7".into()),
                user_agent: None,
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(resp.request_id, "request-id-test-1");
    assert_eq!(resp.user_id, "user-test-1");
    assert_eq!(resp.phone_id, "phone-number-test-1");
    assert_eq!(resp.status_code, 200);
    assert_eq!(resp.raw["extra"]["kept"], serde_json::json!(true));

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/prefix/v1/otps/sms/send");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let agent = r.header("user-agent").unwrap();
    assert!(
        agent.starts_with(&format!("sms-otp/{} rust/", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    assert!(agent.ends_with(" myapp/2.1"), "{agent}");
    let auth = r
        .header("authorization")
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        format!("{PROJECT_ID}:{SECRET}")
    );
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        r#"{"phone_number":"+12025550162","expiration_minutes":5,"attributes":{"ip_address":"203.0.113.7"},"locale":"pt-br"}"#
    );
}

#[tokio::test]
async fn each_error_status_maps_to_its_kind_and_is_sent_once() {
    for (status, error_type, code, maybe) in [
        (400, "invalid_phone_number", "bad_request", false),
        (401, "unauthorized_credentials", "unauthorized", false),
        (403, "captcha_required", "forbidden", false),
        (404, "user_not_found", "not_found", false),
        (408, "request_timeout", "api_error", false),
        (429, "too_many_requests", "rate_limited", false),
        (500, "internal_server_error", "server_error", true),
        (503, "server_unavailable", "server_error", true),
    ] {
        let server = Hostile::start(vec![Behaviour::stytch_error(
            status,
            error_type,
            "Something.",
        )
        .with_header("Retry-After", "1")])
        .await;
        let client = builder(&server.url()).build().unwrap();
        let err = client.otps.sms.send(request()).await.unwrap_err();
        assert_eq!(err.code(), code, "{status}");
        assert_eq!(err.maybe_delivered(), maybe, "{status}");
        assert_eq!(err.status_code(), Some(status));
        assert_eq!(err.error_type(), Some(error_type));
        assert_eq!(err.error_message(), Some("Something."));
        assert_eq!(
            err.request_id(),
            Some("request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141")
        );
        assert_eq!(
            err.error_url().unwrap(),
            format!("https://stytch.com/docs/api/errors/{status}")
        );
        assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
        assert!(err.body().unwrap().contains(error_type));
        assert_eq!(err.attempts(), 1);
        assert_eq!(server.seen(), 1, "{status} must not be retried");
        assert_no_secret(&err);
    }
}

#[tokio::test]
async fn rate_limited_is_retried_once_only_when_asked_and_short() {
    let limited = Behaviour::stytch_error(
        429,
        "too_many_requests",
        "Too many requests have been made.",
    );
    // Asked, Retry-After 1 s: one more attempt, which succeeds.
    let server = Hostile::start(vec![
        limited.clone().with_header("Retry-After", "1"),
        Behaviour::ok(),
    ])
    .await;
    let client = builder(&server.url())
        .retry_rate_limited(true)
        .build()
        .unwrap();
    let started = Instant::now();
    client.otps.sms.send(request()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.seen(), 2);
    // Asked, but 429 twice: exactly one retry.
    let server = Hostile::start(vec![limited.clone().with_header("Retry-After", "0")]).await;
    let client = builder(&server.url())
        .retry_rate_limited(true)
        .build()
        .unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.attempts(), server.seen()),
        ("rate_limited", 2, 2)
    );
    // Not asked, or asked but the wait is too long / unknown: no retry.
    for (retry, header) in [(false, Some("1")), (true, Some("11")), (true, None)] {
        let behaviour = match header {
            Some(h) => limited.clone().with_header("Retry-After", h),
            None => limited.clone(),
        };
        let server = Hostile::start(vec![behaviour, Behaviour::ok()]).await;
        let client = builder(&server.url())
            .retry_rate_limited(retry)
            .build()
            .unwrap();
        let err = client.otps.sms.send(request()).await.unwrap_err();
        assert_eq!(err.code(), "rate_limited");
        assert_eq!(server.seen(), 1, "retry={retry} header={header:?}");
    }
}

#[tokio::test]
async fn broken_answers_are_unexpected_and_never_retried() {
    let html = Behaviour::Respond {
        status: 502,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
    };
    for (behaviour, status, maybe) in [
        (html, 502, true),
        (Behaviour::json(200, r#""a JSON string""#), 200, true),
        (Behaviour::json(200, r#"{"request_id":"r"}"#), 200, true),
        (
            Behaviour::json(200, r#"{"request_id":"r","user_id""#),
            200,
            true,
        ),
        (Behaviour::json(400, "Bad Request"), 400, false),
        (
            Behaviour::HugeChunked {
                total: 3 * 1024 * 1024,
            },
            200,
            true,
        ),
        (
            Behaviour::Respond {
                status: 200,
                headers: vec![],
                body: vec![b' '; 1024 * 1024 + 1],
            },
            200,
            true,
        ),
    ] {
        let server = Hostile::start(vec![behaviour.clone()]).await;
        let client = builder(&server.url()).build().unwrap();
        let err = client.otps.sms.send(request()).await.unwrap_err();
        assert_eq!(err.code(), "unexpected_response", "{behaviour:?}");
        assert_eq!(err.status_code(), Some(status));
        assert_eq!(err.maybe_delivered(), maybe);
        assert!(err.body().unwrap().chars().count() <= 200);
        assert_eq!(server.seen(), 1);
        assert_no_secret(&err);
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Hostile::start(vec![Behaviour::Respond {
        status: 302,
        headers: vec![("Location".into(), "/elsewhere".into())],
        body: vec![],
    }])
    .await;
    let client = builder(&server.url()).build().unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.status_code()),
        ("unexpected_response", Some(302))
    );
    assert!(err.to_string().contains("redirect to /elsewhere"), "{err}");
    assert_eq!(server.seen(), 1);
}

#[tokio::test]
async fn a_stalled_response_times_out_in_the_response_phase_once() {
    for behaviour in [
        Behaviour::Stall,
        Behaviour::Drip {
            every: Duration::from_millis(100),
            total: 100,
        },
    ] {
        let server = Hostile::start(vec![behaviour.clone()]).await;
        let client = builder(&server.url())
            .timeout(Duration::from_millis(400))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client.otps.sms.send(request()).await.unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.code(), "timeout", "{behaviour:?}");
        assert_eq!(err.phase(), Some(TimeoutPhase::Response));
        assert!(err.maybe_delivered());
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(3),
            "{took:?}"
        );
        assert_eq!(server.seen(), 1, "a response timeout must not be retried");
    }
}

#[tokio::test]
async fn a_connection_broken_after_sending_is_not_retried() {
    for behaviour in [Behaviour::Reset, Behaviour::Close] {
        let server = Hostile::start(vec![behaviour.clone()]).await;
        let client = builder(&server.url()).build().unwrap();
        let err = client.otps.sms.send(request()).await.unwrap_err();
        assert_eq!(err.code(), "network_error", "{behaviour:?}");
        assert_eq!(err.after_send(), Some(true));
        assert!(err.maybe_delivered());
        assert_eq!(server.seen(), 1, "{behaviour:?} must not be retried");
        assert_no_secret(&err);
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported_as_not_delivered() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .max_retries(2)
        .build()
        .unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(err.code(), "network_error");
    assert_eq!(err.after_send(), Some(false));
    assert!(!err.maybe_delivered());
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .max_retries(0)
        .build()
        .unwrap();
    assert_eq!(
        client
            .otps
            .sms
            .send(request())
            .await
            .unwrap_err()
            .attempts(),
        1
    );
}

/// A listener whose accept queue is full: new connects hang in SYN-SENT.
fn full_backlog_listener() -> (std::net::TcpListener, Vec<std::net::TcpStream>, u16) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    socket.listen(0).unwrap();
    let listener: std::net::TcpListener = socket.into();
    let port = listener.local_addr().unwrap().port();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    (listener, fillers, port)
}

#[tokio::test]
async fn a_connect_that_hangs_times_out_in_the_connect_phase_and_is_retried() {
    let (_listener, _fillers, port) = full_backlog_listener();
    // A response timeout shorter than the connect timeout must not cut the connect short.
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_millis(100))
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert_eq!(err.phase(), Some(TimeoutPhase::Connect));
    assert!(!err.maybe_delivered());
    assert_eq!(err.attempts(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn validation_happens_before_any_request() {
    let server = Hostile::start(vec![Behaviour::ok()]).await;
    let client = builder(&server.url())
        .allowed_country_codes(["1"])
        .build()
        .unwrap();
    for (req, field) in [
        (
            SendRequest {
                phone_number: "202-555-0162".into(),
                ..Default::default()
            },
            "phone_number",
        ),
        (
            SendRequest {
                phone_number: "+442079460958".into(),
                ..Default::default()
            },
            "phone_number",
        ),
        (
            SendRequest {
                expiration_minutes: Some(11),
                ..request()
            },
            "expiration_minutes",
        ),
        (
            SendRequest {
                user_id: Some(String::new()),
                ..request()
            },
            "user_id",
        ),
    ] {
        let err = client.otps.sms.send(req).await.unwrap_err();
        assert_eq!((err.code(), err.field()), ("validation_error", Some(field)));
        assert!(!err.maybe_delivered());
        assert_eq!(err.attempts(), 0);
    }
    assert_eq!(server.seen(), 0);
}

#[tokio::test]
async fn one_client_serves_many_concurrent_sends_over_pooled_connections() {
    let server = Hostile::start(vec![Behaviour::ok()]).await;
    let client = builder(&server.url()).build().unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.otps.sms.send(request()).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.seen(), 200);
    // Sequential sends reuse one keep-alive connection.
    let server = Hostile::start(vec![Behaviour::ok()]).await;
    let client = builder(&server.url()).build().unwrap();
    for _ in 0..20 {
        client.otps.sms.send(request()).await.unwrap();
    }
    assert_eq!((server.seen(), server.connections()), (20, 1));
}

#[test]
fn the_blocking_client_has_the_same_shape() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(Hostile::start(vec![Behaviour::ok()]));
    // An async builder converts into the blocking one, whose build() gives a blocking client.
    let client = sms_otp::blocking::ClientBuilder::from(builder(&server.url()))
        .build()
        .unwrap();
    let resp = client.otps.sms.send(request()).unwrap();
    assert_eq!(resp.phone_id, "phone-number-test-1");
    // Called from inside an async runtime it still works instead of panicking.
    let inside = rt.block_on(async { client.otps.sms.send(request()) });
    assert!(inside.is_ok());
    assert_eq!(server.seen(), 2);
    let err = client.otps.sms.send(SendRequest::default()).unwrap_err();
    assert_eq!(err.field(), Some("phone_number"));
    drop(rt);
}

#[test]
fn debug_never_shows_the_secret() {
    let client = sms_otp::Client::new(PROJECT_ID, SECRET).unwrap();
    let text = format!("{client:?} {:?} {:?}", client.otps, client.otps.sms);
    assert!(!text.contains("MARKER"), "{text}");
    assert!(text.contains(PROJECT_ID));
    let blocking = sms_otp::blocking::Client::new(PROJECT_ID, SECRET).unwrap();
    assert!(!format!("{blocking:?}").contains("MARKER"));
}
