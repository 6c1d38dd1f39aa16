//! Options and requests from the values of a host language (feature `host`): the one
//! conversion behind every language binding.
//!
//! A binding turns each argument into a [`Value`] (a Python object or a JavaScript value as
//! plain data) and hands it here; it knows no field. The tables below ([`CLIENT`], [`SEND`],
//! [`LOGIN_OR_CREATE`], [`AUTHENTICATE`] and their nested objects) say which fields a call takes and of which [`Kind`]. Reading checks each
//! value's type: a wrong one is a [`Refusal::WrongType`], whose message the binding raises as
//! its `TypeError` (naming the field as the language spells it); a value of the right type
//! that cannot be used is a [`Refusal::Invalid`] core error. The result is the typed
//! [`crate::ClientBuilder`] or request, so defaults, environment variables and validation
//! stay the typed API's.
//!
//! A new request field is one line in its table and its field in the typed struct; a new
//! client option its typed `ClientBuilder` method, one line in [`CLIENT`], its field in
//! `Options` and one line in `Options::into_builder`. The bindings do not change; their stubs
//! (`.pyi`, `.d.ts`) and the docs do, and the bindings' drift tests compare the stubs with
//! [`field_names`].

mod call;
mod error_details;
mod json;
mod known_keys;
mod per_process;
mod read;
mod responses;
pub mod runtime;
mod to_host;

use std::path::PathBuf;

use crate::{
    Attributes, AuthenticateOptions, AuthenticateRequest, Client, ClientBuilder, Error,
    LoginOrCreateRequest, SendRequest,
};
pub use call::{Reply, Request, Sent};
pub use error_details::error_details;
pub use json::{to_json, JsonRefusal};
pub use known_keys::KnownKeys;
pub use per_process::PerProcess;
use read::{opt, python_only, req};
pub use read::{read_one, Call, Field, FromHost, Kind, Reader, Spec, Take};
pub use responses::{RESPONSES, SECRET_FIELDS};
pub use to_host::{to_host, JsonBuilder};
use Kind::*;

/// A host-language value as plain data. Containers are converted down to [`MAX_DEPTH`];
/// deeper ones are an [`Value::Other`] naming their type (no table nests further).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Python `None`, JavaScript `null`. An `undefined` property is left out of its map.
    Null,
    Bool(bool),
    /// An integer: Python `int`, JavaScript `bigint`.
    Int(i64),
    /// An integer beyond `i64` that fits `u64` (a seed, say), exactly.
    Uint(u64),
    /// An integer beyond `u64` or below `i64`, as the nearest `f64` (infinite beyond `f64`).
    WideInt(f64),
    /// A floating-point number: Python `float`, JavaScript `number`.
    Float(f64),
    Str(String),
    /// Text that is not valid Unicode (it holds unpaired surrogates).
    Unpaired,
    /// Python `list` or `tuple`, JavaScript array.
    List(Vec<Value>),
    /// Python `dict`, JavaScript plain object, in key order.
    Map(Vec<(String, Value)>),
    /// An instance of another class, with the attributes its language exposes generically:
    /// Python its public `vars()` and its `__fspath__`, JavaScript a `URL`'s `href`.
    Object {
        class: String,
        attributes: Vec<(String, Value)>,
    },
    /// Anything else, named as its language names its type (`symbol`, `Date object`).
    Other(String),
}

/// How deep a binding converts containers: the argument object is depth 0, its values 1, and
/// theirs 2 (`attributes.ip_address`, `allowed_country_codes[0]`). Only the caller's own JSON
/// (`session_custom_claims`) nests further: down to 8 levels below the field.
pub const MAX_DEPTH: usize = 10;

/// The language of the values: it spells names, units and `TypeError` messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Keyword arguments (the first ones also by position), durations in seconds, messages as
    /// Python writes them (`timeout must be a number of seconds (int or float), not str`).
    Python,
    /// One options or request object, durations in milliseconds under names ending in `_ms`,
    /// messages as JavaScript writes them (`timeout_ms must be a number of milliseconds, got
    /// string`).
    Node,
}

/// Why host values were refused.
#[derive(Debug)]
pub enum Refusal {
    /// The language's `TypeError`: a value of the wrong type, an unknown or missing argument.
    WrongType(String),
    /// A value of the right type the core refuses: a `ValidationError` for a request, a
    /// `ConfigurationError` for options.
    Invalid(Error),
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Refusal {
        Refusal::Invalid(error)
    }
}

macro_rules! table {
    ($(#[$doc:meta])* $table:ident: $target:ty = $call:expr; { $($field:ident: $spec:expr,)* }) => {
        $(#[$doc])*
        pub const $table: Call = Call {
            fields: &[$(Field { name: stringify!($field), spec: $spec }),*],
            ..$call
        };

        impl FromHost for $target {
            const CALL: &'static Call = &$table;

            fn fill(reader: &mut Reader<'_>) -> Result<Self, Refusal> {
                Ok(Self { $($field: reader.take()?,)* })
            }
        }
    };
}

table! {
    /// `client.otps.sms.send(...)`: Python takes the fields by position too, in this order.
    SEND: SendRequest = Call::request("send", "request", "an object with phone_number", 7); {
        phone_number: req(Str),
        expiration_minutes: opt(Whole),
        attributes: opt(Fields(&ATTRIBUTES)),
        locale: opt(Str),
        user_id: opt(Str),
        session_token: opt(Str),
        session_jwt: opt(Str),
    }
}

table! {
    /// `client.otps.sms.login_or_create(...)`, in the official SDK's order.
    LOGIN_OR_CREATE: LoginOrCreateRequest =
        Call::request("login_or_create", "request", "an object with phone_number", 5); {
        phone_number: req(Str),
        expiration_minutes: opt(Whole),
        attributes: opt(Fields(&ATTRIBUTES)),
        create_user_as_pending: opt(Bool),
        locale: opt(Str),
    }
}

table! {
    /// `client.otps.authenticate(...)`, in the official SDK's order.
    AUTHENTICATE: AuthenticateRequest =
        Call::request("authenticate", "request", "an object with method_id and code", 9); {
        method_id: req(Str),
        code: req(Str),
        attributes: opt(Fields(&ATTRIBUTES)),
        options: opt(Fields(&AUTHENTICATE_OPTIONS)),
        session_token: opt(Str),
        session_jwt: opt(Str),
        session_duration_minutes: opt(Whole),
        session_custom_claims: opt(Json),
        telemetry_id: opt(Str),
    }
}

table! {
    /// `options` of an authenticate.
    AUTHENTICATE_OPTIONS: AuthenticateOptions =
        Call::request("options", "options", "an object", 0); {
        ip_match_required: opt(Bool),
        user_agent_match_required: opt(Bool),
    }
}

table! {
    /// `attributes` of a send: a Python `dict` (or an object with these attributes, such as
    /// the official SDK's model), a JavaScript object.
    ATTRIBUTES: Attributes = Call::request("attributes", "attributes", "an object", 0); {
        ip_address: opt(Str),
        user_agent: opt(Str),
    }
}

table! {
    /// The client options: Python `Client(project_id, secret, environment, **options)`,
    /// JavaScript `new Client({ ... })`.
    CLIENT: Options = Call::options("Client", "Client options", "an object", 3); {
        project_id: opt(Str),
        secret: opt(Str),
        environment: opt(Url),
        base_url: opt(Url),
        custom_base_url: opt(Url),
        timeout: opt(Seconds),
        connect_timeout: opt(Seconds),
        max_retries: opt(Int),
        retry_rate_limited: opt(Bool),
        allowed_country_codes: opt(StrList),
        user_agent_suffix: opt(Str),
        ca_file: opt(Path),
        suppress_warnings: python_only(Ignored),
    }
}

/// Every call's table, by the name the bindings' drift tests use.
pub const CALLS: [(&str, &Call); 6] = [
    ("Client", &CLIENT),
    ("send", &SEND),
    ("login_or_create", &LOGIN_OR_CREATE),
    ("authenticate", &AUTHENTICATE),
    ("attributes", &ATTRIBUTES),
    ("authenticate_options", &AUTHENTICATE_OPTIONS),
];

/// The names of `call`'s fields as `language` spells them, in table order.
pub fn field_names(call: &Call, language: Language) -> Vec<String> {
    call.fields
        .iter()
        .filter(|f| f.spec.only.is_none_or(|only| only == language))
        .map(|f| read::spelled(f, language).into_owned())
        .collect()
}

/// Every list a binding makes or checks its surface from, as data: `errors` (the error
/// table, one `[code, class, parent, default_maybe_delivered, attributes, summary]` per
/// class, parents first), `error_attributes`, `locales`, `defaults` (the option defaults,
/// named and in units as `language` spells them), `fields` (each call's field names),
/// `max_depth` ([`MAX_DEPTH`]), `responses` (the login calls' response objects,
/// [`RESPONSES`]) and `secret_fields`.
pub fn tables(language: Language) -> serde_json::Value {
    use serde_json::json;
    let errors: Vec<_> = crate::ERROR_TABLE
        .iter()
        .map(|c| {
            json!([
                c.code,
                c.class_name,
                c.parent_class_name(),
                c.default_maybe_delivered,
                c.attributes,
                c.summary
            ])
        })
        .collect();
    let seconds = |d: std::time::Duration| match language {
        Language::Python => json!(d.as_secs_f64()),
        Language::Node => json!(d.as_millis() as f64),
    };
    let duration = |name| {
        read::spelled(
            &Field {
                name,
                spec: opt(Seconds),
            },
            language,
        )
    };
    let mut defaults = serde_json::Map::new();
    defaults.insert(duration("timeout").into(), seconds(crate::DEFAULT_TIMEOUT));
    defaults.insert(
        duration("connect_timeout").into(),
        seconds(crate::DEFAULT_CONNECT_TIMEOUT),
    );
    defaults.insert("max_retries".into(), json!(crate::DEFAULT_MAX_RETRIES));
    defaults.insert("max_max_retries".into(), json!(crate::MAX_MAX_RETRIES));
    defaults.insert("retry_rate_limited".into(), json!(false));
    let fields: serde_json::Map<_, _> = CALLS
        .iter()
        .map(|(name, call)| ((*name).to_owned(), json!(field_names(call, language))))
        .collect();
    json!({
        "errors": errors,
        "error_attributes": crate::ERROR_ATTRIBUTES,
        "locales": crate::Locale::ALL.map(crate::Locale::as_str),
        "defaults": defaults,
        "fields": fields,
        "max_depth": MAX_DEPTH,
        "responses": responses::table(),
        "secret_fields": SECRET_FIELDS,
    })
}

/// A request from the arguments of a host call: `positional` (Python's, in table order) and
/// `named` (Python's keyword arguments, JavaScript's request object; `None` when absent).
pub fn request<T: FromHost>(
    language: Language,
    positional: Vec<Value>,
    named: Option<Value>,
) -> Result<T, Refusal> {
    Reader::read::<T>(language, T::CALL.python, T::CALL.node, positional, named)
}

/// The client options as hosts give them, before the rules only hosts need.
#[derive(Debug)]
struct Options {
    project_id: Option<String>,
    secret: Option<String>,
    environment: Option<String>,
    base_url: Option<String>,
    custom_base_url: Option<String>,
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    max_retries: Option<i64>,
    retry_rate_limited: Option<bool>,
    allowed_country_codes: Option<Vec<String>>,
    user_agent_suffix: Option<String>,
    ca_file: Option<PathBuf>,
    suppress_warnings: (),
}

impl Options {
    fn into_builder(self, from_env: bool) -> Result<ClientBuilder, Error> {
        let mut b = if from_env {
            ClientBuilder::from_env()?
        } else {
            // Absent credentials are empty ones, which the builder refuses by name.
            ClientBuilder::new(
                self.project_id.unwrap_or_default(),
                self.secret.unwrap_or_default(),
            )
        };
        // `base_url` wins over its alias and over STYTCH_BASE_URL.
        if let Some(url) = self.base_url.or(self.custom_base_url) {
            b = b.base_url(url);
        }
        match self.environment {
            // The official SDKs take a URL as `environment` (their way to reach a local
            // server): it means `base_url`, which wins when both are given.
            Some(url) if url.contains("://") => b.base_url = b.base_url.or(Some(url)),
            Some(name) => b = b.environment(name.parse()?),
            None => {}
        }
        if let Some(seconds) = self.timeout {
            b = b.timeout(duration("timeout", seconds)?);
        }
        if let Some(seconds) = self.connect_timeout {
            b = b.connect_timeout(duration("connect_timeout", seconds)?);
        }
        if let Some(n) = self.max_retries {
            b = b.max_retries(u32::try_from(n).map_err(|_| crate::config::max_retries_error(n))?);
        }
        if let Some(retry) = self.retry_rate_limited {
            b = b.retry_rate_limited(retry);
        }
        if let Some(codes) = self.allowed_country_codes {
            b = b.allowed_country_codes(codes);
        }
        if let Some(suffix) = self.user_agent_suffix {
            b = b.user_agent_suffix(suffix);
        }
        if let Some(path) = self.ca_file {
            b = b.ca_file(path);
        }
        let () = self.suppress_warnings;
        Ok(b)
    }
}

/// Seconds as a float to a `Duration`; the builder then applies its limits.
fn duration(field: &str, seconds: f64) -> Result<std::time::Duration, Error> {
    let reason = if seconds.is_nan() || seconds.is_infinite() {
        "must be a finite number of seconds"
    } else if seconds <= 0.0 {
        "must be greater than zero"
    } else {
        return std::time::Duration::try_from_secs_f64(seconds)
            .map_err(|_| Error::configuration(field, "is too large"));
    };
    Err(Error::configuration(field, reason))
}

/// Client options read from host values: the typed builder, with the host's name in the
/// `User-Agent` (`sms-otp/0.1.0 python/3.11.7`).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    builder: ClientBuilder,
    language: Language,
}

impl ClientOptions {
    /// Reads `Client(...)` (or, with `from_env`, `Client.from_env(...)`, which takes the
    /// credentials from `STYTCH_*` and refuses them as arguments). `runtime_version` is the
    /// language runtime's, for the `User-Agent`.
    pub fn from_host(
        language: Language,
        runtime_version: &str,
        positional: Vec<Value>,
        named: Option<Value>,
        from_env: bool,
    ) -> Result<ClientOptions, Refusal> {
        let (python, node) = if from_env {
            ("Client.from_env", "Client.fromEnv options")
        } else {
            ("Client", "Client options")
        };
        let named = match named {
            None | Some(Value::Null) if from_env => Some(Value::Map(Vec::new())),
            absent @ (None | Some(Value::Null)) if language == Language::Node => {
                let got = absent.map_or("undefined", |_| "null");
                return Err(Refusal::WrongType(format!(
                    "options must be an object with project_id and secret, got {got}"
                )));
            }
            named => named,
        };
        let options = Reader::read::<Options>(language, python, node, positional, named)?;
        if from_env {
            if let Some(field) = [
                ("project_id", &options.project_id),
                ("secret", &options.secret),
            ]
            .into_iter()
            .find_map(|(field, value)| value.as_ref().map(|_| field))
            {
                return Err(Refusal::WrongType(read::credentials_from_env(
                    language, field,
                )));
            }
        }
        let builder = options
            .into_builder(from_env)
            .map_err(|e| read::respell(language, e))?;
        let builder = surface(builder, language.surface(), runtime_version);
        Ok(ClientOptions { builder, language })
    }

    /// Checks the options and builds a client; errors name the options as the host spells them.
    pub fn build(&self) -> Result<Client, Error> {
        self.builder
            .clone()
            .build()
            .map_err(|e| read::respell(self.language, e))
    }
}

impl Language {
    /// Its name in the `User-Agent`.
    pub const fn surface(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Node => "node",
        }
    }
}

/// Runs `work`, turning a panic while it is polled into the core's `internal_error` (for the
/// futures a binding runs around a send; the send itself already does this).
pub async fn catch_panic<T>(
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    crate::client::catch_panic(work).await
}

/// For the bindings' test suites: a call whose future panics when polled, to prove that a
/// panic in a call becomes the core's `internal_error`, never an abort.
pub async fn panicking_call_for_tests() -> Result<Reply, Error> {
    let message = String::from("deliberate panic for the test suite");
    if !message.is_empty() {
        std::panic::panic_any(message);
    }
    Err(Error::internal("unreachable"))
}

/// Names another front end (`cli/0.1.0`) in the `User-Agent` instead of `rust/<rustc>`.
pub fn surface(mut builder: ClientBuilder, name: &str, version: &str) -> ClientBuilder {
    builder.surface = Some((name.to_owned(), version.to_owned()));
    builder
}

impl From<serde_json::Value> for Value {
    /// JSON as a host would give it (for tests and tools): numbers that are integers are
    /// `Int` (or `WideInt`), others `Float`.
    fn from(json: serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(b),
            J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Value::Int(i),
                (None, Some(u), _) => Value::Uint(u),
                (_, _, f) => Value::Float(f.unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(s),
            J::Array(items) => Value::List(items.into_iter().map(Value::from).collect()),
            J::Object(map) => Value::Map(map.into_iter().map(|(k, v)| (k, v.into())).collect()),
        }
    }
}

#[cfg(test)]
mod tests;
