//! The error table: the one declaration of every error kind. For each kind, its stable code,
//! the name of the class that represents it in Python and Node, that class's parent, the
//! `maybe_delivered` an error of the kind has when nothing more is known, and the attributes
//! it carries. [`ErrorKind`]'s methods read this table, and the bindings build their
//! exception classes from it at import (Python `sms_otp._errors`, Node `lib/errors.js`), so
//! no surface restates it. docs/errors.md describes it for people.

use std::fmt;

/// Which family an [`crate::Error`] belongs to. Each kind has one row of [`ERROR_TABLE`]:
/// a stable snake_case code, and the class that represents it in Python and Node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bug inside the library (a panic during a send). Its class is the base class
    /// `SmsOtpError` itself. Please report it.
    Internal,
    /// A bad argument, found before any request.
    Validation,
    /// Bad client options.
    Configuration,
    /// Could not connect, TLS failed, or the connection broke.
    Network,
    /// Connect or response timeout.
    Timeout,
    /// A non-2xx JSON answer whose status has no more specific kind.
    Api,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 403.
    Forbidden,
    /// HTTP 404.
    NotFound,
    /// HTTP 429.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// `authenticate` refused the code: wrong (`otp_code_not_found`), or expired, used or
    /// replaced by a newer one (`unable_to_auth_otp_code`).
    InvalidCode,
    /// The body was not the JSON the API documents.
    UnexpectedResponse,
}

/// One row of [`ERROR_TABLE`]: everything a surface needs to declare the class of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorClass {
    /// The kind this row declares.
    pub kind: ErrorKind,
    /// The stable code, identical in Rust (`Error::code`), Python and Node (`err.code`).
    pub code: &'static str,
    /// The class in Python and Node (`ValidationError`, …; `SmsOtpError` for the root).
    pub class_name: &'static str,
    /// The kind whose class this class derives from; `None` for the root, `SmsOtpError`.
    pub parent: Option<ErrorKind>,
    /// `maybe_delivered` of an error of this kind when the detail it depends on is unknown
    /// (`after_send`, `phase`, the HTTP status): also what an error constructed by
    /// application code (a mock) gets when it does not say.
    pub default_maybe_delivered: bool,
    /// The attributes (names from [`ERROR_ATTRIBUTES`]) errors of this kind set. The others
    /// are `None` / `null`. `code`, `maybe_delivered`, the message and `attempts` are on
    /// every error.
    pub attributes: &'static [&'static str],
    /// One line for people: when an error of this kind happens.
    pub summary: &'static str,
}

impl ErrorClass {
    /// The class name of the parent, `None` for the root.
    pub const fn parent_class_name(&self) -> Option<&'static str> {
        match self.parent {
            Some(parent) => Some(parent.class().class_name),
            None => None,
        }
    }
}

/// Every optional attribute an error can carry, in the order the surfaces list them.
pub const ERROR_ATTRIBUTES: [&str; 11] = [
    "field",
    "reason",
    "status_code",
    "request_id",
    "error_type",
    "error_message",
    "error_url",
    "retry_after",
    "body",
    "phase",
    "after_send",
];

const ARGUMENT: &[&str] = &["field", "reason"];
const ANSWER: &[&str] = &[
    "status_code",
    "request_id",
    "error_type",
    "error_message",
    "error_url",
    "retry_after",
    "body",
];

const fn row(
    kind: ErrorKind,
    code: &'static str,
    class_name: &'static str,
    parent: Option<ErrorKind>,
    default_maybe_delivered: bool,
    attributes: &'static [&'static str],
    summary: &'static str,
) -> ErrorClass {
    ErrorClass {
        kind,
        code,
        class_name,
        parent,
        default_maybe_delivered,
        attributes,
        summary,
    }
}

/// The service's `error_type`s of a refused passcode (docs/login.md).
pub const INVALID_CODE_ERROR_TYPES: [&str; 2] = [INVALID_CODE_TYPES_0, INVALID_CODE_TYPES_1];
const INVALID_CODE_TYPES_0: &str = "otp_code_not_found";
const INVALID_CODE_TYPES_1: &str = "unable_to_auth_otp_code";

const ROOT: Option<ErrorKind> = Some(ErrorKind::Internal);
const API: Option<ErrorKind> = Some(ErrorKind::Api);

/// The error table, parents before children, in the order of docs/errors.md. Row `i`
/// declares the kind `ErrorKind::ALL[i]`.
pub const ERROR_TABLE: [ErrorClass; 14] = [
    row(
        ErrorKind::Internal,
        "internal_error",
        "SmsOtpError",
        None,
        true,
        &[],
        "Base of every error of sms_otp. Raised itself only for a bug inside the library \
         (code internal_error; please report it).",
    ),
    row(
        ErrorKind::Validation,
        "validation_error",
        "ValidationError",
        ROOT,
        false,
        ARGUMENT,
        "A bad argument, found before any request; field and reason say which and why.",
    ),
    row(
        ErrorKind::Configuration,
        "configuration_error",
        "ConfigurationError",
        ROOT,
        false,
        ARGUMENT,
        "A bad client option; field names it.",
    ),
    row(
        ErrorKind::Network,
        "network_error",
        "NetworkError",
        ROOT,
        true,
        &["after_send"],
        "Could not connect, TLS failed, or the connection broke; after_send tells which.",
    ),
    row(
        ErrorKind::Timeout,
        "timeout",
        "RequestTimeoutError",
        ROOT,
        true,
        &["phase"],
        "Connect or response timeout; phase is \"connect\" or \"response\".",
    ),
    row(
        ErrorKind::Api,
        "api_error",
        "ApiError",
        ROOT,
        true,
        ANSWER,
        "A non-2xx JSON answer from Stytch.",
    ),
    row(
        ErrorKind::BadRequest,
        "bad_request",
        "BadRequestError",
        API,
        false,
        ANSWER,
        "HTTP 400.",
    ),
    row(
        ErrorKind::Unauthorized,
        "unauthorized",
        "UnauthorizedError",
        API,
        false,
        ANSWER,
        "HTTP 401.",
    ),
    row(
        ErrorKind::Forbidden,
        "forbidden",
        "ForbiddenError",
        API,
        false,
        ANSWER,
        "HTTP 403.",
    ),
    row(
        ErrorKind::NotFound,
        "not_found",
        "NotFoundError",
        API,
        false,
        ANSWER,
        "HTTP 404.",
    ),
    row(
        ErrorKind::RateLimited,
        "rate_limited",
        "RateLimitedError",
        API,
        false,
        ANSWER,
        "HTTP 429; retry_after is the server's wait in seconds, if it gave one.",
    ),
    row(
        ErrorKind::Server,
        "server_error",
        "ServerError",
        API,
        true,
        ANSWER,
        "HTTP 5xx: the SMS may have been sent; never retried automatically.",
    ),
    row(
        ErrorKind::InvalidCode,
        "invalid_code",
        "InvalidCodeError",
        API,
        false,
        ANSWER,
        "authenticate refused the code: error_type otp_code_not_found (wrong code: ask the \
         user again) or unable_to_auth_otp_code (expired, used or replaced: send a new code).",
    ),
    row(
        ErrorKind::UnexpectedResponse,
        "unexpected_response",
        "UnexpectedResponseError",
        ROOT,
        true,
        &["status_code", "retry_after", "body"],
        "The body was not the JSON the API documents; body holds a short excerpt.",
    ),
];

// Row `i` declares the kind whose discriminant is `i`, and parents come before children
// (so a binding can define the classes in table order). Checked at compile time.
const _: () = {
    let mut i = 0;
    while i < ERROR_TABLE.len() {
        assert!(
            ERROR_TABLE[i].kind as usize == i,
            "ERROR_TABLE is out of order"
        );
        if let Some(parent) = ERROR_TABLE[i].parent {
            assert!(
                (parent as usize) < i,
                "a parent must come before its children"
            );
        }
        i += 1;
    }
};

impl ErrorKind {
    /// Every kind, in the order of [`ERROR_TABLE`] (and of the table in docs/errors.md).
    pub const ALL: [ErrorKind; ERROR_TABLE.len()] = {
        let mut all = [ErrorKind::Internal; ERROR_TABLE.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = ERROR_TABLE[i].kind;
            i += 1;
        }
        all
    };

    /// This kind's row of the error table.
    pub const fn class(self) -> &'static ErrorClass {
        &ERROR_TABLE[self as usize]
    }

    /// The stable code, identical in Rust, Python and Node.
    pub const fn code(self) -> &'static str {
        self.class().code
    }

    /// True for `Api` and its HTTP-status subkinds.
    pub const fn is_api(self) -> bool {
        matches!(self.class().parent, Some(ErrorKind::Api))
    }

    /// The kind of a non-2xx JSON answer with this status.
    pub const fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        }
    }

    /// The kind of a non-2xx JSON answer with this status and `error_type`: a refused
    /// passcode is [`ErrorKind::InvalidCode`] whatever its status, the rest by status.
    pub fn from_answer(status: u16, error_type: Option<&str>) -> ErrorKind {
        match error_type {
            Some(INVALID_CODE_TYPES_0 | INVALID_CODE_TYPES_1) => ErrorKind::InvalidCode,
            _ => ErrorKind::from_status(status),
        }
    }

    /// Parses a code back into its kind.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_class_names_are_unique_and_there_is_one_root() {
        for (i, a) in ERROR_TABLE.iter().enumerate() {
            for b in &ERROR_TABLE[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.class_name, b.class_name);
            }
        }
        let roots: Vec<_> = ERROR_TABLE.iter().filter(|c| c.parent.is_none()).collect();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].class_name, "SmsOtpError");
        assert_eq!(roots[0].code, "internal_error");
    }

    #[test]
    fn attributes_come_from_the_attribute_list_in_its_order() {
        for class in &ERROR_TABLE {
            let positions: Vec<usize> = class
                .attributes
                .iter()
                .map(|a| {
                    ERROR_ATTRIBUTES
                        .iter()
                        .position(|b| a == b)
                        .unwrap_or_else(|| panic!("{} is not in ERROR_ATTRIBUTES", a))
                })
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "{class:?}");
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.class().kind, kind);
        }
        assert_eq!(ErrorKind::from_code("sms_otp_error"), None);
        assert_eq!(
            ErrorKind::RateLimited.class().parent_class_name(),
            Some("ApiError")
        );
        assert_eq!(ErrorKind::Internal.class().parent_class_name(), None);
        assert!(ErrorKind::Server.is_api() && !ErrorKind::Api.is_api());
    }
}
