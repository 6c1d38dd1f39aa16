//! The Rust examples of docs/client.md (a client, a send, the blocking twin), in shape,
//! against a loopback server.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use sms_otp::{Locale, SendRequest};
use support::{Behaviour, Hostile};

#[tokio::test]
async fn the_api_md_example_compiles_and_works() -> Result<(), sms_otp::Error> {
    let server = Hostile::start(vec![Behaviour::ok()]).await;
    let client = sms_otp::Client::new("project-test-…", "secret-test-…")?;
    assert!(client.endpoint().starts_with("https://test.stytch.com/"));
    let client = sms_otp::Client::builder("project-test-…", "secret-test-…")
        .base_url(server.url())
        .timeout(Duration::from_secs(5))
        .build()?;
    let resp = client
        .otps
        .sms
        .send(SendRequest {
            phone_number: "+12025550162".into(),
            expiration_minutes: Some(5),
            locale: Some(Locale::PtBr),
            ..Default::default()
        })
        .await?;
    assert_eq!(resp.phone_id, "phone-number-test-1");
    assert_eq!("pt-br".parse::<Locale>()?, Locale::PtBr);

    let req = SendRequest {
        phone_number: "+12025550162".into(),
        ..Default::default()
    };
    let (pid, secret) = ("project-test-…", "secret-test-…");
    let url = server.url();
    // The blocking twin, run off the async runtime as a blocking caller would.
    let resp = tokio::task::spawn_blocking(move || {
        let client = sms_otp::blocking::Client::builder(pid, secret)
            .base_url(url)
            .build()?;
        client.otps.sms.send(req)
    })
    .await
    .unwrap()?;
    assert_eq!(resp.request_id, "request-id-test-1");
    assert_eq!(server.seen(), 2);
    Ok(())
}

#[test]
fn every_locale_tag_round_trips() {
    let tags = [
        "en", "es", "pt-br", "fr", "it", "de-DE", "zh-Hans", "ca-ES", "ja", "ru", "nl", "pl", "tr",
        "fa", "vi", "cs",
    ];
    assert_eq!(Locale::ALL.len(), tags.len());
    for (locale, tag) in Locale::ALL.iter().zip(tags) {
        assert_eq!(locale.as_str(), tag);
        assert_eq!(tag.parse::<Locale>().unwrap(), *locale);
        assert_eq!(serde_json::to_string(locale).unwrap(), format!("\"{tag}\""));
    }
    for bad in ["pt-BR", "EN", "de", "zh", "", "en ", "xx"] {
        let err = bad.parse::<Locale>().unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("validation_error", Some("locale")),
            "{bad}"
        );
    }
    assert!("pt-BR"
        .parse::<Locale>()
        .unwrap_err()
        .to_string()
        .contains("did you mean \"pt-br\""));
}
