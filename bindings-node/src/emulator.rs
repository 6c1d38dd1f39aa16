//! `sms-otp/testing`: the emulator run in-process on napi's tokio runtime. Every rule is in
//! `sms_otp_emulator::testing`; arguments arrive as JSON text (testing.js makes it) and
//! results leave as JSON text, failures as plain objects testing.js turns into errors.

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;
use sms_otp_emulator::testing::{EmulatorError, Language, TestEmulator, METHODS};
use tokio::runtime::Handle;

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

/// testing.js writes the JSON; text it could not read is a type error all the same.
fn parse(json: &str) -> std::result::Result<Value, EmulatorError> {
    let unreadable = |e| EmulatorError::not_data("arguments", &format!("unreadable JSON ({e})"));
    serde_json::from_str(json).map_err(unreadable)
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

/// Starts an emulator from its options (JSON text); resolves when it is listening.
#[napi]
pub fn start_emulator<'env>(
    env: &'env Env,
    options: String,
) -> Result<PromiseRaw<'env, Outcome<NativeEmulator>>> {
    env.spawn_future(async move {
        let started = parse(&options)
            .and_then(|o| TestEmulator::start(&Handle::current(), Language::Node, &o));
        Ok(outcome(started.map(|inner| NativeEmulator {
            url: inner.url().into(),
            project_id: inner.project_id().into(),
            secret: inner.secret().into(),
            inner,
        })))
    })
}

/// The failure for a value testing.js cannot put into JSON (see `EmulatorError::bad_value`).
#[napi]
pub fn emulator_bad_value(method: String, field: String, reason: String) -> EmulatorFailure {
    EmulatorError::bad_value(&method, &field, &reason).into()
}

/// A value of a type JSON has no place for (see `EmulatorError::not_data`).
#[napi]
pub fn emulator_not_data(field: String, type_name: String) -> EmulatorFailure {
    EmulatorError::not_data(&field, &type_name).into()
}

#[napi]
impl NativeEmulator {
    /// The methods of `call`, in snake_case.
    #[napi]
    pub fn methods() -> Vec<String> {
        METHODS.iter().map(|m| (*m).to_owned()).collect()
    }

    /// One of `methods()` with its arguments (JSON text); resolves to the result as JSON text.
    #[napi]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        method: String,
        args: String,
    ) -> Result<PromiseRaw<'env, Outcome<String>>> {
        let pending = parse(&args).map(|args| self.inner.call(&method, &args));
        env.spawn_future(async move { Ok(outcome(async { pending?.await }.await)) })
    }
}
