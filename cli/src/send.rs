//! `sms-otp send PHONE`: one send through the library, against Stytch (credentials from
//! `STYTCH_PROJECT_ID` / `STYTCH_SECRET`) or, with `--emulator`, an embedded emulator whose
//! delivered code is printed too.

use sms_otp::{Attributes, Client, ErrorKind, Locale, SendRequest, SendResponse};

use crate::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Phone number in E.164 form, e.g. +12025550162.
    phone_number: String,
    /// Minutes the code stays valid (1-10; Stytch defaults to 2).
    #[arg(long)]
    expiration_minutes: Option<i32>,
    /// Language of the SMS: en, es, pt-br, fr, it, de-DE, zh-Hans, ca-ES, ja, ru, nl, pl, tr, fa, vi, cs.
    #[arg(long)]
    locale: Option<String>,
    /// Attach the number to this existing user.
    #[arg(long)]
    user_id: Option<String>,
    /// End user's IP address, for fraud detection.
    #[arg(long)]
    ip_address: Option<String>,
    /// End user's browser user agent, for fraud detection.
    #[arg(long)]
    user_agent: Option<String>,
    /// Send to this base URL instead of the environment's (https, or http on loopback).
    #[arg(long, conflicts_with = "emulator")]
    base_url: Option<String>,
    /// Start an embedded emulator, send to it, and print the delivered code.
    #[arg(long)]
    emulator: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `--locale` as a locale tag (a usage error names the tags it takes).
pub(crate) fn locale(tag: Option<&str>) -> Result<Option<Locale>, Failure> {
    tag.map(str::parse::<Locale>)
        .transpose()
        .map_err(|e| usage(&e))
}

/// `--ip-address` and `--user-agent` as a request's attributes, when either is given.
pub(crate) fn attributes(
    ip_address: &Option<String>,
    user_agent: &Option<String>,
) -> Option<Attributes> {
    (ip_address.is_some() || user_agent.is_some()).then(|| Attributes {
        ip_address: ip_address.clone(),
        user_agent: user_agent.clone(),
    })
}

pub(crate) async fn run(args: Args) -> Result<(), Failure> {
    let locale = locale(args.locale.as_deref())?;
    let attributes = attributes(&args.ip_address, &args.user_agent);
    let request = SendRequest {
        phone_number: args.phone_number.clone(),
        expiration_minutes: args.expiration_minutes,
        attributes,
        locale,
        user_id: args.user_id.clone(),
        ..Default::default()
    };
    if args.emulator {
        return send_to_emulator(request, args.json).await;
    }
    let client = client_from_env(args.base_url.as_deref())?;
    let response = client.otps.sms.send(request).await.map_err(call_failure)?;
    print_response(&response, None, args.json);
    Ok(())
}

/// A client from `STYTCH_PROJECT_ID` / `STYTCH_SECRET` (and `STYTCH_BASE_URL`), or
/// `base_url` when given.
pub(crate) fn client_from_env(base_url: Option<&str>) -> Result<Client, Failure> {
    let mut builder = sms_otp::ClientBuilder::from_env().map_err(|e| usage(&e))?;
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    cli_surface(builder).build().map_err(|e| usage(&e))
}

async fn send_to_emulator(request: SendRequest, json: bool) -> Result<(), Failure> {
    let emulator = sms_otp_emulator::Emulator::start(sms_otp_emulator::Config::default())
        .await
        .map_err(|e| Failure::Call(format!("could not start the emulator: {e}")))?;
    let client = cli_surface(
        Client::builder(emulator.project_id(), emulator.secret()).base_url(emulator.url()),
    )
    .build()
    .map_err(|e| usage(&e))?;
    let phone_number = request.phone_number.clone();
    let outcome = client.otps.sms.send(request).await;
    let code = emulator
        .messages(Some(&phone_number))
        .last()
        .map(|m| m.code.clone());
    emulator.shutdown().await;
    let response = outcome.map_err(call_failure)?;
    print_response(&response, code.as_deref(), json);
    Ok(())
}

/// The `User-Agent` names the command line (`cli/0.1.0`) rather than `rust/<rustc>`.
fn cli_surface(builder: sms_otp::ClientBuilder) -> sms_otp::ClientBuilder {
    sms_otp::host::surface(builder, "cli", env!("CARGO_PKG_VERSION"))
}

/// Writes to stdout. Write errors (a closed pipe) are ignored rather than turned into a
/// panic: the call itself already happened.
pub(crate) fn write_out(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Writes the outcome of a send to stdout.
fn print_response(response: &SendResponse, code: Option<&str>, json: bool) {
    let mut text = String::new();
    if json {
        let mut out = serde_json::Map::new();
        out.insert(
            "response".into(),
            serde_json::Value::Object(response.raw.clone()),
        );
        if let Some(code) = code {
            out.insert("delivered_code".into(), code.into());
        }
        text = format!("{}\n", serde_json::Value::Object(out));
    } else {
        text.push_str("sent\n");
        text.push_str(&format!("  request_id:  {}\n", response.request_id));
        text.push_str(&format!("  user_id:     {}\n", response.user_id));
        text.push_str(&format!("  phone_id:    {}\n", response.phone_id));
        text.push_str(&format!("  status_code: {}\n", response.status_code));
        if let Some(code) = code {
            text.push_str(&format!("delivered code: {code}\n"));
        }
    }
    write_out(&text);
}

pub(crate) fn usage(error: &sms_otp::Error) -> Failure {
    Failure::Usage(error.to_string())
}

/// API and transport failures: exit 1, with the fields an operator needs.
pub(crate) fn call_failure(error: sms_otp::Error) -> Failure {
    if matches!(
        error.kind(),
        ErrorKind::Validation | ErrorKind::Configuration
    ) {
        return usage(&error);
    }
    let mut message = format!("{error} [code {}", error.code());
    if let Some(error_type) = error.error_type() {
        message.push_str(&format!(", error_type {error_type}"));
    }
    message.push_str(&format!(", maybe_delivered {}]", error.maybe_delivered()));
    Failure::Call(message)
}
