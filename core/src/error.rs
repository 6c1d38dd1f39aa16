//! The one error type of the library, with a stable `code()` shared by every surface.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use crate::error_table::ErrorKind;

/// Which part of an attempt ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeoutPhase {
    /// TCP connect plus TLS handshake: nothing was sent, so nothing can have been delivered.
    Connect,
    /// Waiting for the complete response after the request was sent.
    Response,
}

impl TimeoutPhase {
    /// `"connect"` or `"response"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeoutPhase::Connect => "connect",
            TimeoutPhase::Response => "response",
        }
    }
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every failure of the library. Inspect it with [`Error::kind`] / [`Error::code`] and the
/// field accessors; the accessors of fields a kind does not have return `None`.
///
/// No message, field or `Debug` output ever contains the client's secret.
pub struct Error(Box<Inner>);

#[derive(Debug, Default)]
pub(crate) struct Details {
    pub(crate) field: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) status_code: Option<u16>,
    pub(crate) request_id: Option<String>,
    pub(crate) error_type: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) error_url: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Option<String>,
    pub(crate) json: Option<serde_json::Value>,
    pub(crate) phase: Option<TimeoutPhase>,
    pub(crate) after_send: Option<bool>,
    /// Set only for failures that provably never reached the server and that another
    /// attempt could fix (not certificate errors).
    pub(crate) retryable: bool,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    details: Details,
    attempts: u32,
    source: Option<Source>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, details: Details) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            details,
            attempts: 0,
            source: None,
        }))
    }

    /// A bad argument named by `field`, found before any request.
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Error {
        let (field, reason) = (field.into(), reason.into());
        let message = format!("invalid {field}: {reason}");
        Error::new(
            ErrorKind::Validation,
            message,
            Details {
                field: Some(field),
                reason: Some(reason),
                ..Details::default()
            },
        )
    }

    /// A bad client option named by `field`.
    pub fn configuration(field: impl Into<String>, reason: impl Into<String>) -> Error {
        let (field, reason) = (field.into(), reason.into());
        let message = format!("invalid client option {field}: {reason}");
        Error::new(
            ErrorKind::Configuration,
            message,
            Details {
                field: Some(field),
                reason: Some(reason),
                ..Details::default()
            },
        )
    }

    /// A bug inside the library: `what` went wrong where it never should. Its class is the
    /// base class `SmsOtpError` (code `internal_error`), and `maybe_delivered` is true: the
    /// library cannot know how far the send got.
    pub fn internal(what: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::Internal,
            format!("internal error in sms-otp ({what}); please report it"),
            Details::default(),
        )
    }

    /// A panic inside the library, from the payload `std::panic::catch_unwind` returned,
    /// as an [`ErrorKind::Internal`] error.
    pub fn from_panic(payload: &(dyn Any + Send)) -> Error {
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Error::internal(format_args!("panic: {message}"))
    }

    pub(crate) fn with_source(mut self, source: impl Into<Source>) -> Error {
        self.0.source = Some(source.into());
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Error {
        self.0.attempts = attempts;
        self
    }

    /// The family of this error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The stable code (`validation_error`, `rate_limited`, …), identical in every surface.
    pub fn code(&self) -> &'static str {
        self.0.kind.code()
    }

    /// The human-readable message (the same text as `Display`).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// False when no SMS can have been triggered; true when the library cannot know. When
    /// the detail it depends on is unknown, the kind's `default_maybe_delivered` of the
    /// error table.
    pub fn maybe_delivered(&self) -> bool {
        let d = &self.0.details;
        let unknown = self.0.kind.class().default_maybe_delivered;
        match self.0.kind {
            ErrorKind::Internal | ErrorKind::Validation | ErrorKind::Configuration => unknown,
            ErrorKind::Network => d.after_send.unwrap_or(unknown),
            ErrorKind::Timeout => d.phase.map_or(unknown, |p| p != TimeoutPhase::Connect),
            // A 4xx means the service refused the request; anything else (5xx, a redirect
            // from a proxy, a 2xx we could not read) may have been acted upon.
            _ => d.status_code.map_or(unknown, |s| !(400..=499).contains(&s)),
        }
    }

    pub(crate) fn never_sent_and_retryable(&self) -> bool {
        self.0.details.retryable
    }

    /// The innermost cause's message ("Connection refused"), when the error has a cause.
    pub fn root_cause(&self) -> Option<String> {
        let source = self.0.source.as_deref()?;
        chain(source).last().map(ToString::to_string)
    }

    /// The kind of the operating-system I/O error behind a network error, if there is one
    /// (bindings map it to `ConnectionRefusedError`, `ConnectionResetError`, …).
    pub fn io_error_kind(&self) -> Option<std::io::ErrorKind> {
        let source = self.0.source.as_deref()?;
        chain(source)
            .filter_map(|e| e.downcast_ref::<std::io::Error>())
            .last()
            .map(std::io::Error::kind)
    }

    /// How many HTTP attempts were made before this error (0 for validation and configuration).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The argument or option at fault (validation and configuration errors).
    pub fn field(&self) -> Option<&str> {
        self.0.details.field.as_deref()
    }

    /// What is wrong with [`Error::field`] and how to fix it.
    pub fn reason(&self) -> Option<&str> {
        self.0.details.reason.as_deref()
    }

    /// HTTP status of the answer (API and unexpected-response errors).
    pub fn status_code(&self) -> Option<u16> {
        self.0.details.status_code
    }

    /// `request_id` from the error body, to quote to Stytch support.
    pub fn request_id(&self) -> Option<&str> {
        self.0.details.request_id.as_deref()
    }

    /// Stytch's `error_type` (`too_many_requests`, `invalid_phone_number`, …).
    pub fn error_type(&self) -> Option<&str> {
        self.0.details.error_type.as_deref()
    }

    /// Stytch's `error_message`.
    pub fn error_message(&self) -> Option<&str> {
        self.0.details.error_message.as_deref()
    }

    /// Stytch's `error_url`.
    pub fn error_url(&self) -> Option<&str> {
        self.0.details.error_url.as_deref()
    }

    /// The `Retry-After` of the answer, when it had one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.details.retry_after
    }

    /// The response body: the whole JSON text for API errors, a short excerpt for unexpected
    /// responses.
    pub fn body(&self) -> Option<&str> {
        self.0.details.body.as_deref()
    }

    /// The parsed JSON error body of an API error.
    pub fn body_json(&self) -> Option<&serde_json::Value> {
        self.0.details.json.as_ref()
    }

    /// For timeouts: whether the connect or the response ran out of time.
    pub fn phase(&self) -> Option<TimeoutPhase> {
        self.0.details.phase
    }

    /// For network errors: whether the request may already have been written to the server.
    pub fn after_send(&self) -> Option<bool> {
        self.0.details.after_send
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("code", &self.code())
            .field("message", &self.0.message)
            .field("maybe_delivered", &self.maybe_delivered());
        if self.0.attempts > 0 {
            s.field("attempts", &self.0.attempts);
        }
        s.field("details", &self.0.details);
        if let Some(source) = &self.0.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Every error in `e`'s chain. `io::Error::source()` skips the error it wraps (it returns
/// the wrapped error's source), so step into `get_ref()` instead: that is where rustls and
/// hyper errors hide.
pub(crate) fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |err: &&'a (dyn std::error::Error + 'static)| {
        let err: &'a (dyn std::error::Error + 'static) = *err;
        match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        }
    })
}
