//! `sms-otp/testing`: the emulator run in-process on napi's tokio runtime. Every rule is in
//! `sms_otp_emulator::testing`; arguments arrive as host-value text (lib/host.js) and
//! results leave as JSON text, failures as plain objects testing.js turns into errors.

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;
use sms_otp_emulator::testing::{json_from_host, EmulatorError, Language, TestEmulator, METHODS};
use tokio::runtime::Handle;

use crate::value;

/// A failed call: `kind` as `EmulatorError.kind`, or `type` for a `TypeError`.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct EmulatorFailure {
    pub kind: String,
    pub message: String,
    pub field: Option<String>,
    pub status: Option<u32>,
    pub error_type: Option<String>,
}

impl From<EmulatorError> for EmulatorFailure {
    fn from(e: EmulatorError) -> EmulatorFailure {
        EmulatorFailure {
            kind: e.kind.as_str().to_owned(),
            message: e.message,
            field: e.field,
            status: e.status.map(u32::from),
            error_type: e.error_type,
        }
    }
}

type Outcome<T> = Either<T, EmulatorFailure>;

fn outcome<T>(result: std::result::Result<T, EmulatorError>) -> Outcome<T> {
    result.map_or_else(|e| Either::B(e.into()), Either::A)
}

/// The host-value text of `method`'s arguments (lib/host.js) as the JSON data the testing
/// API reads; `field` names them in messages.
type Parsed = std::result::Result<Value, EmulatorError>;

fn parse(method: &str, field: &str, text: Option<String>) -> Result<Parsed> {
    Ok(json_from_host(
        Language::Node,
        method,
        field,
        value::parse(text)?,
    ))
}

/// A running emulator. `call("stop")` shuts it down; dropping it (garbage collection) stops
/// it too.
#[napi]
#[derive(Debug)]
pub struct NativeEmulator {
    inner: TestEmulator,
    #[napi(readonly)]
    pub url: String,
    #[napi(readonly)]
    pub project_id: String,
    #[napi(readonly)]
    pub secret: String,
}

/// Starts an emulator from its options (host-value text); resolves when it is listening.
#[napi]
pub fn start_emulator<'env>(
    env: &'env Env,
    options: Option<String>,
) -> Result<PromiseRaw<'env, Outcome<NativeEmulator>>> {
    let options = parse("start", "Emulator.start options", options)?;
    env.spawn_future(async move {
        let started =
            options.and_then(|o| TestEmulator::start(&Handle::current(), Language::Node, &o));
        Ok(outcome(started.map(|inner| NativeEmulator {
            url: inner.url().into(),
            project_id: inner.project_id().into(),
            secret: inner.secret().into(),
            inner,
        })))
    })
}

#[napi]
impl NativeEmulator {
    /// The methods of `call`, in snake_case.
    #[napi]
    pub fn methods() -> Vec<String> {
        METHODS.iter().map(|m| (*m).to_owned()).collect()
    }

    /// One of `methods()` with its arguments (host-value text, named `field` in messages);
    /// resolves to the result as JSON text.
    #[napi]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        method: String,
        args: Option<String>,
        field: String,
    ) -> Result<PromiseRaw<'env, Outcome<String>>> {
        let pending = parse(&method, &field, args)?.map(|args| self.inner.call(&method, &args));
        env.spawn_future(async move { Ok(outcome(async { pending?.await }.await)) })
    }
}
