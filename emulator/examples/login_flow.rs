//! Sending a passcode, handling each error kind, and testing a login flow offline with the
//! in-process emulator. Run: `cargo run -p sms-otp-emulator --example login_flow`.

use sms_otp::{Client, Error, ErrorKind, SendRequest};
use sms_otp_emulator::{Config, Emulator, FaultSpec};

/// The application code: sends a code and returns the phone_id to verify against, or a
/// message for the user.
pub async fn start_login(client: &Client, phone_number: &str) -> Result<String, String> {
    let phone_number =
        sms_otp::normalize_phone_number(phone_number, "US").map_err(|e| explain(&e))?;
    let request = SendRequest {
        phone_number,
        expiration_minutes: Some(5),
        ..Default::default()
    };
    match client.otps.sms.send(request).await {
        Ok(resp) => Ok(resp.phone_id),
        Err(e) => Err(explain(&e)),
    }
}

/// What to tell the user (or the logs) for each kind of failure.
fn explain(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Validation => format!(
            "check {}: {}",
            e.field().unwrap_or("input"),
            e.reason().unwrap_or("")
        ),
        ErrorKind::RateLimited => format!("too many codes; retry in {:?}", e.retry_after()),
        ErrorKind::Unauthorized => "wrong credentials".to_owned(),
        ErrorKind::BadRequest | ErrorKind::NotFound | ErrorKind::Forbidden => {
            format!("refused: {}", e.error_type().unwrap_or("unknown"))
        }
        // Server, Timeout, Network, UnexpectedResponse: what was safe to retry was retried.
        _ if e.maybe_delivered() => format!("outcome unknown ({}): ask before resending", e.code()),
        _ => format!("not sent ({}): {e}", e.code()),
    }
}

/// The test of the login flow, against the emulator.
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::start(Config::default()).await?;
    let client = Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .build()?;

    let phone_id = start_login(&client, "(202) 555-0162").await?;
    let message = emu
        .messages(Some("+12025550162"))
        .pop()
        .ok_or("no message")?;
    assert_eq!(message.phone_id, phone_id);
    println!("the user received {}", message.code);

    let refused = start_login(&client, "12")
        .await
        .err()
        .ok_or("a bad number was accepted")?;
    assert!(refused.starts_with("check phone_number"), "{refused}");
    let outage: FaultSpec = serde_json::from_value(
        serde_json::json!({"status": 503, "error_type": "server_unavailable"}),
    )?;
    emu.inject_fault(outage)?;
    let failure = start_login(&client, "+12025550162")
        .await
        .err()
        .ok_or("the outage went unnoticed")?;
    assert!(
        failure.starts_with("outcome unknown (server_error)"),
        "{failure}"
    );
    println!("an outage was reported as: {failure}");
    emu.shutdown().await;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
#[allow(dead_code)] // also compiled into emulator/tests/examples.rs, which calls `run` itself
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run().await
}
