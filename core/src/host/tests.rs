use serde_json::json;

use super::*;
use crate::{Environment, Locale};
use Language::{Node, Python};

fn map(json: serde_json::Value) -> Option<Value> {
    Some(Value::from(json))
}

/// As JavaScript gives it: every number a `number` (a float).
fn js(value: Value) -> Value {
    match value {
        Value::Int(n) => Value::Float(n as f64),
        Value::WideInt(x) => Value::Float(x),
        Value::Uint(n) => Value::Float(n as f64),
        Value::List(items) => Value::List(items.into_iter().map(js).collect()),
        Value::Map(entries) => Value::Map(entries.into_iter().map(|(k, v)| (k, js(v))).collect()),
        other => other,
    }
}

fn named(language: Language, json: serde_json::Value) -> Option<Value> {
    map(json).map(|v| if language == Node { js(v) } else { v })
}

fn send(language: Language, json: serde_json::Value) -> Result<SendRequest, Refusal> {
    request(language, Vec::new(), named(language, json))
}

fn type_error<T: std::fmt::Debug>(result: Result<T, Refusal>) -> String {
    match result {
        Err(Refusal::WrongType(message)) => message,
        other => panic!("expected a wrong type, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(result: Result<T, Refusal>) -> Error {
    match result {
        Err(Refusal::Invalid(error)) => error,
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

fn options(language: Language, json: serde_json::Value) -> Result<ClientOptions, Refusal> {
    ClientOptions::from_host(language, "1.2.3", Vec::new(), named(language, json), false)
}

#[test]
fn a_request_reads_every_field_in_either_language() {
    let full = json!({
        "phone_number": "+12025550162", "expiration_minutes": 5, "locale": "pt-br",
        "attributes": {"ip_address": "203.0.113.7", "user_agent": null},
        "user_id": "user-test-1", "session_token": null, "session_jwt": "jwt",
    });
    let want = SendRequest {
        phone_number: "+12025550162".into(),
        expiration_minutes: Some(5),
        attributes: Some(Attributes {
            ip_address: Some("203.0.113.7".into()),
            user_agent: None,
        }),
        locale: Some(Locale::PtBr),
        user_id: Some("user-test-1".into()),
        session_token: None,
        session_jwt: Some("jwt".into()),
    };
    for language in [Python, Node] {
        assert_eq!(send(language, full.clone()).ok().as_ref(), Some(&want));
    }
    // Python also by position, in table order; a JS number of minutes is whole or refused.
    let positional = vec![Value::Str("+12025550162".into()), Value::Int(3)];
    let r: Result<SendRequest, _> = request(Python, positional, None);
    assert_eq!(r.ok().and_then(|r| r.expiration_minutes), Some(3));
    let r = send(
        Node,
        json!({"phone_number": "+1", "expiration_minutes": 4.0}),
    );
    assert_eq!(r.ok().and_then(|r| r.expiration_minutes), Some(4));
}

#[test]
fn wrong_types_are_named_as_each_language_writes_them() {
    let cases: &[(Language, serde_json::Value, &str)] = &[
        (Python, json!({"phone_number": 5}), "phone_number must be a str, not int"),
        (Python, json!({"phone_number": null}), "phone_number must be a str, not NoneType"),
        (Python, json!({}), "send() missing required argument: 'phone_number'"),
        (Python, json!({"phone_number": "+1", "expiration_minutes": 5.0}), "expiration_minutes must be an int, not float"),
        (Python, json!({"phone_number": "+1", "expiration_minutes": true}), "expiration_minutes must be an int, not bool"),
        (Python, json!({"phone_number": "+1", "attributes": ["x"]}), "attributes must be a dict with ip_address / user_agent, not list"),
        (Python, json!({"phone_number": "+1", "attributes": {"ip": "1"}}), "attributes got an unexpected key 'ip' (expected ip_address, user_agent)"),
        (Python, json!({"phone_number": "+1", "attributes": {"ip_address": 5}}), "attributes.ip_address must be a str, not int"),
        (Python, json!({"phone_number": "+1", "phone": "+1"}), "send() got an unexpected keyword argument 'phone'"),
        (Node, json!({}), "phone_number is required, got undefined"),
        (Node, json!({"phone_number": null}), "phone_number is required, got null"),
        (Node, json!({"phone_number": 12025550162_i64}), "phone_number must be a string, got number"),
        (Node, json!({"phone_number": "+1", "expiration_minutes": "5"}), "expiration_minutes must be an integer, got string"),
        (Node, json!({"phone_number": "+1", "attributes": "x"}), "attributes must be an object, got string"),
        (Node, json!({"phone_number": "+1", "attributes": {"user_agent": []}}), "attributes.user_agent must be a string, got array"),
        (Node, json!({"phone_number": "+1", "phoneNumber": "x"}), "request has an unknown key \"phoneNumber\" (expected phone_number, expiration_minutes, attributes, locale, user_id, session_token, session_jwt); did you mean phone_number? (names are snake_case)"),
    ];
    for (language, named, message) in cases {
        assert_eq!(
            type_error(send(*language, named.clone())),
            *message,
            "{named}"
        );
    }
    let bigint = Value::Map(vec![("phone_number".into(), Value::Int(1))]);
    let bigint = request::<SendRequest>(Node, Vec::new(), Some(bigint));
    assert_eq!(
        type_error(bigint),
        "phone_number must be a string, got bigint"
    );
    let not_an_object =
        request::<SendRequest>(Node, Vec::new(), Some(Value::Other("Date object".into())));
    assert_eq!(
        type_error(not_an_object),
        "request must be an object with phone_number, got Date object"
    );
    assert_eq!(
        type_error(request::<SendRequest>(Node, Vec::new(), None)),
        "request must be an object with phone_number, got undefined"
    );
    let too_many = request::<SendRequest>(Python, vec![Value::Null; 8], None);
    assert_eq!(
        type_error(too_many),
        "send() takes at most 7 positional arguments (8 given)"
    );
    let twice = request::<SendRequest>(
        Python,
        vec![Value::Str("+1".into())],
        map(json!({"phone_number": "+1"})),
    );
    assert_eq!(
        type_error(twice),
        "send() got multiple values for argument 'phone_number'"
    );
}

#[test]
fn values_of_the_right_type_that_cannot_be_used_are_core_errors() {
    // JavaScript has one number type: a fraction of minutes is a value, not a type, problem.
    for minutes in [json!(2.5), json!(f64::MAX)] {
        let r = send(
            Node,
            json!({"phone_number": "+1", "expiration_minutes": minutes}),
        );
        if let Ok(r) = r {
            assert_eq!(r.expiration_minutes, Some(i32::MAX)); // whole but huge: saturated
            continue;
        }
        let e = invalid(r);
        assert_eq!(
            (e.code(), e.field()),
            ("validation_error", Some("expiration_minutes"))
        );
    }
    let nan = request::<SendRequest>(
        Node,
        Vec::new(),
        Some(Value::Map(vec![
            ("phone_number".into(), Value::Str("+1".into())),
            ("expiration_minutes".into(), Value::Float(f64::NAN)),
        ])),
    );
    assert_eq!(invalid(nan).field(), Some("expiration_minutes"));
    // Huge integers saturate, for the range check to refuse.
    let huge = send(
        Python,
        json!({"phone_number": "+1", "expiration_minutes": u64::MAX}),
    );
    assert_eq!(huge.ok().and_then(|r| r.expiration_minutes), Some(i32::MAX));
    let locale = invalid(send(
        Python,
        json!({"phone_number": "+1", "locale": "pt-BR"}),
    ));
    assert_eq!(locale.field(), Some("locale"));
    // Text that is not Unicode: a ValidationError for a request, a ConfigurationError for options.
    let unpaired = Value::Map(vec![("phone_number".into(), Value::Unpaired)]);
    let e = invalid(request::<SendRequest>(Python, Vec::new(), Some(unpaired)));
    assert_eq!(
        (e.code(), e.field()),
        ("validation_error", Some("phone_number"))
    );
    let codes = Value::Map(vec![(
        "allowed_country_codes".into(),
        Value::List(vec![Value::Str("1".into()), Value::Unpaired]),
    )]);
    let e = invalid(ClientOptions::from_host(
        Node,
        "20",
        Vec::new(),
        Some(codes),
        false,
    ));
    assert_eq!(
        (e.code(), e.field()),
        ("configuration_error", Some("allowed_country_codes[1]"))
    );
}

#[test]
fn python_reads_an_object_through_its_attributes() {
    let model = Value::Object {
        class: "Attributes".into(),
        attributes: vec![
            ("ip_address".into(), Value::Str("203.0.113.7".into())),
            ("model_config".into(), Value::Other("x".into())),
        ],
    };
    let named = Value::Map(vec![
        ("phone_number".into(), Value::Str("+1".into())),
        ("attributes".into(), model),
    ]);
    let r = request::<SendRequest>(Python, Vec::new(), Some(named));
    assert_eq!(
        r.ok()
            .and_then(|r| r.attributes)
            .and_then(|a| a.ip_address)
            .as_deref(),
        Some("203.0.113.7")
    );
    let weird = Value::Map(vec![
        ("phone_number".into(), Value::Str("+1".into())),
        (
            "attributes".into(),
            Value::Object {
                class: "Weird".into(),
                attributes: Vec::new(),
            },
        ),
    ]);
    let message = type_error(request::<SendRequest>(Python, Vec::new(), Some(weird)));
    assert_eq!(
        message,
        "attributes must be a dict with ip_address / user_agent, not Weird"
    );
}

#[test]
fn options_resolve_like_the_typed_builder() {
    let built = |language, named| options(language, named).ok().and_then(|o| o.build().ok());
    let base = json!({"project_id": "project-live-1", "secret": "s"});
    let client = built(Python, base.clone()).expect("valid");
    assert_eq!(client.environment(), Environment::Live);
    // An environment that is a URL means base_url; base_url wins; custom_base_url is its alias.
    let url = built(
        Node,
        json!({"project_id": "p", "secret": "s", "environment": "http://127.0.0.1:9/e"}),
    );
    assert_eq!(
        url.map(|c| c.endpoint().to_owned()).as_deref(),
        Some("http://127.0.0.1:9/e/v1/otps/sms/send")
    );
    let both = built(
        Python,
        json!({"project_id": "p", "secret": "s", "environment": "http://127.0.0.1:9/e", "custom_base_url": "http://127.0.0.1:9/c"}),
    );
    assert_eq!(
        both.map(|c| c.endpoint().to_owned()).as_deref(),
        Some("http://127.0.0.1:9/c/v1/otps/sms/send")
    );
    let named = built(
        Python,
        json!({"project_id": "project-live-1", "secret": "s", "environment": "test"}),
    );
    assert_eq!(named.map(|c| c.environment()), Some(Environment::Test));
    // Durations: seconds in Python, milliseconds in JavaScript; errors name the option as spelled.
    assert!(built(
        Python,
        json!({"project_id": "p", "secret": "s", "timeout": 2, "connect_timeout": 0.5})
    )
    .is_some());
    assert!(built(
        Node,
        json!({"project_id": "p", "secret": "s", "timeout_ms": 2000, "max_retries": 10.0})
    )
    .is_some());
    let field = |language, named| {
        let e = match options(language, named) {
            Ok(o) => o.build().expect_err("refused"),
            Err(refusal) => invalid(Err::<(), _>(refusal)),
        };
        assert_eq!(e.code(), "configuration_error");
        e.field().unwrap_or_default().to_owned()
    };
    assert_eq!(
        field(
            Node,
            json!({"project_id": "p", "secret": "s", "timeout_ms": 0})
        ),
        "timeout_ms"
    );
    assert_eq!(
        field(
            Node,
            json!({"project_id": "p", "secret": "s", "connect_timeout_ms": 1e300})
        ),
        "connect_timeout_ms"
    );
    assert_eq!(
        field(
            Python,
            json!({"project_id": "p", "secret": "s", "timeout": 86_401})
        ),
        "timeout"
    );
    assert_eq!(
        field(
            Python,
            json!({"project_id": "p", "secret": "s", "max_retries": -1})
        ),
        "max_retries"
    );
    assert_eq!(
        field(
            Node,
            json!({"project_id": "p", "secret": "s", "max_retries": 2e30})
        ),
        "max_retries"
    );
    assert_eq!(
        field(
            Python,
            json!({"project_id": "p", "secret": "s", "environment": "prod"})
        ),
        "environment"
    );
    assert_eq!(field(Node, json!({"secret": "s"})), "project_id");
    assert_eq!(
        field(Python, json!({"project_id": null, "secret": "s"})),
        "project_id"
    );
}

#[test]
fn option_type_errors_and_hints() {
    let cases: &[(Language, serde_json::Value, &str)] = &[
        (Python, json!({"timeout": "1"}), "timeout must be a number of seconds (int or float), not str"),
        (Python, json!({"timeout": true}), "timeout must be a number of seconds (int or float), not bool"),
        (Python, json!({"max_retries": 1.5}), "max_retries must be an int, not float"),
        (Python, json!({"retry_rate_limited": 1}), "retry_rate_limited must be a bool, not int"),
        (Python, json!({"allowed_country_codes": "1"}), "allowed_country_codes must be a list of str, not str"),
        (Python, json!({"allowed_country_codes": [1]}), "allowed_country_codes[0] must be a str, not int"),
        (Python, json!({"timeout_ms": 5}), "Client() got an unexpected keyword argument 'timeout_ms'; did you mean timeout (seconds)?"),
        (Node, json!({"timeout_ms": "5000"}), "timeout_ms must be a number of milliseconds, got string"),
        (Node, json!({"max_retries": 1.5}), "max_retries must be an integer, got number"),
        (Node, json!({"ca_file": 1}), "ca_file must be a string, got number"),
        (Node, json!({"custom_base_url": {}}), "custom_base_url must be a string, got object"),
        (Node, json!({"suppress_warnings": true}), "Client options has an unknown key \"suppress_warnings\" (expected project_id, secret, environment, base_url, custom_base_url, timeout_ms, connect_timeout_ms, max_retries, retry_rate_limited, allowed_country_codes, user_agent_suffix, ca_file)"),
    ];
    for (language, named, message) in cases {
        assert_eq!(
            type_error(options(*language, named.clone())),
            *message,
            "{named}"
        );
    }
    let hint = |key: &str| type_error(options(Node, json!({ key: 1 })));
    assert!(hint("timeout").ends_with("; did you mean timeout_ms (milliseconds)?"));
    assert!(hint("env").ends_with("; did you mean environment?"));
    assert!(hint("projectId").ends_with("; did you mean project_id? (names are snake_case)"));
    assert!(hint("fetchConfig").ends_with(")"));
    let absent = ClientOptions::from_host(Node, "20", Vec::new(), None, false);
    assert_eq!(
        type_error(absent),
        "options must be an object with project_id and secret, got undefined"
    );
    let wrong =
        ClientOptions::from_host(Node, "20", Vec::new(), Some(Value::Str("p".into())), true);
    assert_eq!(
        type_error(wrong),
        "Client.fromEnv options must be an object, got string"
    );
    let credentials =
        ClientOptions::from_host(Python, "3", Vec::new(), map(json!({"secret": "s"})), true);
    assert!(type_error(credentials).starts_with("secret cannot be passed to Client.from_env()"));
    let positional = ClientOptions::from_host(Python, "3", vec![Value::Null; 4], None, false);
    assert_eq!(
        type_error(positional),
        "Client() takes at most 3 positional arguments (4 given)"
    );
    assert!(options(
        Python,
        json!({"project_id": "p", "secret": "s", "suppress_warnings": "anything"})
    )
    .is_ok());
}

#[test]
fn paths_and_urls_come_as_objects_too() {
    let url = |href: &str| Value::Object {
        class: "URL".into(),
        attributes: vec![("href".into(), Value::Str(href.into()))],
    };
    let with = |language, key: &str, value: Value| {
        let named = Value::Map(vec![
            ("project_id".into(), Value::Str("p".into())),
            ("secret".into(), Value::Str("s".into())),
            (key.into(), value),
        ]);
        ClientOptions::from_host(language, "1", Vec::new(), Some(named), false)
    };
    let endpoint = with(Node, "base_url", url("http://[::1]:9/p/"))
        .ok()
        .and_then(|o| o.build().ok());
    assert_eq!(
        endpoint.map(|c| c.endpoint().to_owned()).as_deref(),
        Some("http://[::1]:9/p/v1/otps/sms/send")
    );
    let e = with(Node, "ca_file", url("file:///nonexistent/ca.pem"))
        .ok()
        .and_then(|o| o.build().err());
    assert_eq!(e.as_ref().and_then(|e| e.field()), Some("ca_file"));
    assert!(e
        .map(|e| e.to_string())
        .unwrap_or_default()
        .contains("/nonexistent/ca.pem"));
    let http = type_error(with(Node, "ca_file", url("http://127.0.0.1/ca.pem")));
    assert_eq!(http, "ca_file must be a path or a file: URL, got http: URL");
    let pathlike = Value::Object {
        class: "PosixPath".into(),
        attributes: vec![("__fspath__".into(), Value::Str("/nonexistent.pem".into()))],
    };
    let e = with(Python, "ca_file", pathlike.clone())
        .ok()
        .and_then(|o| o.build().err());
    assert_eq!(e.as_ref().and_then(|e| e.field()), Some("ca_file"));
    assert_eq!(
        type_error(with(Python, "base_url", pathlike)),
        "base_url must be a str, not PosixPath"
    );
    let named = Value::Map(vec![("project_id".into(), url("http://x/"))]);
    let wrong = ClientOptions::from_host(Node, "1", Vec::new(), Some(named), false);
    assert_eq!(
        type_error(wrong),
        "project_id must be a string, got URL object"
    );
}

#[test]
fn the_user_agent_names_the_language() {
    let o = options(Python, json!({"project_id": "p", "secret": "s"})).expect("valid");
    let Ok(resolved) = o.builder.clone().resolve() else {
        panic!("valid options")
    };
    assert!(resolved
        .user_agent
        .to_str()
        .unwrap_or_default()
        .ends_with(" python/1.2.3"));
}

#[test]
fn field_names_are_spelled_per_language() {
    let node = field_names(&CLIENT, Node);
    assert!(
        node.contains(&"timeout_ms".to_owned()) && !node.contains(&"suppress_warnings".to_owned())
    );
    let python = field_names(&CLIENT, Python);
    assert!(
        python.contains(&"timeout".to_owned()) && python.contains(&"suppress_warnings".to_owned())
    );
    assert_eq!(field_names(&SEND, Node), field_names(&SEND, Python));
    assert_eq!(
        field_names(&ATTRIBUTES, Python),
        ["ip_address", "user_agent"]
    );
}

/// The bindings read a send's text themselves: they take what `SendResponse::from_json`
/// takes, with the same values, and refuse the rest with its messages.
#[test]
fn a_sends_text_reads_as_the_typed_response_does() {
    let agree = |body: serde_json::Value| {
        let text = body.to_string();
        let typed = match body {
            serde_json::Value::Object(map) => crate::SendResponse::from_json(map),
            _ => Err("not a JSON object".to_owned()),
        };
        let sent = Sent::from_text(text.clone());
        match (&typed, &sent) {
            (Ok(t), Ok(s)) => {
                assert_eq!(
                    (&t.request_id, &t.user_id, &t.phone_id, t.status_code),
                    (&s.request_id, &s.user_id, &s.phone_id, s.status_code)
                );
                assert_eq!(s.text, text);
            }
            (Err(t), Err(s)) => assert_eq!(t, s),
            _ => panic!("{text}: {typed:?} / {sent:?}"),
        }
        sent
    };
    let good = json!({"request_id": "r", "user_id": "u", "phone_id": "p", "status_code": 200,
        "extra": {"nested": [1, 2.5, null]}});
    assert_eq!(agree(good.clone()).expect("read").phone_id, "p");
    let mut missing = good.clone();
    missing.as_object_mut().map(|m| m.remove("user_id"));
    assert_eq!(
        agree(missing).expect_err("refused"),
        "field user_id is missing or not a string"
    );
    let mut wrong = good.clone();
    wrong["status_code"] = json!(70000);
    assert_eq!(
        agree(wrong).expect_err("refused"),
        "field status_code is missing or not an integer"
    );
    assert!(agree(json!([good.clone()])).is_err());
    // A duplicate key: the typed response keeps the last, and so does the text's reading.
    let doubled =
        r#"{"request_id":"r","user_id":"u","phone_id":"p1","phone_id":"p2","status_code":200}"#;
    assert_eq!(
        Sent::from_text(doubled.to_owned()).expect("read").phone_id,
        "p2"
    );
    for not_an_object in [
        format!("{good} trailing"),
        String::new(),
        "\"text\"".to_owned(),
    ] {
        assert_eq!(
            Sent::from_text(not_an_object.clone()).expect_err("refused"),
            "not a JSON object",
            "{not_an_object}"
        );
    }
}
