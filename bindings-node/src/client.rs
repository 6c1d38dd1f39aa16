//! `NativeClient`: the core client behind the JS `Client`, and its `send`, which runs on
//! napi's tokio runtime and hands its outcome (a response, a library error payload, or
//! "cancelled") back through the client's batched completions (batched_settling.rs).
//!
//! Argument *types* are checked by the JS layer (`args.js`), which hands over only values of
//! the types declared here. Every rule about values lives in the core.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use napi::bindgen_prelude::{Either, Function, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use tokio::sync::watch;

use crate::batched_settling::Completions;
use crate::errors::ErrorPayload;

type CoreResult<T> = std::result::Result<T, sms_otp::Error>;

/// Client options after the JS layer checked their types (`base_url` already merged with
/// its alias `custom_base_url`, durations in milliseconds, integers as JS numbers).
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct NativeOptions {
    pub project_id: Option<String>,
    pub secret: Option<String>,
    pub environment: Option<String>,
    pub base_url: Option<String>,
    pub timeout_ms: Option<f64>,
    pub connect_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub retry_rate_limited: Option<bool>,
    pub allowed_country_codes: Option<Vec<String>>,
    pub user_agent_suffix: Option<String>,
    pub ca_file: Option<String>,
}

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
#[derive(Debug)]
pub struct NativeClient {
    client: sms_otp::Client,
    completions: Completions,
}

/// Integers arrive as JS numbers the JS layer checked with `Number.isInteger`; values beyond
/// the Rust type saturate, and the core rejects them with its usual range message.
fn saturating_i64(n: f64) -> i64 {
    // `as` saturates for finite values (and the JS layer refuses NaN and infinities).
    n as i64
}

fn builder(options: NativeOptions, from_env: bool) -> CoreResult<sms_otp::ClientBuilder> {
    let mut b = if from_env {
        sms_otp::ClientBuilder::from_env()?
    } else {
        // Missing credentials reach the core as empty strings, which it rejects by name.
        sms_otp::ClientBuilder::new(
            options.project_id.unwrap_or_default(),
            options.secret.unwrap_or_default(),
        )
    };
    if let Some(v) = options.environment {
        b = b.environment(v);
    }
    if let Some(v) = options.base_url {
        b = b.base_url(v);
    }
    if let Some(ms) = options.timeout_ms {
        b = b.timeout_secs_f64(ms / 1000.0);
    }
    if let Some(ms) = options.connect_timeout_ms {
        b = b.connect_timeout_secs_f64(ms / 1000.0);
    }
    if let Some(n) = options.max_retries {
        b = b.max_retries(saturating_i64(n));
    }
    if let Some(v) = options.retry_rate_limited {
        b = b.retry_rate_limited(v);
    }
    if let Some(v) = options.allowed_country_codes {
        b = b.allowed_country_codes(v);
    }
    if let Some(v) = options.user_agent_suffix {
        b = b.user_agent_suffix(v);
    }
    if let Some(v) = options.ca_file {
        b = b.ca_file(v);
    }
    Ok(b)
}

/// The core names the durations `timeout` / `connect_timeout`; Node's options are
/// `timeout_ms` / `connect_timeout_ms`, so errors about them name the option the caller wrote.
fn node_option_names(e: sms_otp::Error) -> sms_otp::Error {
    let renamed = match e.field() {
        Some("timeout") => "timeout_ms",
        Some("connect_timeout") => "connect_timeout_ms",
        _ => return e,
    };
    sms_otp::Error::configuration(renamed, e.reason().unwrap_or_default())
}

/// Builds a client from options (or from `STYTCH_*` environment variables plus options);
/// a bad option comes back as a `ConfigurationError` payload. `on_settled` receives the
/// outcomes of finished sends on the JS thread, as `[id, outcome, id, outcome, …]`.
#[napi]
pub fn create_client(
    options: NativeOptions,
    from_env: bool,
    node_version: String,
    on_settled: Function<'_, Vec<Either<u32, Outcome>>, Unknown<'static>>,
) -> Result<Either<NativeClient, ErrorPayload>> {
    let built = builder(options, from_env)
        .and_then(|b| b.surface("node", node_version).build())
        .map_err(node_option_names);
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

    /// Starts a send on napi's tokio runtime; its outcome reaches the client's `on_settled`
    /// callback under `id`. The request arrives as positional arguments (after the JS layer
    /// checked their types), which N-API reads far faster than an object's properties.
    /// Returns a `ValidationError` payload, without starting anything, when a field cannot
    /// even be represented (an unknown locale tag, a fractional `expiration_minutes`). When
    /// `cancel` fires, the send future is dropped at once (closing its connection) and
    /// settles as `{ cancelled: true }`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &self,
        env: Env,
        id: u32,
        phone_number: String,
        expiration_minutes: Option<f64>,
        with_attributes: bool,
        ip_address: Option<String>,
        user_agent: Option<String>,
        locale: Option<String>,
        user_id: Option<String>,
        session_token: Option<String>,
        session_jwt: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> Option<ErrorPayload> {
        // A JS number is one type: whether 2.5 is a whole number of minutes is the core's
        // call (a ValidationError), as is an unknown locale tag.
        let expiration_minutes = match expiration_minutes
            .map(sms_otp::validate::expiration_minutes_from_f64)
            .transpose()
        {
            Ok(minutes) => minutes,
            Err(e) => return Some(ErrorPayload::from(e)),
        };
        let locale = match locale.map(|tag| tag.parse()).transpose() {
            Ok(locale) => locale,
            Err(e) => return Some(ErrorPayload::from(e)),
        };
        let attributes = with_attributes.then_some(sms_otp::Attributes {
            ip_address,
            user_agent,
        });
        let request = sms_otp::SendRequest {
            phone_number,
            expiration_minutes,
            attributes,
            locale,
            user_id,
            session_token,
            session_jwt,
        };
        let client = self.client.clone();
        self.spawn(&env, id, cancel, async move {
            match client.otps.sms.send(request).await {
                Ok(resp) => Either::A(serde_json::Value::Object(resp.raw).to_string()),
                Err(e) => failure(e),
            }
        });
        None
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
