//! HTTPS (`Config::tls`): the official SDKs only take an `https://` custom_base_url, so the
//! emulator must be reachable over TLS with a certificate clients can be told to trust.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::ErrorKind;
use std::sync::Arc;

use common::{assert_error, assert_id, auth, parse_reply, request, start_with, Reply, PHONE};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::json;
use sms_otp_emulator::{Config, Emulator, FaultKind, FaultSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

async fn start_tls() -> Emulator {
    start_with(Config {
        tls: true,
        ..Config::default()
    })
    .await
}

/// A client trusting exactly the emulator's CA (or nothing, with `None`).
fn connector(ca_pem: Option<&str>) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

/// Writes `req` over TLS to `server_name`, reads until the server closes.
async fn tls_raw(emu: &Emulator, server_name: &str, req: &[u8]) -> std::io::Result<Reply> {
    let tcp = TcpStream::connect(emu.local_addr()).await?;
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    let mut stream = connector(emu.ca_certificate_pem())
        .connect(name, tcp)
        .await?;
    assert_eq!(
        stream.get_ref().1.alpn_protocol(),
        Some(&b"http/1.1"[..]),
        "the server offers HTTP/1.1 only"
    );
    stream.write_all(req).await?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await?;
    parse_reply(buf)
}

fn send_request(emu: &Emulator, body: &serde_json::Value) -> Vec<u8> {
    request(
        "POST",
        "/v1/otps/sms/send",
        &[
            ("Authorization", &auth(emu)),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

#[tokio::test]
async fn plain_http_by_default() {
    let emu = start_with(Config::default()).await;
    assert!(emu.url().starts_with("http://127.0.0.1:"), "{}", emu.url());
    assert!(emu.ca_certificate_pem().is_none());
}

#[tokio::test]
async fn tls_serves_https_with_a_certificate_its_ca_signed() {
    let emu = start_tls().await;
    assert!(emu.url().starts_with("https://127.0.0.1:"), "{}", emu.url());
    let pem = emu.ca_certificate_pem().expect("a CA with tls");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // The certificate names every loopback spelling a client may use.
    for name in ["127.0.0.1", "localhost", "::1"] {
        let req = send_request(&emu, &json!({ "phone_number": PHONE }));
        let reply = tls_raw(&emu, name, &req).await.expect(name);
        assert_eq!(reply.status, 200, "{name}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let body = reply.json();
        assert_id(&body["request_id"], "request-id-test-");
        assert_id(&body["phone_id"], "phone-number-test-");
    }
    // Errors and the admin API go over TLS too.
    let req = request("POST", "/v1/otps/sms/send", &[], b"{}");
    let reply = tls_raw(&emu, "127.0.0.1", &req).await.unwrap();
    assert_error(&reply, 401, "unauthorized_credentials");
    let req = request("GET", "/_emulator/v1/messages", &[], b"");
    let reply = tls_raw(&emu, "localhost", &req).await.unwrap();
    assert_eq!(reply.json()["messages"].as_array().unwrap().len(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn every_start_has_its_own_ca() {
    let (a, b) = (start_tls().await, start_tls().await);
    assert_ne!(a.ca_certificate_pem(), b.ca_certificate_pem());
    // A client trusting another emulator's CA is refused: the CA really is the anchor.
    let tcp = TcpStream::connect(a.local_addr()).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let err = connector(b.ca_certificate_pem())
        .connect(name, tcp)
        .await
        .expect_err("untrusted");
    // Same CA name, other key: webpki says BadSignature.
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
}

#[tokio::test]
async fn plain_http_to_a_tls_emulator_gets_no_answer_and_it_keeps_serving() {
    let emu = start_tls().await;
    let mut tcp = TcpStream::connect(emu.local_addr()).await.unwrap();
    tcp.write_all(&request("GET", "/_emulator/v1/health", &[], b""))
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tcp.read_to_end(&mut buf).await;
    assert!(!buf.starts_with(b"HTTP/1.1"), "no HTTP answer in the clear");
    let req = request("GET", "/_emulator/v1/health", &[], b"");
    assert_eq!(tls_raw(&emu, "localhost", &req).await.unwrap().status, 200);
}

#[tokio::test]
async fn process_then_reset_still_resets_over_tls() {
    let emu = start_tls().await;
    emu.inject_fault(FaultSpec {
        kind: Some(FaultKind::ProcessThenReset),
        ..FaultSpec::default()
    })
    .unwrap();
    let req = send_request(&emu, &json!({ "phone_number": PHONE }));
    let err = tls_raw(&emu, "127.0.0.1", &req).await.expect_err("reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    assert_eq!(emu.messages(Some(PHONE)).len(), 1, "the SMS was recorded");
}
