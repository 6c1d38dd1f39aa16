//! A core error as the plain data a binding raises it from: its class (a row of the error
//! table), message, `code`, `maybe_delivered`, `attempts`, every attribute of
//! [`crate::ERROR_ATTRIBUTES`] (null where the kind sets none), and the operating-system
//! error behind it, named as the language names its own (`ECONNREFUSED` in Node,
//! `ConnectionRefusedError` in Python).

use std::io::ErrorKind as Io;

use serde_json::{json, Map, Value};

use super::Language;
use crate::{Error, ErrorKind};

/// The error's details: `class_name`, `message`, `code`, `maybe_delivered`, `attempts`, the
/// attributes, `cause_message` and `cause_class` (`null` when there is no cause).
pub fn error_details(e: &Error, language: Language) -> Map<String, Value> {
    let cause_message = e.root_cause();
    let cause_class = cause_message
        .as_ref()
        .and_then(|_| cause_class(e, language));
    let mut details = json!({
        "class_name": e.kind().class().class_name,
        "message": e.message(),
        "code": e.code(),
        "maybe_delivered": e.maybe_delivered(),
        "attempts": e.attempts(),
        "field": e.field(),
        "reason": e.reason(),
        "status_code": e.status_code(),
        "request_id": e.request_id(),
        "error_type": e.error_type(),
        "error_message": e.error_message(),
        "error_url": e.error_url(),
        "retry_after": e.retry_after().map(|d| d.as_secs_f64()),
        "body": e.body(),
        "phase": e.phase().map(|p| p.as_str()),
        "after_send": e.after_send(),
        "cause_message": cause_message,
        "cause_class": cause_class,
    });
    match details.as_object_mut() {
        Some(map) => std::mem::take(map),
        None => Map::new(),
    }
}

/// The language's own error for the operating-system failure behind `e`: Node's `err.code`
/// (as `net` sockets report it), Python's builtin exception class.
fn cause_class(e: &Error, language: Language) -> Option<&'static str> {
    let io = e.io_error_kind();
    Some(match language {
        Language::Node => match io? {
            Io::ConnectionRefused => "ECONNREFUSED",
            Io::ConnectionReset => "ECONNRESET",
            Io::ConnectionAborted => "ECONNABORTED",
            Io::BrokenPipe => "EPIPE",
            Io::TimedOut => "ETIMEDOUT",
            Io::AddrNotAvailable => "EADDRNOTAVAIL",
            Io::AddrInUse => "EADDRINUSE",
            Io::HostUnreachable => "EHOSTUNREACH",
            Io::NetworkUnreachable => "ENETUNREACH",
            Io::NetworkDown => "ENETDOWN",
            Io::PermissionDenied => "EACCES",
            Io::NotFound => "ENOENT",
            _ => return None,
        },
        Language::Python => match io {
            Some(Io::ConnectionRefused) => "ConnectionRefusedError",
            Some(Io::ConnectionReset) => "ConnectionResetError",
            Some(Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof) => {
                "ConnectionAbortedError"
            }
            Some(Io::TimedOut) => "TimeoutError",
            Some(_) => "OSError",
            None if e.kind() == ErrorKind::Timeout => "TimeoutError",
            None => "RuntimeError",
        },
    })
}
