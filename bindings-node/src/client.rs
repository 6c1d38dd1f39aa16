//! `NativeClient`: the core client behind the JS `Client`, and its `send`, which runs on
//! napi's tokio runtime and hands its outcome (a response or a library error payload) back
//! through the client's batched completions (batched_settling.rs).
//! Options and requests arrive whole, as host-value text (`lib/host.js`, `value.rs`); the
//! core reads them (`sms_otp::host`), checking every type and value.

use std::future::Future;
use std::sync::Arc;

use napi::bindgen_prelude::{Either, Function, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use sms_otp::host::{self, ClientOptions, Language, Request};
use tokio::sync::watch;

use crate::batched_settling::Completions;
use crate::errors::ErrorPayload;
use crate::value;

/// How a call ends: the response body as one JSON string, which the JS layer parses (far
/// cheaper than building a nested object through N-API per call), or an error.
pub type Outcome = Either<String, ErrorPayload>;

/// The core client. It has no JS constructor: `createClient` makes one.
#[napi]
#[derive(Debug)]
pub struct NativeClient {
    client: sms_otp::Client,
    completions: Completions,
}

/// Builds a client from the options object (with `from_env`, from `STYTCH_*` variables plus
/// options): a wrong type is thrown as a `TypeError`, a bad option comes back as a
/// `ConfigurationError` payload. `on_settled` receives the outcomes of finished sends on
/// the JS thread, as `[id, outcome, id, outcome, …]`.
#[napi]
pub fn create_client(
    env: Env,
    options: Option<String>,
    from_env: bool,
    on_settled: Function<'_, Vec<Either<u32, Outcome>>, Unknown<'static>>,
) -> Result<Either<NativeClient, ErrorPayload>> {
    let named = value::parse(options)?;
    let v = env.get_node_version()?;
    let version = format!("{}.{}.{}", v.major, v.minor, v.patch);
    let read = ClientOptions::from_host(Language::Node, &version, Vec::new(), named, from_env);
    let built = match read {
        Ok(options) => options.build(),
        Err(refusal) => return value::refused(&env, refusal).map(Either::B),
    };
    Ok(match built {
        Ok(client) => Either::A(NativeClient {
            client,
            completions: Completions::new(on_settled)?,
        }),
        Err(e) => Either::B(e.into()),
    })
}

#[napi]
impl NativeClient {
    #[napi(getter)]
    pub fn project_id(&self) -> String {
        self.client.project_id().to_owned()
    }

    #[napi(getter)]
    pub fn environment(&self) -> String {
        self.client.environment().as_str().to_owned()
    }

    #[napi(getter)]
    pub fn endpoint(&self) -> String {
        self.client.endpoint().to_owned()
    }

    /// Starts the call `name` (`send`, `login_or_create`, `authenticate`) of the request
    /// (host-value text, lib/host.js) on napi's tokio runtime; its outcome (the response body
    /// as JSON text) reaches the client's `on_settled` callback under `id`. Nothing starts
    /// when the core refuses the request while reading it: a wrong type is thrown as a
    /// `TypeError`, a value it cannot represent (an unknown locale tag, a fractional
    /// `expiration_minutes`) comes back as a `ValidationError` payload. When `cancel` fires,
    /// the call's future is dropped at once (closing its connection).
    #[napi]
    pub fn call(
        &self,
        env: Env,
        id: u32,
        name: String,
        request: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> Result<Option<ErrorPayload>> {
        let request = match Request::read(Language::Node, &name, Vec::new(), value::parse(request)?)
        {
            Ok(request) => request,
            Err(refusal) => return value::refused(&env, refusal).map(Some),
        };
        let run = request.run(self.client.clone());
        self.spawn(&env, id, cancel, async move { Ok(run.await?.into_text()) });
        Ok(None)
    }

    /// For the test suite only: a send whose future panics, settled through the same path
    /// as `send` (under `id`), to prove a panic becomes `internal_error`, not a crash.
    #[napi]
    pub fn panicking_send_for_tests(&self, env: Env, id: u32) {
        let work = host::panicking_call_for_tests();
        self.spawn(&env, id, None, async { work.await.map(|_| String::new()) });
    }
}

impl NativeClient {
    /// Runs `work` on napi's tokio runtime and settles `id` with its outcome (a panic as the
    /// core's `internal_error`). When `cancel` fires it drops `work` at once and settles `id`
    /// for the in-flight count only: the JS layer has already rejected and forgotten it.
    fn spawn(
        &self,
        env: &Env,
        id: u32,
        cancel: Option<&CancelToken>,
        work: impl Future<Output = std::result::Result<String, sms_otp::Error>> + Send + 'static,
    ) {
        // Boxed at once: the send future is kilobytes, and would be copied at every move.
        let work = host::catch_panic(Box::pin(work));
        let completions = self.completions.clone();
        let cancelled = cancel.map(|token| token.sender.subscribe());
        completions.started(env);
        napi::bindgen_prelude::spawn(async move {
            host::runtime::as_batch_thread();
            // Never completes unless the token fires (one dropped unfired lets the send finish).
            let fired = async move {
                if let Some(mut rx) = cancelled {
                    if rx.wait_for(|c| *c).await.is_ok() {
                        return;
                    }
                }
                std::future::pending::<()>().await;
            };
            let outcome = tokio::select! {
                biased;
                () = fired => Either::B(sms_otp::Error::internal("cancelled").into()),
                result = work => result.map_or_else(|e| Either::B(e.into()), Either::A),
            };
            completions.finish(id, outcome).await;
        });
    }
}

/// Cancels one pending `send`: the JS layer creates one per call with an `AbortSignal` and
/// calls `cancel()` on `abort`.
#[napi]
#[derive(Debug)]
pub struct CancelToken {
    sender: Arc<watch::Sender<bool>>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> CancelToken {
        let sender = Arc::new(watch::Sender::new(false));
        CancelToken { sender }
    }

    #[napi]
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }
}
