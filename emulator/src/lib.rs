//! # sms-otp-emulator
//!
//! A local, offline stand-in for Stytch's SMS login (`POST /v1/otps/sms/send`,
//! `POST /v1/otps/sms/login_or_create`, `POST /v1/otps/authenticate` and the session JWKS), so
//! any client (ours, the official SDKs, curl) can be tested without an account, a network or a
//! real SMS. It answers like the real API (same statuses, error types, messages and ID
//! formats), keeps an inbox of the texts it "sent", issues sessions with RS256 JWTs, runs on a
//! virtual clock, and can inject faults. `docs/emulator.md` in the repository documents every
//! endpoint; the essentials follow.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sms_otp_emulator::StartError> {
//! let emu = sms_otp_emulator::Emulator::start(sms_otp_emulator::Config::default()).await?;
//! println!("{} {} {}", emu.url(), emu.project_id(), emu.secret());
//! // ... point a client at emu.url(), then read what it sent:
//! let inbox = emu.messages(Some("+12025550162"));
//! # let _ = inbox;
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Behaviour of the send endpoint
//!
//! Checks run in this order; the first failure answers:
//! 1. Basic auth → 401 `unauthorized_credentials`.
//! 2. Body over 1 MiB → 413 `bad_request`.
//! 3. Faults (see below) fire here: only authenticated sends reach them.
//! 4. Body not JSON, not an object, `phone_number` missing or not a string, any other
//!    documented field of the wrong JSON type (`null` counts as absent) → 400 `bad_request`.
//! 5. `phone_number` not E.164 / unassigned calling code → 400 `invalid_phone_number`; calling
//!    code not in [`Config::allowed_country_codes`] → 400 `invalid_phone_number_country_code`;
//!    `expiration_minutes` outside 1..=10 → 400 `invalid_expiration_otp`; unknown `locale` →
//!    400 `invalid_locale`; bad `attributes` → 400 `bad_request`; `user_id` not
//!    `user-test-<uuid>` → 400 `invalid_user_id`; both session arguments → 400
//!    `too_many_session_arguments`; a blank session argument → 400 `bad_request`.
//! 6. Unknown `user_id` → 404 `user_not_found`; unknown session → 404 `session_not_found`;
//!    `user_id` and session of different users → 400 `bad_request`; number already attached
//!    to another user than the one given → 400 `duplicate_phone_number`.
//! 7. Rate limit: more than [`Config::rate_limit`] sends to one number in one window → 429
//!    `too_many_requests` with `Retry-After` (seconds to the next window). Windows are fixed
//!    and aligned to the epoch on the virtual clock, so with the default one-hour window they
//!    reset at the top of each hour, as the service's do. The sandbox number is exempt.
//!
//! On success: `{request_id, user_id, phone_id, status_code: 200}`. The number keeps one
//! `phone_id` for the emulator's life (until reset); it belongs to the user it was first sent
//! with (or a new user). The code is random (from [`Config::seed`] when set), `000000` for
//! [`sms_otp::SANDBOX_PHONE_NUMBER`], valid `expiration_minutes` (default 2) on the virtual
//! clock, and the number's earlier active code becomes `invalidated`.
//!
//! ## `login_or_create`, `authenticate`, sessions
//!
//! `POST /v1/otps/sms/login_or_create` is a send (same checks in the same order, same rate
//! limit counter, same inbox) that makes the user when no user has the number (`pending` with
//! `create_user_as_pending`) and answers `{request_id, user_id, phone_id, user_created,
//! status_code}`. A number has one active code: any new send or login_or_create replaces it.
//!
//! `POST /v1/otps/authenticate` checks `code` against the `method_id` phone's active code on
//! the virtual clock: wrong → 404 `otp_code_not_found`; used, replaced or expired → 401
//! `unable_to_auth_otp_code`; after [`MAX_FAILED_ATTEMPTS`] wrong codes every attempt (the
//! right code included) → 429 `too_many_requests` until a new code is sent. Success marks the
//! phone verified and the user active, and with `session_duration_minutes` (or an existing
//! `session_token` / `session_jwt`, which it extends) starts a session whose JWT is signed
//! RS256 by a key made on first use (derived from [`Config::seed`] when set) and published at
//! `GET /v1/sessions/jwks/<project_id>` (no credentials needed).
//!
//! Every answer is `Content-Type: application/json` (except a `malformed_body` fault's HTML),
//! has a `Content-Length`, and leaves in one write. Unknown paths → 404 `not_found`; a wrong
//! method → 405 `method_not_allowed` with `Allow`.
//!
//! ## Admin API (`/_emulator/v1/`, loopback clients only, no auth)
//!
//! Errors use the same body as the API (`error_message` says what is wrong); bodies are JSON
//! objects (empty means `{}`) and unknown fields are refused.
//!
//! | call | answer |
//! |---|---|
//! | `GET messages?phone_number=` | `{"messages": [Message…]}`, oldest first ([`Message`]) |
//! | `GET messages/next?phone_number=&timeout_ms=` | the first message created after the call started: 200 [`Message`]; 408 `timeout` when none came within `timeout_ms` (default 10000, at most 600000); 503 on shutdown |
//! | `DELETE messages` | `{"deleted": n}` (numbers, users and rate counters stay) |
//! | `POST users {phone_number?}` | [`User`] `{user_id, phone_number, phone_id}` |
//! | `GET users?user_id=&phone_number=` | `{"users": [UserInfo…]}` ([`UserInfo`]) |
//! | `POST sessions {user_id, session_duration_minutes?}` | [`Session`] `{session_id, user_id, session_token, session_jwt}` |
//! | `GET sessions?user_id=` | `{"sessions": [SessionInfo…]}` ([`SessionInfo`]) |
//! | `POST faults` [`FaultSpec`] | [`FaultInfo`] (with `fault_id`) |
//! | `GET faults` / `DELETE faults` | `{"faults": [FaultInfo…]}` with `hits` / `{"deleted": n}` |
//! | `POST clock/advance {seconds}` / `GET clock` | `{now, now_ms, offset_seconds}` |
//! | `POST reset` | `{"reset": true}`: forgets everything, clock included |
//! | `GET health` | `{"status": "ok"}` |
//!
//! In `phone_number` query values a `+` stays a plus sign (`%2B` works too).
//!
//! ## Faults
//!
//! A fault fires on the next `times` (default 1) API requests (authenticated, except the
//! public JWKS) to its `path` (any endpoint when it has none) whose body's `phone_number`
//! equals its `phone_number` (any body when it has none); the oldest armed fault wins. `delay_ms` waits before acting. Kinds: `error` (status, default 500, with
//! the Stytch body of `error_type`, default the usual type of that status, and `Retry-After`
//! from `retry_after`); `reset_before_processing` (TCP RST, nothing recorded);
//! `process_then_reset` (the send is processed and recorded, then RST); `malformed_body` (an
//! HTML page, status 502 by default); `stall` (no answer until the client gives up or the
//! emulator shuts down; with `delay_ms`, the send is processed normally after that delay,
//! unless the client has closed the connection by then, in which case nothing is recorded).
//!
//! ## HTTPS
//!
//! The real service only speaks HTTPS, and the official SDKs only accept an `https://`
//! `custom_base_url`. With [`Config::tls`] (CLI: `sms-otp emulator --tls --tls-ca-out
//! ca.pem`) the emulator serves HTTPS (HTTP/1.1 over TLS, admin API included) with a server
//! certificate for `localhost`, `127.0.0.1`, `::1` and the configured host, signed by a
//! throwaway CA generated at start; clients trust that CA
//! ([`Emulator::ca_certificate_pem`]) through their usual setting: `REQUESTS_CA_BUNDLE` and
//! `SSL_CERT_FILE` for the Python SDK (requests / aiohttp), `NODE_EXTRA_CA_CERTS` for Node.
//!
//! ## Language bindings
//!
//! [`testing`] is the testing API of the Python and Node bindings, once: the admin
//! operations as calls of JSON data with one error type, so both languages behave alike.
//!
//! ## Runtime
//!
//! [`Emulator::start`] needs a Tokio runtime (it spawns the server on the current one).
//! Bindings that hold a runtime of their own call [`Emulator::start_on`] with its handle from
//! any thread, and stop it with `handle.block_on(emu.shutdown())` from outside the runtime.

mod admin;
mod api_errors;
mod authenticate;
mod clock;
mod ids;
mod jwks;
mod jwt;
mod login_or_create;
mod parse;
mod query;
mod send;
mod server;
mod sms_text;
mod state;
pub mod testing;
#[cfg(feature = "host")]
mod testing_host_args;
mod tls;

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

pub use admin::{DEFAULT_NEXT_TIMEOUT_MS, MAX_NEXT_TIMEOUT_MS};
pub use authenticate::{MAX_CUSTOM_CLAIMS_BYTES, SESSION_DURATION_MINUTES};
pub use parse::DEFAULT_EXPIRATION_MINUTES;
#[doc(hidden)]
pub use send::__parse_send_for_fuzzing;
pub use server::MAX_BODY_BYTES;
pub use state::{
    AuthenticationFactor, FaultInfo, FaultKind, FaultSpec, Message, MessageStatus, PhoneInfo,
    PhoneNumberFactor, Session, SessionAttributes, SessionInfo, SessionStatus, User, UserInfo,
    UserStatus, DEFAULT_SEEDED_SESSION_MINUTES, MAX_FAILED_ATTEMPTS, MAX_FAULT_DELAY_MS,
    SANDBOX_CODE,
};

use jwt::KeyCell;
use server::Shared;
use state::{Limits, State};

/// The default project ID.
pub const DEFAULT_PROJECT_ID: &str = "project-test-00000000-0000-0000-0000-000000000000";
/// The default secret.
pub const DEFAULT_SECRET: &str = "secret-test-emulator";

/// How to run the emulator. `Config::default()` is what tests usually want.
#[derive(Clone)]
pub struct Config {
    /// Interface to listen on (default `127.0.0.1`). A name such as `localhost` is resolved.
    pub host: String,
    /// Port (default 0: a free one; read it back with [`Emulator::url`]).
    pub port: u16,
    /// Accepted project ID (default [`DEFAULT_PROJECT_ID`]); `project-live-…` is refused.
    pub project_id: String,
    /// Accepted secret (default [`DEFAULT_SECRET`]); `secret-live-…` is refused.
    pub secret: String,
    /// Seed of the code and ID generators: the same seed and the same sends give the same
    /// codes. `None` (default) seeds randomly.
    pub seed: Option<u64>,
    /// Country calling codes sends may go to (default `["1"]`, US/Canada).
    pub allowed_country_codes: Vec<String>,
    /// Sends per number per window (default 5). The sandbox number is exempt.
    pub rate_limit: u32,
    /// Length of a rate-limit window (default one hour). Windows are fixed and aligned to the
    /// Unix epoch on the virtual clock: one-hour windows reset at the top of each hour.
    pub rate_window: Duration,
    /// Serve HTTPS instead of HTTP (default `false`), with a certificate generated at start
    /// and signed by a throwaway certificate authority whose PEM
    /// [`Emulator::ca_certificate_pem`] gives. The official Stytch SDKs only accept an
    /// `https://` `custom_base_url`, as the real service only speaks HTTPS.
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            project_id: DEFAULT_PROJECT_ID.into(),
            secret: DEFAULT_SECRET.into(),
            seed: None,
            allowed_country_codes: vec!["1".into()],
            rate_limit: 5,
            rate_window: Duration::from_secs(3600),
            tls: false,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("project_id", &self.project_id)
            .field("secret", &"<redacted>")
            .field("seed", &self.seed)
            .field("allowed_country_codes", &self.allowed_country_codes)
            .field("rate_limit", &self.rate_limit)
            .field("rate_window", &self.rate_window)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Why the emulator did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A `project-live-…` or `secret-live-…` credential was given.
    #[error(
        "refusing to start the emulator with live credentials: {field} starts with \
         \"{prefix}\"; use test credentials (the defaults are {DEFAULT_PROJECT_ID} and \
         {DEFAULT_SECRET}) so real secrets stay out of test code"
    )]
    LiveCredentials {
        /// `project_id` or `secret`.
        field: &'static str,
        /// The refused prefix.
        prefix: &'static str,
    },
    /// A config field is unusable.
    #[error("invalid emulator config {field}: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Could not listen on the address.
    #[error("the emulator could not listen on {address}: {source}")]
    Bind {
        /// `host:port` as configured.
        address: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate or configuration could not be made ([`Config::tls`]).
    #[error("the emulator could not set up TLS: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// [`Emulator::start`] was called outside a Tokio runtime.
    #[error(
        "Emulator::start must run inside a Tokio runtime; use Emulator::start_on(&handle, \
         config) to start it on a runtime of your own"
    )]
    NoRuntime,
}

/// A failed admin operation called from Rust (the same errors the admin API answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type} ({status}): {message}")]
pub struct AdminError {
    /// The HTTP status the admin API would answer.
    pub status: u16,
    /// The error type (`invalid_phone_number`, `user_not_found`, `bad_request`, …).
    pub error_type: String,
    /// What is wrong.
    pub message: String,
}

impl From<api_errors::ApiError> for AdminError {
    fn from(e: api_errors::ApiError) -> AdminError {
        AdminError {
            status: e.status,
            error_type: e.error_type,
            message: e.message,
        }
    }
}

fn check_config(config: &Config) -> Result<(), StartError> {
    let invalid = |field, reason: &str| StartError::InvalidConfig {
        field,
        reason: reason.to_owned(),
    };
    for (field, value, prefix) in [
        ("project_id", &config.project_id, "project-live-"),
        ("secret", &config.secret, "secret-live-"),
    ] {
        if value.trim().to_ascii_lowercase().starts_with(prefix) {
            return Err(StartError::LiveCredentials { field, prefix });
        }
        if value.trim().is_empty() {
            return Err(invalid(field, "must not be empty"));
        }
    }
    if config.project_id.contains(':') {
        return Err(invalid(
            "project_id",
            "must not contain ':' (basic auth could not carry it)",
        ));
    }
    if config.allowed_country_codes.is_empty() {
        return Err(invalid(
            "allowed_country_codes",
            "must list at least one calling code, such as \"1\"",
        ));
    }
    if let Some(code) = config
        .allowed_country_codes
        .iter()
        .find(|c| !sms_otp::is_assigned_calling_code(c))
    {
        return Err(StartError::InvalidConfig {
            field: "allowed_country_codes",
            reason: format!(
                "{code:?} is not an assigned country calling code (give digits without '+', \
                 such as \"1\" or \"44\")"
            ),
        });
    }
    if config.rate_window < Duration::from_millis(1) {
        return Err(invalid("rate_window", "must be at least 1 ms"));
    }
    Ok(())
}

/// Listens with a long accept queue, so bursts of thousands of connections are not refused.
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// A running emulator. Dropping it stops the server (without waiting); [`Emulator::shutdown`]
/// stops it and waits until every connection is closed.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    ca_pem: Option<String>,
    task: Option<JoinHandle<()>>,
    /// The process that started it: a forked child holds a copy whose server threads do not
    /// exist there.
    started_in: u32,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url)
            .field("project_id", &self.shared.project_id)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts the emulator on the current Tokio runtime. It is listening when this returns.
    pub async fn start(config: Config) -> Result<Emulator, StartError> {
        let handle = Handle::try_current().map_err(|_| StartError::NoRuntime)?;
        Emulator::start_on(&handle, config)
    }

    /// Starts the emulator on the runtime behind `handle`; callable from any thread, inside
    /// or outside that runtime. It is listening when this returns.
    pub fn start_on(handle: &Handle, config: Config) -> Result<Emulator, StartError> {
        check_config(&config)?;
        let address = format!("{}:{}", config.host, config.port);
        let bind_error = |source| StartError::Bind {
            address: address.clone(),
            source,
        };
        let candidates = (config.host.as_str(), config.port)
            .to_socket_addrs()
            .map_err(bind_error)?;
        let mut last_error = None;
        let mut bound = None;
        for candidate in candidates {
            match listen(candidate) {
                Ok(listener) => {
                    bound = Some(listener);
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        let listener = bound.ok_or_else(|| {
            bind_error(last_error.unwrap_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "the host resolved to nothing")
            }))
        })?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let tls = if config.tls {
            let tls = tls::generate(&[config.host.as_str()])
                .map_err(|reason| StartError::Tls { reason })?;
            Some(tls)
        } else {
            None
        };
        let listener = {
            let _runtime = handle.enter();
            tokio::net::TcpListener::from_std(listener).map_err(bind_error)?
        };

        let rate_window_ms = i64::try_from(config.rate_window.as_millis()).unwrap_or(i64::MAX);
        let state = State::new(Limits {
            project_id: config.project_id.clone(),
            seed: config.seed,
            rate_limit: config.rate_limit,
            rate_window_ms,
        });
        let shared = Arc::new(Shared::new(
            config.project_id,
            config.secret,
            config.allowed_country_codes,
            state,
            KeyCell::new(config.seed),
        ));
        let ca_pem = tls.as_ref().map(|tls| tls.ca_pem.clone());
        let task = handle.spawn(server::accept_loop(listener, shared.clone(), tls));
        let host = if addr.ip().is_unspecified() {
            // Listening on every interface: loopback reaches it.
            match addr {
                SocketAddr::V4(_) => "127.0.0.1".to_owned(),
                SocketAddr::V6(_) => "[::1]".to_owned(),
            }
        } else {
            match addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            }
        };
        let scheme = if ca_pem.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{host}:{}", addr.port());
        Ok(Emulator {
            shared,
            addr,
            url,
            ca_pem,
            task: Some(task),
            started_in: std::process::id(),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://…` with [`Config::tls`]): the base URL to give
    /// clients.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// With [`Config::tls`], the PEM of the certificate authority that signed the emulator's
    /// certificate (generated at start, valid for `localhost`, `127.0.0.1`, `::1` and the
    /// configured host): what clients must trust. `None` when serving plain HTTP.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project ID it accepts.
    pub fn project_id(&self) -> &str {
        &self.shared.project_id
    }

    /// The secret it accepts.
    pub fn secret(&self) -> &str {
        &self.shared.secret
    }

    /// The inbox, oldest first, optionally for one number (as `GET messages` answers).
    pub fn messages(&self, phone_number: Option<&str>) -> Vec<Message> {
        self.shared.state().messages(phone_number)
    }

    /// Waits up to `timeout` for the first message created after this call (optionally to
    /// one number). `None` on timeout or shutdown.
    pub async fn next_message(
        &self,
        phone_number: Option<&str>,
        timeout: Duration,
    ) -> Option<Message> {
        match admin::next_message(&self.shared, phone_number, timeout).await {
            admin::Next::Message(message) => Some(*message),
            admin::Next::TimedOut | admin::Next::ShuttingDown => None,
        }
    }

    /// Empties the inbox; returns how many messages it held.
    pub fn clear_messages(&self) -> usize {
        self.shared.state().clear_messages()
    }

    /// Creates a user, optionally owning `phone_number` (as `POST users`).
    pub fn create_user(&self, phone_number: Option<&str>) -> Result<User, AdminError> {
        if let Some(phone) = phone_number {
            sms_otp::validate_phone_number(phone).map_err(|e| AdminError {
                status: 400,
                error_type: "invalid_phone_number".into(),
                message: e.to_string(),
            })?;
        }
        Ok(self
            .shared
            .state()
            .create_user(phone_number.map(str::to_owned))?)
    }

    /// Creates a session of [`DEFAULT_SEEDED_SESSION_MINUTES`] for an existing user (as
    /// `POST sessions`: 400 `invalid_user_id` for an ID that is not `user-test-<uuid>`, 404
    /// `user_not_found` for an unknown one). Its token and JWT are accepted wherever the API
    /// takes a session. The first call may take a moment: it makes the emulator's signing key.
    pub fn create_session(&self, user_id: &str) -> Result<Session, AdminError> {
        self.create_session_for(user_id, DEFAULT_SEEDED_SESSION_MINUTES)
    }

    /// Creates a session lasting `minutes` (5..=527040) for an existing user (as
    /// `POST sessions {user_id, session_duration_minutes}`).
    pub fn create_session_for(&self, user_id: &str, minutes: i64) -> Result<Session, AdminError> {
        let minutes = admin::seeded_session_minutes(Some(minutes))?;
        let keys = self.shared.keys.get_blocking()?;
        Ok(self
            .shared
            .state()
            .create_session(user_id, minutes, &keys)?)
    }

    /// Every session, oldest first, optionally only one user's (as `GET sessions`).
    pub fn sessions(&self, user_id: Option<&str>) -> Vec<SessionInfo> {
        self.shared.state().sessions(user_id)
    }

    /// Every user, oldest first (as `GET users`).
    pub fn users(&self) -> Vec<UserInfo> {
        self.shared.state().users(None, None)
    }

    /// One user, by ID (as `GET users?user_id=`).
    pub fn user(&self, user_id: &str) -> Option<UserInfo> {
        self.shared.state().users(Some(user_id), None).pop()
    }

    /// Arms a fault (as `POST faults`).
    pub fn inject_fault(&self, spec: FaultSpec) -> Result<FaultInfo, AdminError> {
        self.shared.state().add_fault(spec).map_err(|reason| {
            AdminError::from(api_errors::ApiError::admin(400, "bad_request", reason))
        })
    }

    /// Every fault with its hit count (as `GET faults`).
    pub fn faults(&self) -> Vec<FaultInfo> {
        self.shared.state().faults()
    }

    /// Forgets every fault, armed or spent (as `DELETE faults`); returns how many there were.
    pub fn clear_faults(&self) -> usize {
        self.shared.state().clear_faults()
    }

    /// Moves the virtual clock forward (expiry and rate-limit windows follow it).
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.shared.state().advance_clock_ms(ms);
    }

    /// Forgets everything (as `POST reset`).
    pub fn reset(&self) {
        self.shared.state().reset();
    }

    /// Stops listening, ends every connection (stalled and long-polling ones included, after
    /// at most a one-second grace for requests in flight) and waits until they are closed.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // In a forked child the parent's server is not running here, and its tasks may have
        // held the shutdown channel's lock at the fork: signalling would wait forever (a
        // Python child exiting normally drops the emulator it inherited).
        if std::process::id() == self.started_in {
            self.shared.shutdown.send_replace(true);
        }
    }
}

/// The README's Rust code blocks, compiled and run as doctests (they start this emulator
/// and point the client at it), so the documentation cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
