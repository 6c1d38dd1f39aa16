//! Reading host values against a call's table: matching arguments to fields, checking each
//! value's kind, and the messages of the `TypeError`s, as each language writes them.

use std::borrow::Cow;
use std::path::PathBuf;

use super::json::{to_json, JsonRefusal};
use super::{Language, Refusal, Value, CLIENT};
use crate::{Attributes, Error, Locale};
use Language::{Node, Python};

/// What a field takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Text.
    Str,
    /// Text, or (JavaScript) a `URL`.
    Url,
    /// A file path: text, (Python) an `os.PathLike`, (JavaScript) a `file:` URL.
    Path,
    /// An integer. A JavaScript number must be whole, or it is a wrong type.
    Int,
    /// An integer of a request. A JavaScript number that is not whole is a value the core
    /// refuses rather than a wrong type: JavaScript has one number type.
    Whole,
    /// A duration: seconds (Python `int` or `float`); in JavaScript milliseconds, under the
    /// field's name with `_ms` appended.
    Seconds,
    Bool,
    /// A list of text.
    StrList,
    /// Nested fields.
    Fields(&'static Call),
    /// A JSON object of the caller's own (`session_custom_claims`): any keys, values of any
    /// JSON type, nested down to [`super::MAX_DEPTH`].
    Json,
    /// Accepted and ignored (compatibility with another client's signature).
    Ignored,
}

/// A field's kind, whether it is required, and the one language that takes it (if only one).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub kind: Kind,
    pub required: bool,
    pub only: Option<Language>,
}

pub(super) const fn req(kind: Kind) -> Spec {
    Spec {
        kind,
        required: true,
        only: None,
    }
}

pub(super) const fn opt(kind: Kind) -> Spec {
    Spec {
        kind,
        required: false,
        only: None,
    }
}

pub(super) const fn python_only(kind: Kind) -> Spec {
    Spec {
        kind,
        required: false,
        only: Some(Python),
    }
}

/// One row of a table.
#[derive(Debug)]
pub struct Field {
    /// The wire name (JavaScript appends `_ms` to a duration's).
    pub name: &'static str,
    pub spec: Spec,
}

/// The table of a call (or of a nested object) and how its messages name it.
#[derive(Debug)]
pub struct Call {
    /// Python's name of the call (`send`) or of the nested field (`attributes`).
    pub python: &'static str,
    /// JavaScript's noun for the object (`request`, `Client options`).
    pub node: &'static str,
    /// What JavaScript expects that object to be (`an object with phone_number`).
    pub node_expected: &'static str,
    /// How many leading fields Python also takes by position.
    pub positional: usize,
    /// Refused values are `ConfigurationError`s (options), else `ValidationError`s.
    pub options: bool,
    pub fields: &'static [Field],
}

impl Call {
    pub(super) const fn request(
        python: &'static str,
        node: &'static str,
        node_expected: &'static str,
        positional: usize,
    ) -> Call {
        Call {
            python,
            node,
            node_expected,
            positional,
            options: false,
            fields: &[],
        }
    }

    pub(super) const fn options(
        python: &'static str,
        node: &'static str,
        node_expected: &'static str,
        positional: usize,
    ) -> Call {
        Call {
            options: true,
            ..Call::request(python, node, node_expected, positional)
        }
    }
}

/// A typed value built from a call's fields (the `table!` macro writes the impl).
pub trait FromHost: Sized {
    const CALL: &'static Call;
    /// Takes every field from `reader`, in table order.
    fn fill(reader: &mut Reader<'_>) -> Result<Self, Refusal>;
}

/// A Rust type a field reads into, from the value (`None`: absent or null) and its row.
pub trait Take: Sized {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal>;
}

/// A call's arguments matched to its fields, handed out in table order.
#[derive(Debug)]
pub struct Reader<'a> {
    language: Language,
    call: &'static Call,
    /// `attributes.` for the fields of a nested object.
    prefix: Cow<'a, str>,
    slots: Vec<Option<Value>>,
    next: usize,
}

impl<'a> Reader<'a> {
    /// Reads the arguments of `T`'s call; `python` / `node` name the call in messages.
    pub(super) fn read<T: FromHost>(
        language: Language,
        python: &str,
        node: &str,
        positional: Vec<Value>,
        named: Option<Value>,
    ) -> Result<T, Refusal> {
        let mut reader = Reader::new(
            language,
            T::CALL,
            "".into(),
            python,
            node,
            positional,
            named,
        )?;
        T::fill(&mut reader)
    }

    fn new(
        language: Language,
        call: &'static Call,
        prefix: Cow<'a, str>,
        python: &str,
        node: &str,
        positional: Vec<Value>,
        named: Option<Value>,
    ) -> Result<Reader<'a>, Refusal> {
        let nested = !prefix.is_empty();
        if positional.len() > call.positional {
            return Err(Refusal::WrongType(format!(
                "{python}() takes at most {} positional arguments ({} given)",
                call.positional,
                positional.len()
            )));
        }
        let mut slots: Vec<Option<Value>> = call.fields.iter().map(|_| None).collect();
        for (slot, value) in slots.iter_mut().zip(positional) {
            *slot = Some(value);
        }
        // A map names only fields; an object is read through the attributes that are fields.
        let (entries, strict) = match named {
            None if language == Python => (Vec::new(), true),
            Some(Value::Map(entries)) => (entries, true),
            Some(Value::Object { class, attributes }) => {
                let shown = Value::Object {
                    class,
                    attributes: Vec::new(),
                };
                let named = call
                    .fields
                    .iter()
                    .any(|f| attributes.iter().any(|(key, _)| is_named(f, key, language)));
                if !named {
                    return Err(container(language, call, python, node, Some(&shown)));
                }
                (attributes, false)
            }
            other => return Err(container(language, call, python, node, other.as_ref())),
        };
        for (key, value) in entries {
            let Some(i) = call.fields.iter().position(|f| is_named(f, &key, language)) else {
                if !strict {
                    continue;
                }
                return Err(Refusal::WrongType(unknown_key(
                    language, call, python, node, nested, &key,
                )));
            };
            if slots[i].is_some() {
                return Err(Refusal::WrongType(format!(
                    "{python}() got multiple values for argument '{key}'"
                )));
            }
            slots[i] = Some(value);
        }
        let reader = Reader {
            language,
            call,
            prefix,
            slots,
            next: 0,
        };
        for (field, slot) in call.fields.iter().zip(&reader.slots) {
            if field.spec.required && matches!(slot, None | Some(Value::Null)) {
                let name = reader.name(field);
                return Err(Refusal::WrongType(match (language, slot) {
                    (Python, Some(v)) => wrong_type(language, &name, field.spec.kind, v),
                    (Python, None) => format!("{python}() missing required argument: '{name}'"),
                    (Node, None) => format!("{name} is required, got undefined"),
                    (Node, Some(_)) => format!("{name} is required, got null"),
                }));
            }
        }
        Ok(reader)
    }

    /// The next field's value, read into `T`. Null counts as absent.
    pub fn take<T: Take>(&mut self) -> Result<T, Refusal> {
        let (field, slot) = self
            .call
            .fields
            .get(self.next)
            .zip(self.slots.get_mut(self.next))
            .ok_or_else(|| Refusal::Invalid(Error::internal("a table has fewer fields")))?;
        self.next += 1;
        let value = slot.take().filter(|v| *v != Value::Null);
        T::take(value, field, self)
    }

    /// The field's name as the language spells it, after the nested object's prefix.
    fn name(&self, field: &Field) -> String {
        format!("{}{}", self.prefix, spelled(field, self.language))
    }

    fn wrong(&self, field: &Field, value: &Value) -> Refusal {
        Refusal::WrongType(wrong_type(
            self.language,
            &self.name(field),
            field.spec.kind,
            value,
        ))
    }

    fn invalid(&self, name: String, reason: &str) -> Refusal {
        Refusal::Invalid(if self.call.options {
            Error::configuration(name, reason)
        } else {
            Error::validation(name, reason)
        })
    }

    fn unpaired(&self, name: String) -> Refusal {
        self.invalid(
            name,
            "is not valid Unicode (it contains unpaired surrogates)",
        )
    }

    fn text(&self, field: &Field, value: Value) -> Result<String, Refusal> {
        let kind = field.spec.kind;
        match value {
            Value::Str(text) => Ok(text),
            Value::Unpaired => Err(self.unpaired(self.name(field))),
            Value::Object { class, attributes }
                if self.language == Node
                    && class == "URL"
                    && matches!(kind, Kind::Url | Kind::Path) =>
            {
                let href = attributes
                    .into_iter()
                    .find_map(|(key, v)| match v {
                        Value::Str(href) if key == "href" => Some(href),
                        _ => None,
                    })
                    .unwrap_or_default();
                if matches!(kind, Kind::Url) {
                    return Ok(href);
                }
                let url = url::Url::parse(&href).ok();
                match url.as_ref().and_then(|u| u.to_file_path().ok()) {
                    Some(path) if url.is_some_and(|u| u.scheme() == "file") => {
                        Ok(path.to_string_lossy().into_owned())
                    }
                    _ => Err(Refusal::WrongType(format!(
                        "{} must be a path or a file: URL, got {}: URL",
                        self.name(field),
                        href.split(':').next().unwrap_or_default()
                    ))),
                }
            }
            // An `os.PathLike`: its `__fspath__`.
            Value::Object { attributes, class }
                if self.language == Python && matches!(kind, Kind::Path) =>
            {
                match attributes.into_iter().find(|(key, _)| key == "__fspath__") {
                    Some((_, path)) => self.text(field, path),
                    None => Err(self.wrong(
                        field,
                        &Value::Object {
                            class,
                            attributes: Vec::new(),
                        },
                    )),
                }
            }
            other => Err(self.wrong(field, &other)),
        }
    }

    fn int(&self, field: &Field, value: Value) -> Result<i64, Refusal> {
        match (value, self.language) {
            (Value::Int(n), _) => Ok(n),
            // `as` saturates: out of range either way, refused by the range check.
            (Value::WideInt(x), _) => Ok(x as i64),
            (Value::Uint(_), _) => Ok(i64::MAX),
            (Value::Float(x), Node) if x.is_finite() && x.fract() == 0.0 => Ok(x as i64),
            (Value::Float(_), Node) if matches!(field.spec.kind, Kind::Whole) => {
                Err(self.invalid(self.name(field), "must be a whole number"))
            }
            (other, _) => Err(self.wrong(field, &other)),
        }
    }

    fn seconds(&self, field: &Field, value: Value) -> Result<f64, Refusal> {
        match (value, self.language) {
            (Value::Float(ms), Node) => Ok(ms / 1000.0),
            (Value::Float(s), Python) => Ok(s),
            (Value::Int(s), Python) => Ok(s as f64),
            (Value::WideInt(s), Python) => Ok(s),
            (Value::Uint(s), Python) => Ok(s as f64),
            (other, _) => Err(self.wrong(field, &other)),
        }
    }

    fn texts(&self, field: &Field, value: Value) -> Result<Vec<String>, Refusal> {
        let Value::List(items) = value else {
            return Err(self.wrong(field, &value));
        };
        let mut texts = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let name = || format!("{}[{i}]", self.name(field));
            texts.push(match item {
                Value::Str(text) => text,
                Value::Unpaired => return Err(self.unpaired(name())),
                other => {
                    return Err(Refusal::WrongType(wrong_type(
                        self.language,
                        &name(),
                        Kind::Str,
                        &other,
                    )))
                }
            });
        }
        Ok(texts)
    }

    /// A value of the caller's own JSON (`name` is its path, for messages), by the one walk
    /// of host values into JSON (`super::json`). Whole floats below 2^53 are integers:
    /// JavaScript has one number type, and JSON none of its own.
    fn json(&self, name: &str, value: Value) -> Result<serde_json::Value, Refusal> {
        to_json(value, name, true, true).map_err(|refusal| match refusal {
            JsonRefusal::NotFinite { path } => self.invalid(path, "must hold only finite numbers"),
            JsonRefusal::Unpaired { path } => self.unpaired(path),
            JsonRefusal::KeyNotText { path, key_type } => {
                let text = if self.language == Python { "str" } else { "strings" };
                Refusal::WrongType(format!("{path} keys must be {text}, not {key_type}"))
            }
            JsonRefusal::TooDeep { path } => self.too_deep(&path),
            JsonRefusal::NotData { path, value } => {
                let got = type_name(self.language, &value);
                Refusal::WrongType(match self.language {
                    Python => format!(
                        "{path} must be JSON data (dict, list, str, int, float, bool or None), not {got}"
                    ),
                    Node => format!(
                        "{path} must be JSON data (object, array, string, number, boolean or null), got {got}"
                    ),
                })
            }
        })
    }

    fn too_deep(&self, name: &str) -> Refusal {
        let reason = format!(
            "is nested too deeply (at most {} levels)",
            super::MAX_DEPTH - 2
        );
        self.invalid(
            name.split(['.', '[']).next().unwrap_or(name).into(),
            &reason,
        )
    }

    fn nested<T: FromHost>(&self, field: &Field, value: Value) -> Result<T, Refusal> {
        let name = self.name(field);
        let mut reader = Reader::new(
            self.language,
            T::CALL,
            format!("{name}.").into(),
            &name,
            &name,
            Vec::new(),
            Some(value),
        )?;
        T::fill(&mut reader)
    }
}

/// One value outside any table (a binding's own arguments, such as the emulator's
/// options), read as `kind` under `name`; text that is not Unicode is a `ValidationError`.
pub fn read_one<T: Take>(
    language: Language,
    name: &str,
    kind: Kind,
    value: Option<Value>,
) -> Result<T, Refusal> {
    static ONE: Call = Call::request("", "", "", 0);
    let reader = Reader {
        language,
        call: &ONE,
        prefix: name.into(),
        slots: Vec::new(),
        next: 0,
    };
    let field = Field {
        name: "",
        spec: opt(kind),
    };
    T::take(value.filter(|v| *v != Value::Null), &field, &reader)
}

impl Take for String {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map_or(Ok(String::new()), |v| reader.text(field, v))
    }
}

impl Take for Option<String> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.text(field, v)).transpose()
    }
}

impl Take for Option<PathBuf> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value
            .map(|v| reader.text(field, v).map(PathBuf::from))
            .transpose()
    }
}

impl Take for Option<Locale> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        let tag = <Option<String> as Take>::take(value, field, reader)?;
        tag.map(|t| t.parse().map_err(Refusal::Invalid)).transpose()
    }
}

impl Take for Option<i64> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.int(field, v)).transpose()
    }
}

impl Take for Option<i32> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        // Saturated: out of range either way, refused by the range check with its message.
        let n = <Option<i64> as Take>::take(value, field, reader)?;
        Ok(n.map(|n| i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })))
    }
}

impl Take for Option<f64> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.seconds(field, v)).transpose()
    }
}

impl Take for Option<bool> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value
            .map(|v| match v {
                Value::Bool(b) => Ok(b),
                other => Err(reader.wrong(field, &other)),
            })
            .transpose()
    }
}

impl Take for Option<Vec<String>> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.texts(field, v)).transpose()
    }
}

impl Take for Option<Attributes> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.nested(field, v)).transpose()
    }
}

impl Take for Option<crate::AuthenticateOptions> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value.map(|v| reader.nested(field, v)).transpose()
    }
}

impl Take for Option<serde_json::Map<String, serde_json::Value>> {
    fn take(value: Option<Value>, field: &Field, reader: &Reader<'_>) -> Result<Self, Refusal> {
        value
            .map(|v| match v {
                Value::Map(_) => match reader.json(&reader.name(field), v)? {
                    serde_json::Value::Object(map) => Ok(map),
                    _ => Err(Refusal::Invalid(Error::internal("a map became no object"))),
                },
                other => Err(reader.wrong(field, &other)),
            })
            .transpose()
    }
}

impl Take for () {
    fn take(_: Option<Value>, _: &Field, _: &Reader<'_>) -> Result<Self, Refusal> {
        Ok(())
    }
}

/// The field's name in `language`: JavaScript names durations in milliseconds (`timeout_ms`).
pub(super) fn spelled(field: &Field, language: Language) -> Cow<'static, str> {
    match (language, field.spec.kind) {
        (Node, Kind::Seconds) => format!("{}_ms", field.name).into(),
        _ => field.name.into(),
    }
}

fn is_named(field: &Field, key: &str, language: Language) -> bool {
    field.spec.only.is_none_or(|only| only == language)
        && match (language, field.spec.kind) {
            (Node, Kind::Seconds) => key.strip_suffix("_ms") == Some(field.name),
            _ => key == field.name,
        }
}

fn expected(language: Language, kind: Kind) -> Cow<'static, str> {
    match (language, kind) {
        (Python, Kind::Str | Kind::Url) => "a str",
        (Python, Kind::Path) => "a str or os.PathLike",
        (Python, Kind::Int | Kind::Whole) => "an int",
        (Python, Kind::Seconds) => "a number of seconds (int or float)",
        (Python, Kind::Bool) => "a bool",
        (Python, Kind::StrList) => "a list of str",
        (Python, Kind::Json) => "a dict",
        (Node, Kind::Json) => "an object",
        (_, Kind::Fields(call)) => return fields_expected(language, call),
        (Node, Kind::Str | Kind::Url | Kind::Path) => "a string",
        (Node, Kind::Int | Kind::Whole) => "an integer",
        (Node, Kind::Seconds) => "a number of milliseconds",
        (Node, Kind::Bool) => "a boolean",
        (Node, Kind::StrList) => "an array of strings",
        (_, Kind::Ignored) => "anything",
    }
    .into()
}

fn fields_expected(language: Language, call: &Call) -> Cow<'static, str> {
    match language {
        Python => {
            let names: Vec<&str> = call.fields.iter().map(|f| f.name).collect();
            format!("a dict with {}", names.join(" / ")).into()
        }
        Node => call.node_expected.into(),
    }
}

/// How the language names the type of `value` in messages (never the value itself).
fn type_name(language: Language, value: &Value) -> Cow<'_, str> {
    match (language, value) {
        (_, Value::Other(name)) => name.into(),
        (Python, Value::Object { class, .. }) => class.into(),
        (Node, Value::Object { class, .. }) => format!("{class} object").into(),
        (Python, v) => match v {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Uint(_) | Value::WideInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) | Value::Unpaired => "str",
            Value::List(_) => "list",
            _ => "dict",
        }
        .into(),
        (Node, v) => match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Uint(_) | Value::WideInt(_) => "bigint",
            Value::Float(x) if x.is_nan() => "NaN",
            Value::Float(_) => "number",
            Value::Str(_) | Value::Unpaired => "string",
            Value::List(_) => "array",
            _ => "object",
        }
        .into(),
    }
}

fn wrong_type(language: Language, name: &str, kind: Kind, value: &Value) -> String {
    let (expected, got) = (expected(language, kind), type_name(language, value));
    match language {
        Python => format!("{name} must be {expected}, not {got}"),
        Node => format!("{name} must be {expected}, got {got}"),
    }
}

/// The object that should hold the fields is of the wrong type (`None`: undefined).
fn container(
    language: Language,
    call: &Call,
    python: &str,
    node: &str,
    value: Option<&Value>,
) -> Refusal {
    let got = value.map_or("undefined".into(), |v| type_name(language, v));
    let expected = fields_expected(language, call);
    Refusal::WrongType(match language {
        Python => format!("{python} must be {expected}, not {got}"),
        Node => format!("{node} must be {expected}, got {got}"),
    })
}

fn unknown_key(
    language: Language,
    call: &Call,
    python: &str,
    node: &str,
    nested: bool,
    key: &str,
) -> String {
    let known: Vec<String> = call
        .fields
        .iter()
        .filter(|f| f.spec.only.is_none_or(|only| only == language))
        .map(|f| spelled(f, language).into_owned())
        .collect();
    let is_known = |name: &str| known.iter().any(|k| k == name);
    // A duration in the other language's unit, a name another client uses, camelCase.
    let other_unit = call.fields.iter().find(|f| {
        matches!(f.spec.kind, Kind::Seconds)
            && match language {
                Python => key.strip_suffix("_ms") == Some(f.name),
                Node => key == f.name,
            }
    });
    let snake: String = key
        .chars()
        .flat_map(|c| match c.is_ascii_uppercase() {
            true => vec!['_', c.to_ascii_lowercase()],
            false => vec![c],
        })
        .collect();
    let hint = if let Some(field) = other_unit {
        let unit = if language == Python {
            "seconds"
        } else {
            "milliseconds"
        };
        format!("; did you mean {} ({unit})?", spelled(field, language))
    } else if let Some((_, to)) = ALIASES
        .iter()
        .find(|(from, to)| *from == key && is_known(to))
    {
        format!("; did you mean {to}?")
    } else if snake != key && is_known(&snake) {
        format!("; did you mean {snake}? (names are snake_case)")
    } else {
        String::new()
    };
    let expected = known.join(", ");
    match (language, nested) {
        (Python, false) => format!("{python}() got an unexpected keyword argument '{key}'{hint}"),
        (Python, true) => {
            format!("{python} got an unexpected key '{key}' (expected {expected}){hint}")
        }
        (Node, _) => format!(
            "{node} has an unknown key {} (expected {expected}){hint}",
            serde_json::Value::from(key)
        ),
    }
}

/// Names other clients use for an option, and ours.
const ALIASES: [(&str, &str); 1] = [("env", "environment")];

/// `Client.from_env` takes the credentials from the environment only.
pub(super) fn credentials_from_env(language: Language, field: &str) -> String {
    let (call, instead) = match language {
        Python => ("Client.from_env()", "Client(project_id, secret)"),
        Node => ("Client.fromEnv", "new Client({ project_id, secret })"),
    };
    format!(
        "{field} cannot be passed to {call}, which reads STYTCH_PROJECT_ID and STYTCH_SECRET; \
         use {instead} instead"
    )
}

/// An error about an option, naming it as `language` spells it (`timeout` → `timeout_ms`).
pub(super) fn respell(language: Language, error: Error) -> Error {
    let field = CLIENT
        .fields
        .iter()
        .find(|f| Some(f.name) == error.field() && matches!(f.spec.kind, Kind::Seconds));
    match field {
        Some(field) if language == Node => {
            Error::configuration(spelled(field, language), error.reason().unwrap_or_default())
        }
        _ => error,
    }
}
