//! `NativeClient`: the core client behind the JS `Client`, and its `send`, which runs on
//! napi's tokio runtime and hands its outcome (a response, a library error payload, or
//! "cancelled") back through the client's batched completions (batched_settling.rs).
//!
//! Options and requests arrive whole: `value.rs` turns them into host values, and the core
//! reads them (`sms_otp::host`), checking every type and value.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use napi::bindgen_prelude::{Either, Function, FunctionRef, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use sms_otp::host::{self, ClientOptions, Language};
use tokio::sync::watch;

use crate::batched_settling::Completions;
use crate::errors::ErrorPayload;
use crate::value;

/// What a failed or cancelled send settles with: exactly one of `error`, `cancelled`.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct Failure {
    pub error: Option<ErrorPayload>,
    pub cancelled: Option<bool>,
}

/// How a send ends. A success is the response body as JSON text, one string: the JS layer
/// parses it and reads the four fields from it (the core took them from the same body),
/// which costs far less than building a nested object through N-API per send.
pub type Outcome = Either<String, Failure>;

fn failure(error: impl Into<ErrorPayload>) -> Outcome {
    Either::B(Failure {
        error: Some(error.into()),
        cancelled: None,
    })
}

/// The core client. It has no JS constructor: `createClient` makes one.
#[napi]
pub struct NativeClient {
    client: sms_otp::Client,
    completions: Completions,
    /// `Object.prototype.toString`, kept for reading requests.
    tag_of: FunctionRef<(), String>,
}

impl std::fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Builds a client from the options object (with `from_env`, from `STYTCH_*` variables plus
/// options): a wrong type is thrown as a `TypeError`, a bad option comes back as a
/// `ConfigurationError` payload. `on_settled` receives the outcomes of finished sends on
/// the JS thread, as `[id, outcome, id, outcome, …]`.
#[napi]
pub fn create_client(
    env: Env,
    options: Unknown<'_>,
    from_env: bool,
    on_settled: Function<'_, Vec<Either<u32, Outcome>>, Unknown<'static>>,
) -> Result<Either<NativeClient, ErrorPayload>> {
    let tag_of = value::tag_of(&env)?;
    let named = value::argument(&tag_of, options)?;
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
            tag_of: tag_of.create_ref()?,
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

    /// Starts a send of the request object on napi's tokio runtime; its outcome reaches the
    /// client's `on_settled` callback under `id`. Nothing starts when the core refuses the
    /// request while reading it: a wrong type is thrown as a `TypeError`, a value that cannot
    /// be represented (an unknown locale tag, a fractional `expiration_minutes`) comes back as
    /// a `ValidationError` payload. When `cancel` fires, the send future is dropped at once
    /// (closing its connection) and settles as `{ cancelled: true }`.
    #[napi]
    pub fn send(
        &self,
        env: Env,
        id: u32,
        request: Unknown<'_>,
        cancel: Option<&CancelToken>,
    ) -> Result<Option<ErrorPayload>> {
        let tag_of = self.tag_of.borrow_back(&env)?;
        let named = value::argument(&tag_of, request)?;
        let request = match host::request::<sms_otp::SendRequest>(Language::Node, Vec::new(), named)
        {
            Ok(request) => request,
            Err(refusal) => return value::refused(&env, refusal).map(Some),
        };
        let client = self.client.clone();
        self.spawn(&env, id, cancel, async move {
            match client.otps.sms.send(request).await {
                Ok(resp) => Either::A(serde_json::Value::Object(resp.raw).to_string()),
                Err(e) => failure(e),
            }
        });
        Ok(None)
    }

    /// For the test suite only: a send whose future panics, settled through the same path
    /// as `send` (under `id`), to prove a panic becomes `internal_error`, not a crash.
    #[napi]
    pub fn panicking_send_for_tests(&self, env: Env, id: u32) {
        self.spawn(&env, id, None, async {
            let message = String::from("deliberate panic for the test suite");
            if !message.is_empty() {
                std::panic::panic_any(message);
            }
            failure(sms_otp::Error::internal("unreachable"))
        });
    }
}

impl NativeClient {
    /// Runs a send's `work` on napi's tokio runtime and settles `id` with its outcome, its
    /// panic as the core's `internal_error`, or `{ cancelled: true }` when `cancel` fires.
    fn spawn(
        &self,
        env: &Env,
        id: u32,
        cancel: Option<&CancelToken>,
        work: impl Future<Output = Outcome> + Send + 'static,
    ) {
        let completions = self.completions.clone();
        let cancelled = cancel.map(|token| token.sender.subscribe());
        completions.started(env);
        napi::bindgen_prelude::spawn(async move {
            let work = CatchUnwind(Box::pin(work));
            // Never completes unless the token fires (a token dropped unfired, which cannot
            // happen while JS holds it, just lets the send finish).
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
                () = fired => Ok(Either::B(Failure { error: None, cancelled: Some(true) })),
                outcome = work => outcome,
            };
            completions.finish(
                id,
                outcome.unwrap_or_else(|payload| {
                    failure(sms_otp::Error::from_panic(payload.as_ref()))
                }),
            );
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
        CancelToken {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    #[napi]
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }
}

/// Turns a panic while polling the inner future into its payload, so a bug in the library
/// settles the promise with the core's `internal_error` (class `SmsOtpError`) instead of
/// tearing down the runtime thread. The core's `send` already catches panics inside it;
/// this also covers the conversion of its outcome here.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::result::Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
