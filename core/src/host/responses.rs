//! The response objects of the login calls as the bindings expose them: Python builds a class
//! per row with attribute access (`resp.user.phone_numbers[0].verified`); JavaScript returns
//! the body as plain objects and hides the secret fields from `util.inspect`.

/// One response object: its class name and fields. A field holding an object, or a list of
/// objects, names the class of those; other values are plain data (`str`, `bool`, `dict`…).
pub type Object = (
    &'static str,
    &'static [(&'static str, Option<&'static str>)],
);

/// Every response object, the calls' own first. The fields are those the API documents
/// (docs/login.md); a field missing from a body reads as `None`, unknown ones stay in `raw`.
pub const RESPONSES: [Object; 7] = [
    (
        "LoginOrCreateResponse",
        &[
            ("request_id", None),
            ("user_id", None),
            ("phone_id", None),
            ("user_created", None),
            ("status_code", None),
        ],
    ),
    (
        "AuthenticateResponse",
        &[
            ("request_id", None),
            ("user_id", None),
            ("method_id", None),
            ("session_token", None),
            ("session_jwt", None),
            ("user", Some("User")),
            ("reset_sessions", None),
            ("session", Some("Session")),
            ("user_device", None),
            ("status_code", None),
        ],
    ),
    (
        "User",
        &[
            ("user_id", None),
            ("status", None),
            ("phone_numbers", Some("PhoneNumber")),
            ("emails", None),
            ("name", None),
            ("created_at", None),
            ("is_locked", None),
            ("roles", None),
            ("providers", None),
            ("webauthn_registrations", None),
            ("totps", None),
            ("crypto_wallets", None),
            ("biometric_registrations", None),
            ("trusted_metadata", None),
            ("untrusted_metadata", None),
            ("external_id", None),
        ],
    ),
    (
        "PhoneNumber",
        &[
            ("phone_id", None),
            ("phone_number", None),
            ("verified", None),
        ],
    ),
    (
        "Session",
        &[
            ("session_id", None),
            ("user_id", None),
            ("started_at", None),
            ("last_accessed_at", None),
            ("expires_at", None),
            ("authentication_factors", Some("AuthenticationFactor")),
            ("attributes", None),
            ("custom_claims", None),
            ("roles", None),
        ],
    ),
    (
        "AuthenticationFactor",
        &[
            ("type", None),
            ("delivery_method", None),
            ("last_authenticated_at", None),
            ("created_at", None),
            ("updated_at", None),
            ("phone_number_factor", Some("PhoneNumberFactor")),
        ],
    ),
    (
        "PhoneNumberFactor",
        &[("phone_id", None), ("phone_number", None)],
    ),
];

/// Fields that hold a secret wherever they appear: never shown in a `repr` or `inspect`.
pub const SECRET_FIELDS: [&str; 2] = ["session_token", "session_jwt"];

/// [`RESPONSES`] as data: `{class: [[field, class of its objects or null], …]}`.
pub(super) fn table() -> serde_json::Value {
    RESPONSES
        .iter()
        .map(|(class, fields)| ((*class).to_owned(), serde_json::json!(fields)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}
