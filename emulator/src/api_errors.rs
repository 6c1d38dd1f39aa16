//! The errors the emulator answers with, in Stytch's vocabulary: error types, their statuses
//! and exact messages, and the JSON error body. (The success body is in `send.rs`.)

use serde::Serialize;

/// Where every error body points (`error_url`).
pub(crate) fn error_url(status: u16) -> String {
    format!("https://stytch.com/docs/api/errors/{status}")
}

/// The documented status and message of an `error_type` (docs/emulator.md). Types the public
/// sources give no message for carry a message written for the emulator.
pub(crate) fn known_error(error_type: &str) -> Option<(u16, &'static str)> {
    Some(match error_type {
        "bad_request" => (400, "The submitted request is invalid."),
        "invalid_phone_number" => (
            400,
            "Phone number format is invalid. Ensure the phone number is in the E.164 format.",
        ),
        "invalid_phone_number_country_code" => (
            400,
            "The phone number's country code is invalid, unsupported, or disabled.",
        ),
        "unsubscribed_phone_number" => (
            400,
            "User has unsubscribed. User must resubscribe by texting 'START' before messages \
             can be sent.",
        ),
        "invalid_expiration_otp" => (
            400,
            "expiration_minutes is invalid. It must be between 1 and 10 minutes.",
        ),
        "invalid_locale" => (400, "locale is invalid."),
        "invalid_user_id" => (400, "user_id format is invalid."),
        "too_many_session_arguments" => (
            400,
            "Only one of session_token or session_jwt may be provided.",
        ),
        "duplicate_phone_number" => (
            400,
            "A user with the specified phone number already exists for this project.",
        ),
        "too_many_unverified_factors" => (
            400,
            "We were unable to create a new auth factor. This user already has too many \
             unverified factors.",
        ),
        "invalid_code" => (400, "code format is invalid: it must be six digits."),
        "invalid_method_id" => (400, "method_id format is invalid."),
        "invalid_session_duration_minutes" => (
            400,
            "session_duration_minutes is invalid. It must be between 5 and 527040 minutes.",
        ),
        "reserved_claims_in_custom_claims" => (
            400,
            "session_custom_claims must not set the reserved claims iss, sub, aud, exp, nbf, \
             iat or jti.",
        ),
        "stytch_claims_in_custom_claims" => (
            400,
            "session_custom_claims must not set keys under https://stytch.com/.",
        ),
        "custom_claims_too_large" => (
            400,
            "session_custom_claims must be at most 4 KB when serialised.",
        ),
        "unauthorized_credentials" => (401, "Unauthorized credentials."),
        "unable_to_auth_otp_code" => (
            401,
            "The passcode could not be authenticated: it has expired, was already used, or \
             was replaced by a newer one.",
        ),
        "attribute_mismatch" => (
            401,
            "Unable to authenticate because attributes on request don't match stored \
             attributes.",
        ),
        "captcha_required" => (403, "Captcha required"),
        "user_not_found" => (404, "User could not be found."),
        "session_not_found" => (404, "Session could not be found."),
        "otp_code_not_found" => (
            404,
            "The passcode provided was incorrect and could not be authenticated.",
        ),
        "phone_number_not_found" => (404, "Phone number could not be found."),
        "project_not_found" => (404, "Project could not be found."),
        "not_found" => (404, "The requested route could not be found."),
        "method_not_allowed" => (405, "This method is not allowed on this route."),
        "request_timeout" => (408, "The request timed out."),
        "too_many_requests" => (429, "Too many requests have been made."),
        "client_closed_request" => (499, "The client closed the request."),
        "internal_server_error" => (
            500,
            "Oops, something seems to have gone wrong, please reach out to support@stytch.com \
             to let us know what went wrong.",
        ),
        "server_unavailable" => (
            503,
            "Oops, something seems to have gone wrong. Please retry the request. If this issue \
             persists, please reach out to support.",
        ),
        _ => return None,
    })
}

/// The error type a fault of this status reports when none is given.
pub(crate) fn default_error_type(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized_credentials",
        403 => "captcha_required",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        429 => "too_many_requests",
        499 => "client_closed_request",
        503 => "server_unavailable",
        500..=599 => "internal_server_error",
        _ => "bad_request",
    }
}

/// An error answer: status, Stytch error type and message, and an optional `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    /// The documented error of `error_type`; unknown types become a 500.
    pub(crate) fn of(error_type: &str) -> ApiError {
        let (status, message) = known_error(error_type).unwrap_or((
            500,
            "Oops, something seems to have gone wrong, please reach out to support@stytch.com \
             to let us know what went wrong.",
        ));
        ApiError {
            status,
            error_type: error_type.to_owned(),
            message: message.to_owned(),
            retry_after: None,
        }
    }

    /// An error with a status and type of the caller's choosing (faults, admin API). The
    /// message is the documented one when the type is known, else a generic one for the status.
    pub(crate) fn with_status(status: u16, error_type: Option<&str>) -> ApiError {
        let error_type = error_type.unwrap_or_else(|| default_error_type(status));
        let message = known_error(error_type)
            .or_else(|| known_error(default_error_type(status)))
            .map_or("An error occurred.", |(_, message)| message);
        ApiError {
            status,
            error_type: error_type.to_owned(),
            message: message.to_owned(),
            retry_after: None,
        }
    }

    /// An admin-API error whose message is the reason.
    pub(crate) fn admin(status: u16, error_type: &str, reason: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error_type: error_type.to_owned(),
            message: reason.into(),
            retry_after: None,
        }
    }

    pub(crate) fn retry_after(mut self, seconds: Option<u64>) -> ApiError {
        self.retry_after = seconds;
        self
    }

    pub(crate) fn body(&self, request_id: String) -> ErrorBody<'_> {
        ErrorBody {
            status_code: self.status,
            request_id,
            error_type: &self.error_type,
            error_message: &self.message,
            error_url: error_url(self.status),
        }
    }
}

/// `{status_code, request_id, error_type, error_message, error_url}`, in that order.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorBody<'a> {
    pub(crate) status_code: u16,
    pub(crate) request_id: String,
    pub(crate) error_type: &'a str,
    pub(crate) error_message: &'a str,
    pub(crate) error_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_types_keep_their_status_and_message() {
        let e = ApiError::of("too_many_requests");
        assert_eq!(e.status, 429);
        assert_eq!(e.message, "Too many requests have been made.");
        assert_eq!(ApiError::of("user_not_found").status, 404);
        assert_eq!(ApiError::of("no_such_type").status, 500);
    }

    #[test]
    fn fault_errors_default_by_status() {
        let e = ApiError::with_status(503, None);
        assert_eq!(e.error_type, "server_unavailable");
        assert!(e.message.starts_with("Oops"));
        let e = ApiError::with_status(502, None);
        assert_eq!(e.error_type, "internal_server_error");
        let e = ApiError::with_status(500, Some("custom_type"));
        assert_eq!(e.error_type, "custom_type");
        assert!(e.message.starts_with("Oops"));
        let e = ApiError::with_status(429, Some("too_many_requests"));
        assert_eq!(e.message, "Too many requests have been made.");
    }
}
