//! `sms-otp login-or-create PHONE` and `sms-otp authenticate METHOD_ID CODE`: the two calls
//! of an SMS login against Stytch (credentials from `STYTCH_PROJECT_ID` / `STYTCH_SECRET`),
//! and with `login-or-create --emulator` a whole login against an embedded emulator, step by
//! step, every outcome shown (docs/cli.md).

use sms_otp::{
    AuthenticateRequest, AuthenticateResponse, Client, ErrorKind, LoginOrCreateRequest,
    LoginOrCreateResponse,
};

use crate::send::{attributes, call_failure, client_from_env, locale, usage, write_out};
use crate::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct LoginOrCreateArgs {
    /// Phone number in E.164 form, e.g. +12025550162.
    phone_number: String,
    /// Minutes the code stays valid (1-10; Stytch defaults to 2).
    #[arg(long)]
    expiration_minutes: Option<i32>,
    /// Language of the SMS: en, es, pt-br, fr, it, de-DE, zh-Hans, ca-ES, ja, ru, nl, pl, tr, fa, vi, cs.
    #[arg(long)]
    locale: Option<String>,
    /// A user created by this call stays pending until a code is authenticated.
    #[arg(long)]
    create_user_as_pending: bool,
    /// End user's IP address, for fraud detection.
    #[arg(long)]
    ip_address: Option<String>,
    /// End user's browser user agent, for fraud detection.
    #[arg(long)]
    user_agent: Option<String>,
    /// Call this base URL instead of the environment's (https, or http on loopback).
    #[arg(long, conflicts_with = "emulator")]
    base_url: Option<String>,
    /// Run a whole login against an embedded emulator and show each step: the code sent, a
    /// wrong code refused, the right code accepted with a session, the used code refused.
    #[arg(long)]
    emulator: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub(crate) struct AuthenticateArgs {
    /// The phone_id a send or login-or-create printed.
    method_id: String,
    /// The six-digit code the SMS carried.
    code: String,
    /// Start a session of this many minutes (5-527040); without it no session is started.
    #[arg(long)]
    session_duration_minutes: Option<i32>,
    /// Call this base URL instead of the environment's (https, or http on loopback).
    #[arg(long)]
    base_url: Option<String>,
    /// Print the whole response as JSON, session token and JWT included.
    #[arg(long)]
    json: bool,
}

pub(crate) async fn login_or_create(args: LoginOrCreateArgs) -> Result<(), Failure> {
    let locale = locale(args.locale.as_deref())?;
    let attributes = attributes(&args.ip_address, &args.user_agent);
    let request = LoginOrCreateRequest {
        phone_number: args.phone_number.clone(),
        expiration_minutes: args.expiration_minutes,
        attributes,
        create_user_as_pending: args.create_user_as_pending.then_some(true),
        locale,
    };
    if args.emulator {
        return whole_login(request, args.json).await;
    }
    let client = client_from_env(args.base_url.as_deref())?;
    let response = client
        .otps
        .sms
        .login_or_create(request)
        .await
        .map_err(call_failure)?;
    write_out(&if args.json {
        format!("{}\n", serde_json::Value::Object(response.raw.clone()))
    } else {
        describe_login(&response)
    });
    Ok(())
}

pub(crate) async fn authenticate(args: AuthenticateArgs) -> Result<(), Failure> {
    let client = client_from_env(args.base_url.as_deref())?;
    let request = AuthenticateRequest {
        method_id: args.method_id,
        code: args.code,
        session_duration_minutes: args.session_duration_minutes,
        ..Default::default()
    };
    let response = client
        .otps
        .authenticate(request)
        .await
        .map_err(call_failure)?;
    write_out(&if args.json {
        format!("{}\n", serde_json::Value::Object(response.raw.clone()))
    } else {
        describe_authenticated(&response)
    });
    Ok(())
}

/// login_or_create → the delivered code → a wrong code → the right code with a session → the
/// same code again, against an embedded emulator, printing each step.
async fn whole_login(request: LoginOrCreateRequest, json: bool) -> Result<(), Failure> {
    let emulator = sms_otp_emulator::Emulator::start(sms_otp_emulator::Config::default())
        .await
        .map_err(|e| Failure::Call(format!("could not start the emulator: {e}")))?;
    let outcome = run_steps(&emulator, request, json).await;
    emulator.shutdown().await;
    outcome
}

async fn run_steps(
    emulator: &sms_otp_emulator::Emulator,
    request: LoginOrCreateRequest,
    json: bool,
) -> Result<(), Failure> {
    let client = Client::builder(emulator.project_id(), emulator.secret())
        .base_url(emulator.url())
        .build()
        .map_err(|e| usage(&e))?;
    let phone_number = request.phone_number.clone();
    let mut steps = Vec::new();
    let mut say = |title: &str, text: String, value: serde_json::Value| {
        if json {
            steps.push(serde_json::json!({ "step": title, "result": value }));
        } else {
            write_out(&format!("== {title}\n{text}"));
        }
    };

    let sent = client
        .otps
        .sms
        .login_or_create(request)
        .await
        .map_err(call_failure)?;
    say(
        "1. login_or_create",
        describe_login(&sent),
        serde_json::Value::Object(sent.raw.clone()),
    );
    let code = emulator
        .messages(Some(&phone_number))
        .last()
        .map(|m| m.code.clone())
        .ok_or_else(|| Failure::Call("the emulator delivered no message".into()))?;
    say(
        "2. the SMS the emulator delivered",
        format!("delivered code: {code}\n"),
        serde_json::json!({ "delivered_code": code }),
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let authenticate = |code: &str, minutes: Option<i32>| AuthenticateRequest {
        method_id: sent.phone_id.clone(),
        code: code.to_owned(),
        session_duration_minutes: minutes,
        ..Default::default()
    };
    let refused = client.otps.authenticate(authenticate(wrong, None)).await;
    let (text, value) = describe_refusal(refused)?;
    say("3. a wrong code", text, value);
    let accepted = client
        .otps
        .authenticate(authenticate(&code, Some(60)))
        .await
        .map_err(call_failure)?;
    say(
        "4. the right code, with a 60-minute session",
        describe_authenticated(&accepted),
        serde_json::Value::Object(accepted.raw.clone()),
    );
    let reused = client.otps.authenticate(authenticate(&code, None)).await;
    let (text, value) = describe_refusal(reused)?;
    say("5. the same code again", text, value);
    if json {
        write_out(&format!("{}\n", serde_json::Value::Array(steps)));
    }
    Ok(())
}

/// A refusal the login expects (`InvalidCodeError`); anything else fails the command.
fn describe_refusal(
    outcome: Result<AuthenticateResponse, sms_otp::Error>,
) -> Result<(String, serde_json::Value), Failure> {
    match outcome {
        Err(e) if e.kind() == ErrorKind::InvalidCode => {
            let error_type = e.error_type().unwrap_or_default().to_owned();
            let advice = if error_type == "otp_code_not_found" {
                "ask the user again"
            } else {
                "send a new code"
            };
            Ok((
                format!("refused: {} ({error_type}): {advice}\n", e.code()),
                serde_json::json!({ "code": e.code(), "error_type": error_type, "status_code": e.status_code() }),
            ))
        }
        Err(e) => Err(call_failure(e)),
        Ok(_) => Err(Failure::Call(
            "the emulator accepted a code it should have refused".into(),
        )),
    }
}

fn describe_login(response: &LoginOrCreateResponse) -> String {
    format!(
        "code sent\n  request_id:   {}\n  user_id:      {}\n  phone_id:     {}\n  user_created: {}\n  status_code:  {}\n",
        response.request_id,
        response.user_id,
        response.phone_id,
        response.user_created,
        response.status_code
    )
}

/// The session token and JWT are secrets: text output says they are there, `--json` shows
/// them.
fn describe_authenticated(response: &AuthenticateResponse) -> String {
    let mut text = format!(
        "code accepted\n  request_id:  {}\n  user_id:     {}\n  user status: {}\n",
        response.request_id, response.user_id, response.user.status
    );
    if let Some(session) = &response.session {
        text.push_str(&format!(
            "  session_id:  {}\n  expires_at:  {}\n  session token and JWT issued (shown with --json)\n",
            session.session_id, session.expires_at
        ));
    } else {
        text.push_str("  no session started (--session-duration-minutes starts one)\n");
    }
    text
}
