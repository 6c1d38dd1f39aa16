//! TLS over loopback with a CA generated here: an untrusted certificate fails with a
//! `network_error` naming the problem and is not retried; the same server trusted through
//! `ca_file` answers; a server that never completes the handshake is a connect timeout.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use sms_otp::TimeoutPhase;
use support::{assert_no_secret, builder, pki, request, Behaviour, Hostile};

#[tokio::test]
async fn an_untrusted_certificate_is_named_and_not_retried() {
    let pki = pki();
    let server = Hostile::start_tls(vec![Behaviour::ok()], pki.acceptor).await;
    let url = format!("https://localhost:{}", server.port);
    let client = builder(&url).max_retries(2).build().unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(err.code(), "network_error", "{err}");
    assert_eq!(err.after_send(), Some(false));
    assert!(!err.maybe_delivered());
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        server.connections(),
        1,
        "certificate errors are never retried"
    );
    assert_eq!(server.seen(), 0);
    assert_no_secret(&err);
}

#[tokio::test]
async fn the_same_server_trusted_through_ca_file_answers() {
    let pki = pki();
    let dir = std::env::temp_dir().join(format!("sms-otp-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let server = Hostile::start_tls(vec![Behaviour::ok()], pki.acceptor).await;
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}", server.port);
        let client = builder(&url).ca_file(&ca_file).build().unwrap();
        let resp = client.otps.sms.send(request()).await.unwrap();
        assert_eq!(resp.status_code, 200);
    }
    assert_eq!(server.seen(), 2);
    std::fs::write(&ca_file, "not a certificate").unwrap();
    let err = builder("https://localhost:1")
        .ca_file(&ca_file)
        .build()
        .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("configuration_error", Some("ca_file"))
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Clients without `ca_file` share one TLS configuration made once per process; a client
/// with `ca_file` must neither change it nor take it. In one test so the order is fixed.
#[tokio::test]
async fn the_shared_tls_configuration_and_ca_file_clients_stay_apart() {
    let pki = pki();
    let dir = std::env::temp_dir().join(format!("sms-otp-tls-shared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let server = Hostile::start_tls(vec![Behaviour::ok()], pki.acceptor).await;
    let url = format!("https://localhost:{}", server.port);
    let untrusted = |client: sms_otp::Client| async move {
        let err = client.otps.sms.send(request()).await.unwrap_err();
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    };
    // Shared configuration first, then a ca_file client, then the shared one again.
    untrusted(builder(&url).build().unwrap()).await;
    let trusting = builder(&url).ca_file(&ca_file).build().unwrap();
    assert_eq!(
        trusting.otps.sms.send(request()).await.unwrap().status_code,
        200
    );
    untrusted(builder(&url).build().unwrap()).await;
    let trusting = builder(&url).ca_file(&ca_file).build().unwrap();
    assert_eq!(
        trusting.otps.sms.send(request()).await.unwrap().status_code,
        200
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_handshake_that_never_completes_is_a_retried_connect_timeout() {
    // Accepts TCP, then says nothing: the TLS handshake hangs inside the connect phase.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    let client = builder(&format!("https://localhost:{port}"))
        .connect_timeout(Duration::from_millis(200))
        .max_retries(2)
        .build()
        .unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert_eq!(err.phase(), Some(TimeoutPhase::Connect));
    assert!(!err.maybe_delivered());
    assert_eq!(err.attempts(), 3);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}
