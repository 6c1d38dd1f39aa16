//! The blocking twin of [`crate::Client`], with the same shape:
//! `sms_otp::blocking::Client::new(pid, secret)?.otps.sms.send(req)?`.

use std::fmt;
use std::sync::Arc;

use crate::config::ClientBuilder;
use crate::{Error, SendRequest, SendResponse};

/// A blocking client. Owns a small tokio runtime (shared by its clones) that drives the
/// async client; safe to share across threads.
#[derive(Clone)]
pub struct Client {
    /// `client.otps.sms.send(..)`.
    pub otps: Otps,
}

/// The OTP products of the blocking client.
#[derive(Clone)]
pub struct Otps {
    /// Send a passcode by SMS.
    pub sms: Sms,
}

/// SMS one-time passcodes, blocking.
#[derive(Clone)]
pub struct Sms {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

/// Shuts its runtime down without waiting, so dropping the last client is safe anywhere,
/// even inside another runtime.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Client {
    /// A blocking client with default options.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> Result<Client, Error> {
        Client::from_async(crate::Client::new(project_id, secret)?)
    }

    /// A blocking client from `STYTCH_PROJECT_ID`, `STYTCH_SECRET`, `STYTCH_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        Client::from_async(crate::Client::from_env()?)
    }

    /// Options, as for the async client; finish with [`Client::from_async`] on the result
    /// of `build()`, or use `sms_otp::blocking::Client::build(builder)`.
    pub fn builder(project_id: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id, secret)
    }

    /// Builds a blocking client from a configured builder.
    pub fn build(builder: ClientBuilder) -> Result<Client, Error> {
        Client::from_async(builder.build()?)
    }

    /// Wraps an async client (sharing its connection pool settings).
    pub fn from_async(inner: crate::Client) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sms-otp-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::configuration("runtime", format!("could not start the I/O thread: {e}"))
            })?;
        Ok(Client {
            otps: Otps {
                sms: Sms {
                    inner,
                    runtime: Arc::new(Runtime(Some(runtime))),
                },
            },
        })
    }
}

impl Sms {
    /// Sends a one-time passcode and waits for the outcome. Same rules as the async `send`.
    pub fn send(&self, request: SendRequest) -> Result<SendResponse, Error> {
        let Some(runtime) = self.runtime.0.as_ref() else {
            return Err(Error::configuration(
                "runtime",
                "the client's runtime is shut down",
            ));
        };
        let work = self.inner.otps.sms.send(request);
        if tokio::runtime::Handle::try_current().is_ok() {
            // Blocking inside an async runtime would panic in `block_on`; run on a scoped
            // thread instead (it still blocks the caller, which is what was asked for).
            return std::thread::scope(|scope| {
                scope
                    .spawn(|| runtime.block_on(work))
                    .join()
                    .unwrap_or_else(|_| Err(Error::configuration("runtime", "the send panicked")))
            });
        }
        runtime.block_on(work)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("inner", &self.otps.sms.inner)
            .finish()
    }
}

impl fmt::Debug for Otps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Otps").field("sms", &self.sms).finish()
    }
}

impl fmt::Debug for Sms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sms").field("inner", &self.inner).finish()
    }
}
