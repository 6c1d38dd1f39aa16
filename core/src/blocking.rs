//! The blocking twin of [`crate::Client`], shaped like `reqwest::blocking`: the same
//! calls without `.await`, and a [`ClientBuilder`] whose `build()` gives a blocking
//! [`Client`].
//!
//! ```no_run
//! # fn demo() -> Result<(), sms_otp::Error> {
//! use std::time::Duration;
//! use sms_otp::SendRequest;
//!
//! let client = sms_otp::blocking::Client::builder("project-test-…", "secret-test-…")
//!     .timeout(Duration::from_secs(5))
//!     .max_retries(1)
//!     .build()?;
//! let resp = client.otps.sms.send(SendRequest {
//!     phone_number: "+12025550162".into(),
//!     ..Default::default()
//! })?;
//! println!("{}", resp.phone_id);
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::client::catch_panic;
use crate::{Environment, Error, SendRequest, SendResponse};

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

/// Options of a blocking [`Client`]: the options of [`crate::ClientBuilder`] (each method
/// here hands its argument to it, so the defaults and checks are the async client's), and
/// a `build()` that gives a blocking client.
#[derive(Clone)]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::ClientBuilder")
            .field(&self.inner)
            .finish()
    }
}

impl From<crate::ClientBuilder> for ClientBuilder {
    fn from(inner: crate::ClientBuilder) -> ClientBuilder {
        ClientBuilder { inner }
    }
}

/// Methods that hand their argument to the async builder's method of the same name.
macro_rules! delegate {
    ($($(#[$attr:meta])* fn $name:ident($arg:ident: $ty:ty);)*) => {
        $(
            $(#[$attr])*
            #[doc = concat!("\n\nAs [`crate::ClientBuilder::", stringify!($name), "`].")]
            pub fn $name(self, $arg: $ty) -> Self {
                ClientBuilder { inner: self.inner.$name($arg) }
            }
        )*
    };
}

impl ClientBuilder {
    /// Starts from the credentials; every other option has its documented default.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        crate::ClientBuilder::new(project_id, secret).into()
    }

    /// Reads `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and, when set, `STYTCH_BASE_URL`.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        crate::ClientBuilder::from_env().map(ClientBuilder::from)
    }

    delegate! {
        /// The Stytch environment; by default the project id's.
        fn environment(environment: Environment);
        /// Overrides the environment's URL.
        fn base_url(url: impl Into<String>);
        /// Alias of [`ClientBuilder::base_url`].
        fn custom_base_url(url: impl Into<String>);
        /// Per attempt, from sending to a fully read response.
        fn timeout(timeout: Duration);
        /// Per attempt, TCP connect plus TLS handshake.
        fn connect_timeout(timeout: Duration);
        /// Extra attempts for failures that provably never reached the server.
        fn max_retries(retries: u32);
        /// One extra attempt after a 429 with a short `Retry-After`.
        fn retry_rate_limited(retry: bool);
        /// Appended to the `User-Agent` header.
        fn user_agent_suffix(suffix: impl Into<String>);
        /// A PEM bundle trusted in addition to the system roots.
        fn ca_file(path: impl Into<PathBuf>);
    }

    /// E.164 calling codes sends may go to (`["1", "44"]`).
    ///
    /// As [`crate::ClientBuilder::allowed_country_codes`].
    pub fn allowed_country_codes<I, S>(self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ClientBuilder {
            inner: self.inner.allowed_country_codes(codes),
        }
    }

    /// Checks every option and resolves the defaults, as the async builder does, and
    /// starts the blocking client's runtime.
    pub fn build(self) -> Result<Client, Error> {
        Client::from_async(self.inner.build()?)
    }
}

impl Client {
    /// A blocking client with default options.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> Result<Client, Error> {
        ClientBuilder::new(project_id, secret).build()
    }

    /// A blocking client from `STYTCH_PROJECT_ID`, `STYTCH_SECRET`, `STYTCH_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Starts a [`ClientBuilder`] to set options; its `build()` gives a blocking client.
    pub fn builder(project_id: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id, secret)
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
    /// Sends a one-time passcode and waits for the outcome. Same rules as the async `send`,
    /// including: a panic inside the library is an [`crate::ErrorKind::Internal`] error with
    /// `maybe_delivered() == true`.
    pub fn send(&self, request: SendRequest) -> Result<SendResponse, Error> {
        self.wait(self.inner.otps.sms.send(request))
    }

    /// Sends a code, creating the user first when no user has the number; waits for the
    /// outcome. Same rules as the async `login_or_create`.
    pub fn login_or_create(
        &self,
        request: crate::LoginOrCreateRequest,
    ) -> Result<crate::LoginOrCreateResponse, Error> {
        self.wait(self.inner.otps.sms.login_or_create(request))
    }

    /// Drives `work` to completion on the client's runtime, from this thread.
    fn wait<T: Send>(
        &self,
        work: impl Future<Output = Result<T, Error>> + Send,
    ) -> Result<T, Error> {
        let Some(runtime) = self.runtime.0.as_ref() else {
            return Err(Error::internal(
                "the blocking client's runtime is shut down",
            ));
        };
        let work = catch_panic(work);
        if tokio::runtime::Handle::try_current().is_ok() {
            // Blocking inside an async runtime would panic in `block_on`; run on a scoped
            // thread instead (it still blocks the caller, which is what was asked for).
            return std::thread::scope(|scope| {
                scope
                    .spawn(|| runtime.block_on(work))
                    .join()
                    .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref())))
            });
        }
        runtime.block_on(work)
    }
}

impl Otps {
    /// Checks a passcode and waits for the outcome. Same rules as the async `authenticate`.
    pub fn authenticate(
        &self,
        request: crate::AuthenticateRequest,
    ) -> Result<crate::AuthenticateResponse, Error> {
        self.sms.wait(self.sms.inner.otps.authenticate(request))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    async fn panicking() -> Result<(), Error> {
        tokio::task::yield_now().await;
        let message = String::from("deliberate panic for the test");
        if !message.is_empty() {
            std::panic::panic_any(message);
        }
        Ok(())
    }

    fn assert_internal(result: Result<(), Error>) {
        let error = result.expect_err("a panic is an error");
        assert_eq!(error.kind(), ErrorKind::Internal, "{error:?}");
        assert_eq!(error.code(), "internal_error");
        assert!(error.maybe_delivered());
        assert!(error.message().contains("deliberate panic"), "{error}");
    }

    #[test]
    fn a_panic_in_a_blocking_send_is_an_internal_error_that_may_have_been_delivered() {
        let client = Client::new("project-test-x", "secret-test-x").expect("client");
        let sms = &client.otps.sms;
        assert_internal(sms.wait(panicking()));
        // From inside an async runtime (the scoped-thread path) too.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        assert_internal(runtime.block_on(async { sms.wait(panicking()) }));
        // The client still works afterwards.
        assert_eq!(sms.wait(async { Ok::<u8, Error>(3) }).ok(), Some(3));
    }

    #[test]
    fn the_builder_mirrors_the_async_one_and_builds_a_blocking_client() {
        let client: Client = Client::builder("project-live-x", "secret-live-x")
            .environment(Environment::Test)
            .base_url("http://127.0.0.1:9/prefix")
            .timeout(Duration::from_secs(4))
            .connect_timeout(Duration::from_millis(500))
            .max_retries(0)
            .retry_rate_limited(true)
            .allowed_country_codes(["1"])
            .user_agent_suffix("tests")
            .build()
            .expect("valid options");
        assert_eq!(
            client.otps.sms.inner.endpoint(),
            "http://127.0.0.1:9/prefix/v1/otps/sms/send"
        );
        // The async builder's checks apply, with its messages.
        let error = ClientBuilder::new("project-test-x", "secret-test-x")
            .max_retries(99)
            .build()
            .expect_err("too many retries");
        let same = crate::ClientBuilder::new("project-test-x", "secret-test-x")
            .max_retries(99)
            .build()
            .expect_err("too many retries");
        assert_eq!(error.message(), same.message());
        assert_eq!(error.field(), Some("max_retries"));
        // An async builder converts.
        let from_async: ClientBuilder = crate::Client::builder("project-test-x", "s").into();
        assert!(from_async.build().is_ok());
    }

    /// Every option method of the async builder (a `pub fn` taking `self`) has its twin here.
    #[test]
    fn every_option_of_the_async_builder_is_mirrored() {
        let options = |source: &str| -> Vec<String> {
            let start = source
                .find("impl ClientBuilder {")
                .expect("an impl ClientBuilder block");
            source[start..]
                .split("pub fn ")
                .skip(1)
                .filter_map(|rest| {
                    let (name, after) = rest.split_once('(')?;
                    let name = name.split('<').next()?.trim();
                    let takes_self = after.trim_start().starts_with("mut self")
                        || after.trim_start().starts_with("self");
                    takes_self.then(|| name.to_owned())
                })
                .collect()
        };
        let ours = include_str!("blocking.rs");
        let missing: Vec<String> = options(include_str!("config.rs"))
            .into_iter()
            .filter(|name| name != "build")
            .filter(|name| {
                !ours.contains(&format!("fn {name}(")) && !ours.contains(&format!("fn {name}<"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "blocking::ClientBuilder lacks {missing:?}; add them to its delegate! list"
        );
    }
}
