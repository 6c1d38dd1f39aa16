//! HTTPS: the real service only speaks HTTPS, and the official SDKs refuse a
//! `custom_base_url` that is not `https://` (Python: "custom_base_url must use the HTTPS
//! scheme"; Node: "custom_base_url must use HTTPS scheme"). With [`crate::Config::tls`] the
//! emulator generates, at start, a throwaway certificate authority and a server certificate
//! it signs for `localhost`, `127.0.0.1`, `::1` and the configured host; clients trust the
//! authority's PEM ([`crate::Emulator::ca_certificate_pem`]) through their usual setting
//! (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`, a `ca_file` option, …).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;

/// The server side of HTTPS and the authority clients must trust.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

/// Generates a CA and a server certificate for the loopback names plus `extra_names` (the
/// configured host, when it is something else), and the acceptor serving it. A separate CA
/// rather than one self-signed leaf: verifiers such as webpki reject a CA certificate used as
/// the end entity, and some reject a self-signed leaf as a trust anchor.
pub(crate) fn generate(extra_names: &[&str]) -> Result<Tls, String> {
    let text = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(text)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "sms-otp emulator CA (throwaway)");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(text)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(text)?;

    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for name in extra_names {
        let name = name.trim_start_matches('[').trim_end_matches(']');
        let unspecified = matches!(name, "" | "0.0.0.0" | "::");
        if !unspecified && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_owned());
        }
    }
    let leaf_key = KeyPair::generate().map_err(text)?;
    let mut leaf_params = CertificateParams::new(names).map_err(text)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "sms-otp emulator");
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(text)?;

    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(str::to_owned)?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
    .map_err(|e| e.to_string())?;
    // The server speaks HTTP/1.1 only; say so, so no client picks h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca.pem(),
    })
}
