//! What the client tests share: the hostile HTTP/1.1 server (tests/hostile-server, compiled
//! in as a module; the Python and Node suites run it as the program `sms-otp-hostile`), test credentials, and a check that an error never shows the secret.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

pub const PROJECT_ID: &str = "project-test-11111111-2222-3333-4444-555555555555";
pub const SECRET: &str = "secret-test-MARKER-9f8e7d6c5b4a";

/// The hostile server (tests/hostile-server/src/lib.rs), compiled in: the same code the
/// `sms-otp-hostile` program of the Python and Node suites runs.
#[allow(dead_code, unused_imports)]
#[path = "../../../tests/hostile-server/src/lib.rs"]
pub mod hostile;

pub use hostile::{Behaviour, Hostile};

/// A client for `server` with test credentials and short timeouts.
pub fn builder(url: &str) -> sms_otp::ClientBuilder {
    sms_otp::Client::builder(PROJECT_ID, SECRET)
        .base_url(url)
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_millis(300))
}

pub fn request() -> sms_otp::SendRequest {
    sms_otp::SendRequest {
        phone_number: "+12025550162".into(),
        ..Default::default()
    }
}

/// Fails the test if the secret shows up in any rendering of `err`.
pub fn assert_no_secret(err: &sms_otp::Error) {
    let mut text = format!(
        "{err} | {err:?} | {:?} | {:?}",
        err.body(),
        err.error_message()
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    assert!(!text.contains("MARKER"), "secret leaked: {text}");
}

/// A CA of the test's own and a server configuration for localhost/127.0.0.1 signed by it.
pub struct Pki {
    pub ca_pem: String,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// A CA and a separate leaf for localhost/127.0.0.1 (a self-signed leaf is rejected as
/// `CaUsedAsEndEntity`).
pub fn pki() -> Pki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sms-otp test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();

    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();

    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
    .unwrap();
    Pki {
        ca_pem: ca.pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)),
    }
}
