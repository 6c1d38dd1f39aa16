//! `sms-otp/testing`: the emulator crate run in-process on napi's tokio runtime. Admin data
//! (messages, faults, users, sessions) crosses as JSON text, serialised by the emulator's own
//! serde types, so the shapes are exactly those of its admin API.

use std::sync::Mutex;
use std::time::Duration;

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::{Env, Result};
use napi_derive::napi;
use sms_otp_emulator::{Config, Emulator, StartError};

/// `Emulator.start(options)` after the JS layer checked the types. Integers arrive as JS
/// numbers (`seed` as decimal text, so it can be a full u64).
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct EmulatorOptions {
    pub host: Option<String>,
    pub port: Option<f64>,
    pub project_id: Option<String>,
    pub secret: Option<String>,
    pub seed: Option<String>,
    pub allowed_country_codes: Option<Vec<String>>,
    pub rate_limit: Option<f64>,
    pub rate_window_ms: Option<f64>,
}

/// Why an emulator call failed. `kind`: `live_credentials`, `invalid_config`, `bind`,
/// `admin` (a refused admin call, with the admin API's `status` and `error_type`) or
/// `stopped`.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct EmulatorFailure {
    pub kind: String,
    pub message: String,
    pub field: Option<String>,
    pub status: Option<u32>,
    pub error_type: Option<String>,
}

impl EmulatorFailure {
    fn new(kind: &str, message: impl Into<String>) -> EmulatorFailure {
        EmulatorFailure {
            kind: kind.to_owned(),
            message: message.into(),
            field: None,
            status: None,
            error_type: None,
        }
    }

    fn invalid(field: &str, reason: &str) -> EmulatorFailure {
        EmulatorFailure {
            field: Some(field.to_owned()),
            ..EmulatorFailure::new(
                "invalid_config",
                format!("invalid emulator config {field}: {reason}"),
            )
        }
    }

    fn admin(e: sms_otp_emulator::AdminError) -> EmulatorFailure {
        EmulatorFailure {
            status: Some(u32::from(e.status)),
            error_type: Some(e.error_type.clone()),
            ..EmulatorFailure::new("admin", e.to_string())
        }
    }

    fn stopped() -> EmulatorFailure {
        EmulatorFailure::new("stopped", "the emulator was stopped")
    }
}

impl From<StartError> for EmulatorFailure {
    fn from(e: StartError) -> EmulatorFailure {
        let message = e.to_string();
        match e {
            StartError::LiveCredentials { field, .. } => EmulatorFailure {
                field: Some(field.to_owned()),
                ..EmulatorFailure::new("live_credentials", message)
            },
            StartError::InvalidConfig { field, .. } => EmulatorFailure {
                field: Some(field.to_owned()),
                ..EmulatorFailure::new("invalid_config", message)
            },
            StartError::Bind { .. } => EmulatorFailure::new("bind", message),
            _ => EmulatorFailure::new("start", message),
        }
    }
}

/// A whole number in `0..=max`, from a JS number the JS layer checked with `isInteger`.
fn whole(n: f64, max: u64, field: &str) -> std::result::Result<u64, EmulatorFailure> {
    if n >= 0.0 && n <= max as f64 {
        Ok(n as u64)
    } else {
        Err(EmulatorFailure::invalid(
            field,
            &format!("must be an integer from 0 to {max}"),
        ))
    }
}

fn config(o: EmulatorOptions) -> std::result::Result<Config, EmulatorFailure> {
    let mut c = Config::default();
    if let Some(v) = o.host {
        c.host = v;
    }
    if let Some(v) = o.port {
        c.port = whole(v, u64::from(u16::MAX), "port")? as u16;
    }
    if let Some(v) = o.project_id {
        c.project_id = v;
    }
    if let Some(v) = o.secret {
        c.secret = v;
    }
    if let Some(v) = o.seed {
        c.seed = Some(v.parse::<u64>().map_err(|_| {
            EmulatorFailure::invalid("seed", "must be an integer from 0 to 2^64 - 1")
        })?);
    }
    if let Some(v) = o.allowed_country_codes {
        c.allowed_country_codes = v;
    }
    if let Some(v) = o.rate_limit {
        c.rate_limit = whole(v, u64::from(u32::MAX), "rate_limit")? as u32;
    }
    if let Some(ms) = o.rate_window_ms {
        c.rate_window = Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
            EmulatorFailure::invalid("rate_window_ms", "must be a finite, positive number")
        })?;
    }
    Ok(c)
}

/// A running emulator. `stop()` shuts it down; dropping it (garbage collection) stops it too.
#[napi]
#[derive(Debug)]
pub struct NativeEmulator {
    inner: Mutex<Option<Emulator>>,
    url: String,
    project_id: String,
    secret: String,
}

/// Starts an emulator on napi's runtime; resolves when it is listening.
#[napi]
pub fn start_emulator<'env>(
    env: &'env Env,
    options: EmulatorOptions,
) -> Result<PromiseRaw<'env, Either<NativeEmulator, EmulatorFailure>>> {
    let config = config(options);
    env.spawn_future(async move {
        let config = match config {
            Ok(c) => c,
            Err(e) => return Ok(Either::B(e)),
        };
        Ok(match Emulator::start(config).await {
            Ok(emu) => Either::A(NativeEmulator {
                url: emu.url(),
                project_id: emu.project_id().to_owned(),
                secret: emu.secret().to_owned(),
                inner: Mutex::new(Some(emu)),
            }),
            Err(e) => Either::B(e.into()),
        })
    })
}

type Outcome<T> = Either<T, EmulatorFailure>;

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

impl NativeEmulator {
    fn with<T>(&self, f: impl FnOnce(&Emulator) -> Outcome<T>) -> Outcome<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(emu) => f(emu),
            None => Either::B(EmulatorFailure::stopped()),
        }
    }
}

#[napi]
impl NativeEmulator {
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter)]
    pub fn project_id(&self) -> String {
        self.project_id.clone()
    }

    #[napi(getter)]
    pub fn secret(&self) -> String {
        self.secret.clone()
    }

    /// The inbox as JSON (`[Message…]`), oldest first, optionally for one number.
    #[napi]
    pub fn messages(&self, phone_number: Option<String>) -> Outcome<String> {
        self.with(|emu| Either::A(json(&emu.messages(phone_number.as_deref()))))
    }

    /// Empties the inbox; returns how many messages it held.
    #[napi]
    pub fn clear_messages(&self) -> Outcome<u32> {
        self.with(|emu| Either::A(u32::try_from(emu.clear_messages()).unwrap_or(u32::MAX)))
    }

    /// A new user (JSON `User`), optionally owning `phone_number`.
    #[napi]
    pub fn create_user(&self, phone_number: Option<String>) -> Outcome<String> {
        self.with(|emu| match emu.create_user(phone_number.as_deref()) {
            Ok(user) => Either::A(json(&user)),
            Err(e) => Either::B(EmulatorFailure::admin(e)),
        })
    }

    /// A new session (JSON `Session`) for an existing user.
    #[napi]
    pub fn create_session(&self, user_id: String) -> Outcome<String> {
        self.with(|emu| match emu.create_session(&user_id) {
            Ok(session) => Either::A(json(&session)),
            Err(e) => Either::B(EmulatorFailure::admin(e)),
        })
    }

    /// Arms a fault from its JSON spec (the admin API's `POST faults` body); JSON `FaultInfo`.
    #[napi]
    pub fn inject_fault(&self, spec_json: String) -> Outcome<String> {
        self.with(|emu| {
            let spec = match serde_json::from_str(&spec_json) {
                Ok(spec) => spec,
                Err(e) => {
                    return Either::B(EmulatorFailure::admin(sms_otp_emulator::AdminError {
                        status: 400,
                        error_type: "bad_request".to_owned(),
                        message: format!("invalid fault: {e}"),
                    }))
                }
            };
            match emu.inject_fault(spec) {
                Ok(info) => Either::A(json(&info)),
                Err(e) => Either::B(EmulatorFailure::admin(e)),
            }
        })
    }

    /// Every fault (JSON `[FaultInfo…]`).
    #[napi]
    pub fn faults(&self) -> Outcome<String> {
        self.with(|emu| Either::A(json(&emu.faults())))
    }

    /// Forgets every fault, armed or spent; returns how many there were.
    #[napi]
    pub fn clear_faults(&self) -> Outcome<u32> {
        self.with(|emu| Either::A(u32::try_from(emu.clear_faults()).unwrap_or(u32::MAX)))
    }

    /// Moves the virtual clock forward by `seconds`.
    #[napi]
    pub fn advance_clock(&self, seconds: f64) -> Outcome<bool> {
        self.with(|emu| match Duration::try_from_secs_f64(seconds) {
            Ok(by) => {
                emu.advance_clock(by);
                Either::A(true)
            }
            Err(_) => Either::B(EmulatorFailure {
                field: Some("seconds".to_owned()),
                ..EmulatorFailure::new(
                    "invalid_argument",
                    "advanceClock(seconds): seconds must be a finite number >= 0",
                )
            }),
        })
    }

    /// Forgets everything.
    #[napi]
    pub fn reset(&self) -> Outcome<bool> {
        self.with(|emu| {
            emu.reset();
            Either::A(true)
        })
    }

    /// Stops listening and waits until every connection is closed. Idempotent.
    #[napi]
    pub fn stop<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, bool>> {
        let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        env.spawn_future(async move {
            if let Some(emu) = taken {
                emu.shutdown().await;
            }
            Ok(true)
        })
    }
}
