//! Core errors as plain objects. The native functions never throw or reject for a library
//! error: they hand back an [`ErrorPayload`], and the JS layer (`lib/errors.js`) turns it
//! into the class named by `class_name` (made from the core's error table).

use std::io::ErrorKind as IoKind;

use napi_derive::napi;

/// Every field of a core error, flattened for JavaScript. Absent fields are `undefined`.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct ErrorPayload {
    /// The JS class to throw (`ValidationError`, `RateLimitedError`, …).
    pub class_name: String,
    /// The stable code (`validation_error`, …).
    pub code: String,
    pub message: String,
    pub maybe_delivered: bool,
    pub field: Option<String>,
    pub reason: Option<String>,
    pub status_code: Option<u32>,
    pub request_id: Option<String>,
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    pub error_url: Option<String>,
    /// Seconds.
    pub retry_after: Option<f64>,
    pub body: Option<String>,
    pub phase: Option<String>,
    pub after_send: Option<bool>,
    pub attempts: u32,
    /// The innermost cause's message ("Connection refused"), for `err.cause`.
    pub cause_message: Option<String>,
    /// Node's name for the operating-system error behind the cause (`ECONNREFUSED`, …).
    pub cause_code: Option<String>,
}

impl From<sms_otp::Error> for ErrorPayload {
    fn from(e: sms_otp::Error) -> ErrorPayload {
        ErrorPayload::from(&e)
    }
}

impl From<&sms_otp::Error> for ErrorPayload {
    fn from(e: &sms_otp::Error) -> ErrorPayload {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        let cause_message = e.root_cause();
        ErrorPayload {
            class_name: e.kind().class().class_name.to_owned(),
            code: e.code().to_owned(),
            message: e.message().to_owned(),
            maybe_delivered: e.maybe_delivered(),
            field: owned(e.field()),
            reason: owned(e.reason()),
            status_code: e.status_code().map(u32::from),
            request_id: owned(e.request_id()),
            error_type: owned(e.error_type()),
            error_message: owned(e.error_message()),
            error_url: owned(e.error_url()),
            retry_after: e.retry_after().map(|d| d.as_secs_f64()),
            body: owned(e.body()),
            phase: e.phase().map(|p| p.as_str().to_owned()),
            after_send: e.after_send(),
            attempts: e.attempts(),
            cause_code: cause_message
                .as_ref()
                .and(e.io_error_kind())
                .and_then(node_error_code)
                .map(str::to_owned),
            cause_message,
        }
    }
}

/// Node's `err.code` for an operating-system error kind, as `net` sockets report them.
fn node_error_code(kind: IoKind) -> Option<&'static str> {
    Some(match kind {
        IoKind::ConnectionRefused => "ECONNREFUSED",
        IoKind::ConnectionReset => "ECONNRESET",
        IoKind::ConnectionAborted => "ECONNABORTED",
        IoKind::BrokenPipe => "EPIPE",
        IoKind::TimedOut => "ETIMEDOUT",
        IoKind::AddrNotAvailable => "EADDRNOTAVAIL",
        IoKind::AddrInUse => "EADDRINUSE",
        IoKind::HostUnreachable => "EHOSTUNREACH",
        IoKind::NetworkUnreachable => "ENETUNREACH",
        IoKind::NetworkDown => "ENETDOWN",
        IoKind::PermissionDenied => "EACCES",
        IoKind::NotFound => "ENOENT",
        _ => return None,
    })
}
