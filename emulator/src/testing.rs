//! The language bindings' testing API (`sms_otp.testing.Emulator` in Python,
//! `require('sms-otp/testing').Emulator` in Node), once: the emulator's admin operations as
//! calls taking and returning JSON data, with one error type. A binding converts its
//! language's values to JSON (refusing what JSON cannot carry) and back, and raises
//! [`EmulatorError`] (a `TypeError` for [`ErrorKind::Type`]); the argument names, types,
//! ranges, defaults, return shapes and errors are decided here, so the two languages cannot
//! drift apart.
//!
//! The languages differ only in spelling: method names in message texts are camelCase for
//! Node, and durations are seconds (a float) in Python and milliseconds in Node, as the
//! client options are: `next_message(timeout=)` / `nextMessage({ timeout_ms })`, `rate_window`
//! / `rate_window_ms`, `advance_clock(seconds)` / `advanceClock(ms)`.

use std::fmt;
use std::future::{ready, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::runtime::Handle;

use crate::admin::{self, Next, MAX_ADVANCE_SECONDS};
use crate::server::Shared;
use crate::{
    AdminError, Config, Emulator, FaultSpec, StartError, DEFAULT_NEXT_TIMEOUT_MS,
    MAX_NEXT_TIMEOUT_MS,
};

#[cfg(feature = "host")]
pub use crate::testing_host_args::json_from_host;

/// The methods [`TestEmulator::call`] answers (snake_case; Node spells them in camelCase).
/// Each binding's class also has `client(…)`, which makes its own language's client.
pub const METHODS: &[&str] = &[
    "messages",
    "next_message",
    "clear_messages",
    "create_user",
    "create_session",
    "inject_fault",
    "faults",
    "clear_faults",
    "advance_clock",
    "reset",
    "stop",
];

/// The arguments of [`METHODS`] a language may also pass by position, in order (Python's
/// `emu.messages("+12025550162")`, `emu.advance_clock(61)`); the others are named only.
pub const POSITIONAL: &[(&str, &[&str])] = &[
    ("messages", &["phone_number"]),
    ("next_message", &["phone_number", "timeout"]),
    ("create_user", &["phone_number"]),
    ("create_session", &["user_id"]),
    ("advance_clock", &["seconds"]),
];

/// The language a binding serves: the spelling of names in messages and the unit of
/// durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Seconds as a float; Python type names.
    Python,
    /// Milliseconds; camelCase method names; JS type names.
    Node,
}

impl Language {
    fn millis(self) -> bool {
        self == Language::Node
    }

    /// A duration option's name: `rate_window` / `rate_window_ms`.
    fn duration(self, name: &str) -> String {
        if self.millis() {
            format!("{name}_ms")
        } else {
            name.to_owned()
        }
    }

    /// A method's name in this language.
    fn method(self, snake: &str) -> String {
        if !self.millis() {
            return snake.to_owned();
        }
        let mut parts = snake.split('_');
        let first = parts.next().unwrap_or_default().to_owned();
        parts.fold(first, |mut name, part| {
            let mut chars = part.chars();
            name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            name.push_str(chars.as_str());
            name
        })
    }

    fn type_name(self, value: Option<&Value>) -> &'static str {
        let python = !self.millis();
        match value {
            None if python => "None",
            None => "undefined",
            Some(Value::Null) if python => "None",
            Some(Value::Null) => "null",
            Some(Value::Bool(_)) if python => "bool",
            Some(Value::Bool(_)) => "boolean",
            Some(Value::Number(n)) if python && n.is_f64() => "float",
            Some(Value::Number(_)) if python => "int",
            Some(Value::Number(_)) => "number",
            Some(Value::String(_)) if python => "str",
            Some(Value::String(_)) => "string",
            Some(Value::Array(_)) if python => "list",
            Some(Value::Array(_)) => "array",
            Some(Value::Object(_)) if python => "dict",
            Some(Value::Object(_)) => "object",
        }
    }
}

/// What an argument must be.
#[derive(Debug, Clone, Copy)]
enum Want {
    Str,
    Int,
    Duration,
    StrList,
    Object,
}

impl Want {
    fn name(self, language: Language) -> &'static str {
        match (self, language) {
            (Want::Str, Language::Python) => "a str",
            (Want::Str, Language::Node) => "a string",
            (Want::Int, Language::Python) => "an int",
            (Want::Int, Language::Node) => "an integer",
            (Want::Duration, Language::Python) => "a number of seconds (int or float)",
            (Want::Duration, Language::Node) => "a number of milliseconds",
            (Want::StrList, Language::Python) => "a list of str",
            (Want::StrList, Language::Node) => "an array of strings",
            (Want::Object, Language::Python) => "a dict",
            (Want::Object, Language::Node) => "an object",
        }
    }
}

/// How an emulator call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Start: a `project-live-…` / `secret-live-…` credential; `field` names it.
    LiveCredentials,
    /// Start: an unusable option; `field` names it.
    InvalidConfig,
    /// Start: the emulator could not listen on the address.
    Bind,
    /// Start: another failure (TLS, runtime).
    Start,
    /// The emulator refused an admin call: `status` and `error_type` are what the admin API
    /// answers to the same request; `field` names the argument at fault when there is one.
    Admin,
    /// The emulator was stopped (before the call, or while it waited).
    Stopped,
    /// An argument of the wrong type: bindings raise their language's `TypeError` instead.
    Type,
}

impl ErrorKind {
    /// The `kind` the bindings' `EmulatorError` carries.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::LiveCredentials => "live_credentials",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Bind => "bind",
            ErrorKind::Start => "start",
            ErrorKind::Admin => "admin",
            ErrorKind::Stopped => "stopped",
            ErrorKind::Type => "type",
        }
    }
}

/// A failed call of the testing API: the bindings' `EmulatorError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EmulatorError {
    /// How it failed.
    pub kind: ErrorKind,
    /// What is wrong, for people.
    pub message: String,
    /// The option or argument at fault.
    pub field: Option<String>,
    /// [`ErrorKind::Admin`]: the admin API's HTTP status.
    pub status: Option<u16>,
    /// [`ErrorKind::Admin`]: the admin API's `error_type`.
    pub error_type: Option<String>,
}

impl EmulatorError {
    pub(crate) fn new(kind: ErrorKind, message: String, field: Option<&str>) -> EmulatorError {
        EmulatorError {
            kind,
            message,
            field: field.map(str::to_owned),
            status: None,
            error_type: None,
        }
    }

    fn admin(e: AdminError, field: Option<&str>) -> EmulatorError {
        EmulatorError {
            status: Some(e.status),
            error_type: Some(e.error_type.clone()),
            ..EmulatorError::new(ErrorKind::Admin, e.to_string(), field)
        }
    }

    fn stopped() -> EmulatorError {
        EmulatorError::new(ErrorKind::Stopped, "the emulator was stopped".into(), None)
    }

    /// A value `method` cannot take (for `start`, an option): what a binding reports for a
    /// value JSON cannot carry (a string with unpaired surrogates, a non-finite number), and
    /// this module for one out of range. `reason` follows the field's name.
    pub fn bad_value(method: &str, field: &str, reason: &str) -> EmulatorError {
        if method == "start" {
            let message = format!("invalid emulator config {field}: {reason}");
            return EmulatorError::new(ErrorKind::InvalidConfig, message, Some(field));
        }
        let e = AdminError {
            status: 400,
            error_type: "bad_request".into(),
            message: format!("{field} {reason}"),
        };
        EmulatorError::admin(e, Some(field))
    }

    /// A value of a type JSON has no place for (a function, bytes, a date…): a `TypeError`.
    pub fn not_data(field: &str, type_name: &str) -> EmulatorError {
        let message = format!(
            "{field} must be a string, a number, a boolean, null, a list or a mapping, not \
             {type_name}"
        );
        EmulatorError::new(ErrorKind::Type, message, Some(field))
    }

    fn from_start(e: StartError, language: Language) -> EmulatorError {
        let message = e.to_string();
        let (kind, field) = match e {
            StartError::LiveCredentials { field, .. } => (ErrorKind::LiveCredentials, Some(field)),
            StartError::InvalidConfig { field, .. } => (ErrorKind::InvalidConfig, Some(field)),
            StartError::Bind { .. } => (ErrorKind::Bind, None),
            _ => (ErrorKind::Start, None),
        };
        let field = field.map(|f| match f {
            "rate_window" => language.duration(f),
            _ => f.to_owned(),
        });
        EmulatorError::new(kind, message, field.as_deref())
    }
}

/// The arguments of one call: a JSON object (null means `{}`) of known keys.
struct Args<'a> {
    language: Language,
    method: &'static str,
    fields: Option<&'a Map<String, Value>>,
}

impl<'a> Args<'a> {
    fn new(
        language: Language,
        method: &'static str,
        args: &'a Value,
        known: &[&str],
    ) -> Result<Args<'a>, EmulatorError> {
        let what = match method {
            "start" if language.millis() => "Emulator.start options".to_owned(),
            "start" => "Emulator options".to_owned(),
            _ => format!("{} options", language.method(method)),
        };
        let fields = match args {
            Value::Null => None,
            Value::Object(map) => Some(map),
            other => return Err(wrong(language, &what, Want::Object, Some(other))),
        };
        if let Some(key) = fields.and_then(|m| m.keys().find(|k| !known.contains(&k.as_str()))) {
            let hint = if known.iter().any(|k| *k == format!("{key}_ms")) {
                format!("; did you mean {key}_ms (milliseconds)?")
            } else {
                String::new()
            };
            let message = format!(
                "{what} have an unknown key {key:?} (expected {}){hint}",
                known.join(", ")
            );
            return Err(EmulatorError::new(ErrorKind::Type, message, Some(key)));
        }
        Ok(Args {
            language,
            method,
            fields,
        })
    }

    /// A given value (`null` counts as not given).
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields?.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, want: Want) -> EmulatorError {
        wrong(self.language, key, want, self.get(key))
    }

    fn bad(&self, key: &str, reason: &str) -> EmulatorError {
        EmulatorError::bad_value(self.method, key, reason)
    }

    fn string(&self, key: &str) -> Result<Option<String>, EmulatorError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong(key, Want::Str)),
        }
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>, EmulatorError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let items = value
            .as_array()
            .ok_or_else(|| self.wrong(key, Want::StrList))?;
        let strings = items.iter().enumerate().map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong(
                self.language,
                &format!("{key}[{i}]"),
                Want::Str,
                Some(other),
            )),
        });
        strings.collect::<Result<_, _>>().map(Some)
    }

    /// A whole number in `0..=max`. A float is the wrong type, except one too large to be an
    /// exact integer (a Python int beyond 64 bits, a JS number beyond 2^53), which is out of
    /// range.
    fn integer(&self, key: &str, max: u64) -> Result<Option<u64>, EmulatorError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let Value::Number(n) = value else {
            return Err(self.wrong(key, Want::Int));
        };
        let range = format!("must be an integer from 0 to {max}");
        if let Some(n) = n.as_u64() {
            return if n <= max {
                Ok(Some(n))
            } else {
                Err(self.bad(key, &range))
            };
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        if n.is_i64() || (f.fract() == 0.0 && f.abs() >= 2f64.powi(53)) {
            #[allow(clippy::cast_precision_loss)]
            let inexact = self.language.millis() && f >= 0.0 && f <= max as f64;
            let hint = if inexact {
                " (beyond 2^53 a JS number is not exact: give a bigint)"
            } else {
                ""
            };
            return Err(self.bad(key, &format!("{range}{hint}")));
        }
        Err(self.wrong(key, Want::Int))
    }

    /// A duration in the language's unit (seconds in Python, milliseconds in Node), as
    /// milliseconds; `None` when not given.
    fn millis(&self, key: &str) -> Result<Option<f64>, EmulatorError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                let value = n.as_f64().unwrap_or(f64::NAN);
                Ok(Some(if self.language.millis() {
                    value
                } else {
                    value * 1000.0
                }))
            }
            Some(_) => Err(self.wrong(key, Want::Duration)),
        }
    }
}

fn wrong(language: Language, field: &str, want: Want, got: Option<&Value>) -> EmulatorError {
    let got = language.type_name(got);
    let message = match language {
        Language::Python => format!("{field} must be {}, not {got}", want.name(language)),
        Language::Node => format!("{field} must be {}, got {got}", want.name(language)),
    };
    EmulatorError::new(ErrorKind::Type, message, Some(field))
}

/// One parsed call.
enum Op {
    Messages(Option<String>),
    NextMessage(Option<String>, Duration),
    ClearMessages,
    CreateUser(Option<String>),
    CreateSession(String),
    InjectFault(FaultSpec),
    Faults,
    ClearFaults,
    AdvanceClock(Duration),
    Reset,
    Stop,
}

fn parse(language: Language, method: &str, args: &Value) -> Result<Op, EmulatorError> {
    let Some(&method) = METHODS.iter().find(|m| **m == method) else {
        let message = format!("the emulator has no method {method:?}");
        return Err(EmulatorError::new(ErrorKind::Type, message, None));
    };
    let phone = "phone_number";
    Ok(match method {
        "messages" => Op::Messages(Args::new(language, method, args, &[phone])?.string(phone)?),
        "create_user" => {
            Op::CreateUser(Args::new(language, method, args, &[phone])?.string(phone)?)
        }
        "next_message" => {
            let timeout = if language.millis() {
                "timeout_ms"
            } else {
                "timeout"
            };
            let a = Args::new(language, method, args, &[phone, timeout])?;
            let ms = if language.millis() {
                a.integer(timeout, MAX_NEXT_TIMEOUT_MS)?
            } else {
                let range = "must be a number of seconds from 0 to 600";
                match a.millis(timeout)? {
                    #[allow(clippy::cast_precision_loss)]
                    Some(ms) if (0.0..=MAX_NEXT_TIMEOUT_MS as f64).contains(&ms) =>
                    {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Some(ms.round() as u64)
                    }
                    Some(_) => return Err(a.bad(timeout, range)),
                    None => None,
                }
            };
            let timeout = Duration::from_millis(ms.unwrap_or(DEFAULT_NEXT_TIMEOUT_MS));
            Op::NextMessage(a.string(phone)?, timeout)
        }
        "create_session" => {
            let a = Args::new(language, method, args, &["user_id"])?;
            Op::CreateSession(
                a.string("user_id")?
                    .ok_or_else(|| a.wrong("user_id", Want::Str))?,
            )
        }
        "inject_fault" => {
            // The fault spec is the admin API's `POST faults` body, refused as it refuses it.
            let spec = match args {
                Value::Null => Value::Object(Map::new()),
                Value::Object(_) => args.clone(),
                other => return Err(wrong(language, "fault", Want::Object, Some(other))),
            };
            let spec = serde_json::from_value(spec).map_err(|e| {
                let e = AdminError {
                    status: 400,
                    error_type: "bad_request".into(),
                    message: format!("invalid fault: {e}"),
                };
                EmulatorError::admin(e, None)
            })?;
            Op::InjectFault(spec)
        }
        "advance_clock" => {
            let by = if language.millis() { "ms" } else { "seconds" };
            let a = Args::new(language, method, args, &[by])?;
            let ms = a.millis(by)?.ok_or_else(|| a.wrong(by, Want::Duration))?;
            if !(0.0..=MAX_ADVANCE_SECONDS * 1000.0).contains(&ms) {
                let max = if language.millis() {
                    MAX_ADVANCE_SECONDS * 1000.0
                } else {
                    MAX_ADVANCE_SECONDS
                };
                let reason =
                    format!("must be a number from 0 to {max} (the clock only moves forward)");
                return Err(a.bad(by, &reason));
            }
            // In range by the check above.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Op::AdvanceClock(Duration::from_millis(ms.round() as u64))
        }
        _ => {
            Args::new(language, method, args, &[])?;
            match method {
                "clear_messages" => Op::ClearMessages,
                "faults" => Op::Faults,
                "clear_faults" => Op::ClearFaults,
                "reset" => Op::Reset,
                _ => Op::Stop,
            }
        }
    })
}

fn config(language: Language, options: &Value) -> Result<Config, EmulatorError> {
    let window = language.duration("rate_window");
    let known = [
        "host",
        "port",
        "project_id",
        "secret",
        "seed",
        "allowed_country_codes",
        "rate_limit",
        &window,
    ];
    let a = Args::new(language, "start", options, &known)?;
    let mut c = Config::default();
    if let Some(v) = a.string("host")? {
        c.host = v;
    }
    if let Some(v) = a.integer("port", u16::MAX.into())? {
        c.port = u16::try_from(v).unwrap_or(u16::MAX);
    }
    if let Some(v) = a.string("project_id")? {
        c.project_id = v;
    }
    if let Some(v) = a.string("secret")? {
        c.secret = v;
    }
    c.seed = a.integer("seed", u64::MAX)?;
    if let Some(v) = a.strings("allowed_country_codes")? {
        c.allowed_country_codes = v;
    }
    if let Some(v) = a.integer("rate_limit", u32::MAX.into())? {
        c.rate_limit = u32::try_from(v).unwrap_or(u32::MAX);
    }
    if let Some(ms) = a.millis(&window)? {
        c.rate_window = Duration::try_from_secs_f64(ms / 1000.0)
            .map_err(|_| a.bad(&window, "must be a positive number"))?;
    }
    Ok(c)
}

/// What a call resolves to: its result as JSON text (objects with their fields in the admin
/// API's order), or its error.
pub type Pending = Pin<Box<dyn Future<Output = Result<String, EmulatorError>> + Send>>;

fn done(result: Result<String, EmulatorError>) -> Pending {
    Box::pin(ready(result))
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

const NULL: &str = "null";

/// A running emulator as the bindings' testing API sees it.
pub struct TestEmulator {
    language: Language,
    running: Mutex<Option<Emulator>>,
    shared: Arc<Shared>,
    url: String,
}

impl fmt::Debug for TestEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestEmulator")
            .field("url", &self.url)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl TestEmulator {
    /// Starts an emulator on the runtime behind `handle` from the language's options (a JSON
    /// object: `host`, `port`, `project_id`, `secret`, `seed`, `allowed_country_codes`,
    /// `rate_limit`, `rate_window` / `rate_window_ms`; null or absent for the defaults).
    pub fn start(
        handle: &Handle,
        language: Language,
        options: &Value,
    ) -> Result<TestEmulator, EmulatorError> {
        let config = config(language, options)?;
        let emulator = Emulator::start_on(handle, config)
            .map_err(|e| EmulatorError::from_start(e, language))?;
        Ok(TestEmulator {
            language,
            shared: emulator.shared.clone(),
            url: emulator.url(),
            running: Mutex::new(Some(emulator)),
        })
    }

    /// The base URL to give clients.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The project ID it accepts.
    pub fn project_id(&self) -> &str {
        &self.shared.project_id
    }

    /// The secret it accepts.
    pub fn secret(&self) -> &str {
        &self.shared.secret
    }

    /// Calls one of [`METHODS`] with its arguments (a JSON object, or null). Every call but
    /// `next_message` and `stop` is done when this returns; `next_message` waits for the
    /// first message created after this call (null on timeout, [`ErrorKind::Stopped`] when
    /// the emulator stops meanwhile); `stop` waits until every connection is closed and is
    /// idempotent. Other calls on a stopped emulator fail with [`ErrorKind::Stopped`].
    ///
    /// Results: `messages` `[Message…]`, `next_message` `Message` or null,
    /// `clear_messages` / `clear_faults` a count, `create_user` `User`, `create_session`
    /// `Session`, `inject_fault` `FaultInfo`, `faults` `[FaultInfo…]`, the others null.
    pub fn call(&self, method: &str, args: &Value) -> Pending {
        match parse(self.language, method, args) {
            Ok(op) => self.run(op),
            Err(e) => done(Err(e)),
        }
    }

    fn run(&self, op: Op) -> Pending {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        match (op, running.as_ref()) {
            (Op::Stop, _) => {
                let emulator = running.take();
                Box::pin(async move {
                    if let Some(emulator) = emulator {
                        emulator.shutdown().await;
                    }
                    Ok(NULL.to_owned())
                })
            }
            (_, None) => done(Err(EmulatorError::stopped())),
            (Op::NextMessage(phone, timeout), Some(_)) => {
                let shared = self.shared.clone();
                // Watch from now, not from when the future is first polled.
                let (changes, from) = admin::watch_messages(&shared);
                Box::pin(async move {
                    let phone = phone.as_deref();
                    match admin::wait_for_message(&shared, changes, from, phone, timeout).await {
                        Next::Message(message) => Ok(json(&message)),
                        Next::TimedOut => Ok(NULL.to_owned()),
                        Next::ShuttingDown => Err(EmulatorError::stopped()),
                    }
                })
            }
            (op, Some(emu)) => done(now(emu, op)),
        }
    }
}

/// A call that is done at once.
fn now(emu: &Emulator, op: Op) -> Result<String, EmulatorError> {
    let admin = |field: Option<&'static str>| move |e| EmulatorError::admin(e, field);
    Ok(match op {
        Op::Messages(phone) => json(&emu.messages(phone.as_deref())),
        Op::ClearMessages => json(&emu.clear_messages()),
        Op::CreateUser(phone) => json(
            &emu.create_user(phone.as_deref())
                .map_err(admin(Some("phone_number")))?,
        ),
        Op::CreateSession(user_id) => json(
            &emu.create_session(&user_id)
                .map_err(admin(Some("user_id")))?,
        ),
        Op::InjectFault(spec) => json(&emu.inject_fault(spec).map_err(admin(None))?),
        Op::Faults => json(&emu.faults()),
        Op::ClearFaults => json(&emu.clear_faults()),
        Op::AdvanceClock(by) => {
            emu.advance_clock(by);
            NULL.to_owned()
        }
        Op::Reset => {
            emu.reset();
            NULL.to_owned()
        }
        Op::NextMessage(..) | Op::Stop => NULL.to_owned(),
    })
}
