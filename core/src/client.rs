//! The async client: `client.otps.sms.send(request)`.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;

use bytes::Bytes;

use crate::config::{ClientBuilder, Environment, Resolved};
use crate::login_rules::{validate_authenticate, validate_login_or_create};
use crate::response::{from_object, Unreadable};
use crate::retry::{decide, full_jitter, Decision, Policy, State};
use crate::transport::{Call, Endpoint, Transport};
use crate::validate::validate_request;
use crate::{
    AuthenticateRequest, AuthenticateResponse, Error, ErrorKind, LoginOrCreateRequest,
    LoginOrCreateResponse, SendRequest, SendResponse,
};

/// The Stytch SMS OTP client. Cheap to clone (one `Arc`), safe to share across tasks and
/// threads; clones share one connection pool. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Client {
    /// `client.otps.sms.send(..)`, as in the official SDKs.
    pub otps: Otps,
}

/// The OTP products: `client.otps.sms` sends codes, `client.otps.authenticate` checks them.
#[derive(Clone)]
pub struct Otps {
    /// Send a passcode by SMS.
    pub sms: Sms,
}

/// SMS one-time passcodes.
#[derive(Clone)]
pub struct Sms {
    transport: Arc<Transport>,
}

impl Client {
    /// A client with default options; the environment follows the project id.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> Result<Client, Error> {
        ClientBuilder::new(project_id, secret).build()
    }

    /// Starts a [`ClientBuilder`] to set options.
    pub fn builder(project_id: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id, secret)
    }

    /// A client from `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and optional `STYTCH_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_resolved(config: Resolved) -> Result<Client, Error> {
        Ok(Client {
            otps: Otps {
                sms: Sms {
                    transport: Arc::new(Transport::new(config)?),
                },
            },
        })
    }

    /// The project id the client authenticates as.
    pub fn project_id(&self) -> &str {
        &self.otps.sms.transport.config.project_id
    }

    /// The environment the client resolved (an explicit `base_url` still wins for the URL).
    pub fn environment(&self) -> Environment {
        self.otps.sms.transport.config.environment
    }

    /// The full URL sends go to.
    pub fn endpoint(&self) -> &str {
        self.otps.sms.transport.config.endpoint.as_str()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.otps.sms.transport.config;
        f.debug_struct("Client")
            .field("project_id", &config.project_id)
            .field("secret", &"[redacted]")
            .field("endpoint", &config.endpoint.as_str())
            .field("timeout", &config.timeout)
            .field("connect_timeout", &config.connect_timeout)
            .field("max_retries", &config.max_retries)
            .field("retry_rate_limited", &config.retry_rate_limited)
            .field("allowed_country_codes", &config.allowed_country_codes)
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
        f.debug_struct("Sms")
            .field("project_id", &self.transport.config.project_id)
            .finish_non_exhaustive()
    }
}

impl Sms {
    /// Sends a one-time passcode. Validates every field first (no request on a bad argument),
    /// then makes one attempt, retrying only failures that provably never reached the server
    /// (and, with `retry_rate_limited`, one short 429).
    ///
    /// A panic inside the library during the send (a bug) is returned as an
    /// [`ErrorKind::Internal`] error whose `maybe_delivered()` is true, not propagated.
    pub async fn send(&self, request: SendRequest) -> Result<SendResponse, Error> {
        self.send_as(request, |body| from_object(body, SendResponse::from_json))
            .await
    }

    /// [`Sms::send`], its answer read by `parse`.
    pub(crate) async fn send_as<T>(
        &self,
        request: SendRequest,
        parse: fn(&[u8]) -> Result<T, Unreadable>,
    ) -> Result<T, Error> {
        let secrets = [
            request.session_token.as_deref().unwrap_or(""),
            request.session_jwt.as_deref().unwrap_or(""),
            "",
        ];
        let call = Call {
            endpoint: Endpoint::Send,
            secrets,
            parse,
        };
        let validate =
            |r: &SendRequest, c: &Resolved| validate_request(r, c.allowed_country_codes.as_deref());
        self.validated_call(&request, validate, call).await
    }

    /// Sends a one-time passcode like [`Sms::send`], creating the user first when no user
    /// has the number (docs/login.md). Same validation, timeouts and retry policy as a send.
    pub async fn login_or_create(
        &self,
        request: LoginOrCreateRequest,
    ) -> Result<LoginOrCreateResponse, Error> {
        self.login_or_create_as(request, |body| {
            from_object(body, LoginOrCreateResponse::from_json)
        })
        .await
    }

    /// [`Sms::login_or_create`], its answer read by `parse`.
    pub(crate) async fn login_or_create_as<T>(
        &self,
        request: LoginOrCreateRequest,
        parse: fn(&[u8]) -> Result<T, Unreadable>,
    ) -> Result<T, Error> {
        let call = Call {
            endpoint: Endpoint::LoginOrCreate,
            secrets: ["", "", ""],
            parse,
        };
        let validate = |r: &LoginOrCreateRequest, c: &Resolved| {
            validate_login_or_create(r, c.allowed_country_codes.as_deref())
        };
        self.validated_call(&request, validate, call).await
    }

    /// Checks `request` with `validate` (given the client's settings), then makes `call` with
    /// it. A panic in either is an internal error, as for every call.
    async fn validated_call<T, R: serde::Serialize>(
        &self,
        request: &R,
        validate: impl FnOnce(&R, &Resolved) -> Result<(), Error>,
        call: Call<'_, T>,
    ) -> Result<T, Error> {
        catch_panic(async {
            validate(request, &self.transport.config)?;
            self.call(&call, request).await
        })
        .await
    }

    /// Encodes and makes one call, retrying only failures that provably never
    /// reached the server (and, with `retry_rate_limited`, one short 429).
    async fn call<T>(
        &self,
        call: &Call<'_, T>,
        request: &impl serde::Serialize,
    ) -> Result<T, Error> {
        let config = &self.transport.config;
        let body = Bytes::from(serde_json::to_vec(request).map_err(|e| {
            Error::validation("request", format!("could not be encoded as JSON: {e}"))
        })?);
        let policy = Policy {
            max_retries: config.max_retries,
            retry_rate_limited: config.retry_rate_limited,
        };
        let mut state = State {
            unsent_retries: 0,
            rate_limit_retry_used: false,
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            // Boxed: an attempt's future is kilobytes (hyper's exchange inside the response
            // timeout), and inline it would make every caller's future as large, copied at each
            // move (into a task, a box, an awaited slot); one allocation per attempt is cheaper.
            let attempt = Box::pin(self.transport.attempt(call, body.clone()));
            let error = match attempt.await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            match decide(&error, policy, state, full_jitter) {
                Decision::Stop => return Err(error.with_attempts(attempts)),
                Decision::RetryUnsent(wait) => {
                    state.unsent_retries += 1;
                    tokio::time::sleep(wait).await;
                }
                Decision::RetryRateLimited(wait) => {
                    debug_assert_eq!(error.kind(), ErrorKind::RateLimited);
                    state.rate_limit_retry_used = true;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

impl Otps {
    /// Checks a passcode against a method (the `phone_id` of a send), starting or extending a
    /// session when asked (docs/login.md). A refused code is an [`ErrorKind::InvalidCode`]
    /// error. A code is single-use, so only failures that provably never reached the server
    /// are retried; `maybe_delivered()` then means "may have taken effect at the service".
    pub async fn authenticate(
        &self,
        request: AuthenticateRequest,
    ) -> Result<AuthenticateResponse, Error> {
        self.authenticate_as(request, |body| {
            from_object(body, AuthenticateResponse::from_json)
        })
        .await
    }

    /// [`Otps::authenticate`], its answer read by `parse`.
    pub(crate) async fn authenticate_as<T>(
        &self,
        request: AuthenticateRequest,
        parse: fn(&[u8]) -> Result<T, Unreadable>,
    ) -> Result<T, Error> {
        let call = Call {
            endpoint: Endpoint::Authenticate,
            secrets: [
                request.code.as_str(),
                request.session_token.as_deref().unwrap_or(""),
                request.session_jwt.as_deref().unwrap_or(""),
            ],
            parse,
        };
        let validate =
            |r: &AuthenticateRequest, c: &Resolved| validate_authenticate(r, c.environment);
        self.sms.validated_call(&request, validate, call).await
    }
}

/// Runs `work`, turning a panic while it is polled into an [`ErrorKind::Internal`] error
/// (`maybe_delivered() == true`). The future is not polled again after a panic.
pub(crate) async fn catch_panic<T>(
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(Error::from_panic(payload.as_ref()))),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_a_send_is_an_internal_error_that_may_have_been_delivered() {
        let work = async {
            tokio::task::yield_now().await;
            let message = String::from("deliberate panic for the test");
            if !message.is_empty() {
                std::panic::panic_any(message);
            }
            Ok::<(), Error>(())
        };
        let error = catch_panic(work).await.expect_err("the panic is an error");
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert_eq!(error.code(), "internal_error");
        assert!(error.maybe_delivered());
        assert!(
            error.message().contains("deliberate panic for the test")
                && error.message().contains("please report it"),
            "{error}"
        );
        assert_eq!(
            catch_panic(async { Ok::<u8, Error>(7) }).await.ok(),
            Some(7)
        );
    }
}
