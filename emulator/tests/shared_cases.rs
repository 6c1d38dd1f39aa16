//! Runs every shared case of tests/cases/ through the Rust surface (the core client against
//! the emulator, the hostile test server, or a closed port). All cases run; none can be skipped.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use hostile::{Behaviour, Hostile};
use serde_json::{Map, Value};
use sms_otp::{
    Attributes, AuthenticateOptions, AuthenticateRequest, Client, ClientBuilder, Locale,
    LoginOrCreateRequest, SendRequest,
};

/// The hostile server (tests/hostile-server/src/lib.rs), compiled in.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/hostile-server/src/lib.rs"]
mod hostile;

const PROJECT_ID: &str = "project-test-11111111-2222-3333-4444-555555555555";
const SECRET: &str = "secret-test-shared-cases";

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// A typed request of one of the calls a case makes (`"call"`: `send`, the default,
/// `login_or_create` or `authenticate`).
enum Request {
    Send(SendRequest),
    LoginOrCreate(LoginOrCreateRequest),
    Authenticate(AuthenticateRequest),
}

/// What converting the case's JSON request into the typed request gave.
enum Converted {
    Request(Request),
    /// The Rust equivalent of a TypeError: the value cannot be expressed in the typed request.
    TypeError(String),
    /// A value that has the right type but is refused by the core (an unknown locale tag).
    Invalid(sms_otp::Error),
}

/// A successful call, whichever it was.
struct Done {
    status_code: u16,
    raw: Map<String, Value>,
    /// The `phone_id` of a send or `login_or_create`.
    phone_id: Option<String>,
    /// Whether an `authenticate` answer carries a session (read by the typed response).
    has_session: bool,
}

fn text(map: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(field.to_owned()),
    }
}

fn flag(map: &Map<String, Value>, field: &str) -> Result<Option<bool>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(field.to_owned()),
    }
}

/// An integer field as `i32`, out-of-range values saturated (the core refuses them).
fn int(map: &Map<String, Value>, field: &str) -> Result<Option<i32>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => {
            let n = n.as_i64().unwrap();
            Ok(Some(i32::try_from(n).unwrap_or(if n < 0 {
                i32::MIN
            } else {
                i32::MAX
            })))
        }
        Some(_) => Err(field.to_owned()),
    }
}

fn attributes(map: &Map<String, Value>) -> Result<Option<Attributes>, String> {
    match map.get("attributes") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(a)) => {
            if let Some(unknown) = a
                .keys()
                .find(|k| !["ip_address", "user_agent"].contains(&k.as_str()))
            {
                return Err(format!("attributes.{unknown}"));
            }
            Ok(Some(Attributes {
                ip_address: text(a, "ip_address").map_err(|f| format!("attributes.{f}"))?,
                user_agent: text(a, "user_agent").map_err(|f| format!("attributes.{f}"))?,
            }))
        }
        Some(_) => Err("attributes".to_owned()),
    }
}

fn locale(map: &Map<String, Value>) -> Result<Result<Option<Locale>, sms_otp::Error>, String> {
    Ok(match text(map, "locale")? {
        None => Ok(None),
        Some(tag) => tag.parse::<Locale>().map(Some),
    })
}

fn convert(call: &str, request: &Value) -> Converted {
    let map = request.as_object().unwrap();
    let known: &[&str] = match call {
        "send" => &[
            "phone_number",
            "expiration_minutes",
            "attributes",
            "locale",
            "user_id",
            "session_token",
            "session_jwt",
        ],
        "login_or_create" => &[
            "phone_number",
            "expiration_minutes",
            "attributes",
            "create_user_as_pending",
            "locale",
        ],
        "authenticate" => &[
            "method_id",
            "code",
            "attributes",
            "options",
            "session_token",
            "session_jwt",
            "session_duration_minutes",
            "session_custom_claims",
            "telemetry_id",
        ],
        other => panic!("unknown call {other}"),
    };
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Converted::TypeError(unknown.clone());
    }
    let attempt = || -> Result<Result<Request, sms_otp::Error>, String> {
        Ok(Ok(match call {
            "send" => Request::Send(SendRequest {
                phone_number: text(map, "phone_number")?.ok_or("phone_number")?,
                expiration_minutes: int(map, "expiration_minutes")?,
                attributes: attributes(map)?,
                locale: match locale(map)? {
                    Ok(locale) => locale,
                    Err(e) => return Ok(Err(e)),
                },
                user_id: text(map, "user_id")?,
                session_token: text(map, "session_token")?,
                session_jwt: text(map, "session_jwt")?,
            }),
            "login_or_create" => Request::LoginOrCreate(LoginOrCreateRequest {
                phone_number: text(map, "phone_number")?.ok_or("phone_number")?,
                expiration_minutes: int(map, "expiration_minutes")?,
                attributes: attributes(map)?,
                create_user_as_pending: flag(map, "create_user_as_pending")?,
                locale: match locale(map)? {
                    Ok(locale) => locale,
                    Err(e) => return Ok(Err(e)),
                },
            }),
            _ => Request::Authenticate(AuthenticateRequest {
                method_id: text(map, "method_id")?.ok_or("method_id")?,
                code: text(map, "code")?.ok_or("code")?,
                attributes: attributes(map)?,
                options: match map.get("options") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(o)) => Some(AuthenticateOptions {
                        ip_match_required: flag(o, "ip_match_required")
                            .map_err(|f| format!("options.{f}"))?,
                        user_agent_match_required: flag(o, "user_agent_match_required")
                            .map_err(|f| format!("options.{f}"))?,
                    }),
                    Some(_) => return Err("options".to_owned()),
                },
                session_token: text(map, "session_token")?,
                session_jwt: text(map, "session_jwt")?,
                session_duration_minutes: int(map, "session_duration_minutes")?,
                session_custom_claims: match map.get("session_custom_claims") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(claims)) => Some(claims.clone()),
                    Some(_) => return Err("session_custom_claims".to_owned()),
                },
                telemetry_id: text(map, "telemetry_id")?,
            }),
        }))
    };
    match attempt() {
        Ok(Ok(request)) => Converted::Request(request),
        Ok(Err(error)) => Converted::Invalid(error),
        Err(field) => Converted::TypeError(field),
    }
}

/// Makes one call with a typed request.
async fn perform(client: &Client, request: Request) -> Result<Done, sms_otp::Error> {
    Ok(match request {
        Request::Send(r) => {
            let resp = client.otps.sms.send(r).await?;
            Done {
                status_code: resp.status_code,
                phone_id: Some(resp.phone_id),
                raw: resp.raw,
                has_session: false,
            }
        }
        Request::LoginOrCreate(r) => {
            let resp = client.otps.sms.login_or_create(r).await?;
            Done {
                status_code: resp.status_code,
                phone_id: Some(resp.phone_id),
                raw: resp.raw,
                has_session: false,
            }
        }
        Request::Authenticate(r) => {
            let resp = client.otps.authenticate(r).await?;
            Done {
                status_code: resp.status_code,
                phone_id: None,
                has_session: resp.session.is_some(),
                raw: resp.raw,
            }
        }
    })
}

/// The number and `phone_id` of the last setup step that returned a `phone_id`: what the
/// placeholders `$method_id`, `$code`, `$code:N` and `$wrong_code` refer to.
struct Last {
    phone_number: String,
    phone_id: String,
}

/// The value a placeholder stands for (`None`: `text` is not one).
fn placeholder(
    text: &str,
    last: Option<&Last>,
    emu: Option<&sms_otp_emulator::Emulator>,
) -> Option<Result<String, String>> {
    let codes = || -> Result<Vec<String>, String> {
        let (last, emu) = last
            .zip(emu)
            .ok_or(format!("{text}: no setup step returned a phone_id"))?;
        Ok(emu
            .messages(Some(&last.phone_number))
            .into_iter()
            .map(|m| m.code)
            .collect())
    };
    let newest = || {
        codes()?
            .pop()
            .ok_or(format!("{text}: no message was delivered"))
    };
    Some(match text {
        "$method_id" => last
            .map(|l| l.phone_id.clone())
            .ok_or(format!("{text}: no setup step returned a phone_id")),
        "$code" => newest(),
        "$wrong_code" => newest().map(|code| {
            code.chars()
                .map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
                .collect()
        }),
        _ => {
            let n: usize = text.strip_prefix("$code:")?.parse().ok()?;
            codes().and_then(|codes| {
                codes
                    .get(n)
                    .cloned()
                    .ok_or(format!("{text}: only {} messages", codes.len()))
            })
        }
    })
}

/// `object` with every top-level string value that is a placeholder replaced.
fn resolve(
    object: &Value,
    last: Option<&Last>,
    emu: Option<&sms_otp_emulator::Emulator>,
) -> Result<Value, String> {
    let Some(map) = object.as_object() else {
        return Ok(object.clone());
    };
    let mut out = Map::new();
    for (key, value) in map {
        let value = match value.as_str().and_then(|t| placeholder(t, last, emu)) {
            Some(resolved) => Value::String(resolved?),
            None => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Ok(Value::Object(out))
}

fn builder(
    options: &Value,
    url: &str,
    project_id: &str,
    secret: &str,
) -> Result<ClientBuilder, sms_otp::Error> {
    let o = options.as_object().cloned().unwrap_or_default();
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut b = ClientBuilder::new(
        s("project_id").unwrap_or(project_id.into()),
        s("secret").unwrap_or(secret.into()),
    )
    .base_url(s("base_url").unwrap_or(url.into()));
    if let Some(ms) = o.get("timeout_ms").and_then(Value::as_u64) {
        b = b.timeout(Duration::from_millis(ms));
    }
    if let Some(ms) = o.get("connect_timeout_ms").and_then(Value::as_u64) {
        b = b.connect_timeout(Duration::from_millis(ms));
    }
    if let Some(n) = o.get("max_retries").and_then(Value::as_u64) {
        b = b.max_retries(u32::try_from(n).unwrap());
    }
    if let Some(r) = o.get("retry_rate_limited").and_then(Value::as_bool) {
        b = b.retry_rate_limited(r);
    }
    if let Some(env) = s("environment") {
        b = b.environment(env.parse()?);
    }
    if let Some(codes) = o.get("allowed_country_codes").and_then(Value::as_array) {
        b = b.allowed_country_codes(codes.iter().map(|c| c.as_str().unwrap().to_owned()));
    }
    Ok(b)
}

fn check_error(error: &sms_otp::Error, want: &Value) -> Result<(), String> {
    for (key, value) in want.as_object().unwrap() {
        let got: Value = match key.as_str() {
            "code" => error.code().into(),
            "class" => error.kind().class().class_name.into(),
            "status_code" => error.status_code().into(),
            "error_type" => error.error_type().into(),
            "maybe_delivered" => error.maybe_delivered().into(),
            "field" => error.field().into(),
            "phase" => error.phase().map(|p| p.as_str()).into(),
            "after_send" => error.after_send().into(),
            "attempts" => error.attempts().into(),
            "retry_after" => error.retry_after().map(|d| d.as_secs()).into(),
            "has_retry_after" => error.retry_after().is_some().into(),
            other => return Err(format!("unknown expectation {other}")),
        };
        if &got != value {
            return Err(format!("{key}: got {got}, want {value} ({error})"));
        }
    }
    Ok(())
}

/// The value at a dotted path (`user.phone_numbers.0.verified`) of a response body.
fn at_path<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(body, |value, step| match value {
        Value::Array(items) => items.get(step.parse::<usize>().ok()?),
        Value::Object(map) => map.get(step),
        _ => None,
    })
}

/// `expect.ok.fields`: each dotted path's value equals the given one (placeholders
/// resolved); `<path>_empty` says whether the path holds an empty string (or nothing).
fn check_fields(raw: &Map<String, Value>, fields: &Value) -> Result<(), String> {
    let body = Value::Object(raw.clone());
    for (path, want) in fields.as_object().unwrap() {
        let got = match path.strip_suffix("_empty") {
            Some(base) => Value::Bool(
                at_path(&body, base).is_none_or(|v| v.is_null() || v.as_str() == Some("")),
            ),
            None => at_path(&body, path).cloned().unwrap_or(Value::Null),
        };
        if &got != want {
            return Err(format!("field {path}: got {got}, want {want}"));
        }
    }
    Ok(())
}

/// The case's expectation for Rust: `expect.by_language.rust`, when given, replaces the
/// outcome (where the language's types make the same input mean something else).
fn expectation(case: &Value) -> Value {
    let mut expect = case["expect"].clone();
    let Some(map) = expect.as_object_mut() else {
        return expect;
    };
    let own = map
        .remove("by_language")
        .and_then(|mut by| by.get_mut("rust").map(Value::take));
    if let Some(Value::Object(own)) = own {
        for outcome in ["ok", "error", "configuration_error", "type_error"] {
            map.remove(outcome);
        }
        map.extend(own);
    }
    expect
}

/// The case's call: `send` unless it says otherwise.
fn call_name(case: &Value) -> &str {
    case.get("call").and_then(Value::as_str).unwrap_or("send")
}

/// Builds the client and makes the case's call with `request` (placeholders resolved),
/// checking the outcome part of `expect`.
async fn call(
    case: &Value,
    request: &Value,
    resolve_expected: &dyn Fn(&Value) -> Result<Value, String>,
    (url, project_id, secret): (&str, &str, &str),
) -> Result<(), String> {
    let expect = &expectation(case);
    let built = builder(&case["client"], url, project_id, secret).and_then(ClientBuilder::build);
    if let Some(want) = expect.get("configuration_error") {
        let error = built.err().ok_or("the client was built")?;
        return check_error(&error, want);
    }
    let client = built.map_err(|e| format!("client: {e}"))?;
    let outcome = match convert(call_name(case), request) {
        Converted::TypeError(field) => {
            let want = expect["type_error"]["field"]
                .as_str()
                .ok_or(format!("unexpected type error on {field}"))?;
            return if want == field {
                Ok(())
            } else {
                Err(format!("type error on {field}, want {want}"))
            };
        }
        Converted::Invalid(error) => Err(error),
        Converted::Request(request) => perform(&client, request).await,
    };
    match (outcome, expect.get("error"), expect.get("ok")) {
        (Err(error), Some(want), _) => check_error(&error, want),
        (Ok(done), _, Some(want)) => {
            if want["status_code"].as_u64() != Some(u64::from(done.status_code)) {
                return Err(format!("status {}", done.status_code));
            }
            if let Some(key) = want.get("raw_has").and_then(Value::as_str) {
                if !done.raw.contains_key(key) {
                    return Err(format!("raw lacks {key}"));
                }
            }
            if let Some(fields) = want.get("fields") {
                check_fields(&done.raw, &resolve_expected(fields)?)?;
            }
            match want.get("has_session").and_then(Value::as_bool) {
                Some(has) if has != done.has_session => {
                    Err(format!("has_session: got {}, want {has}", done.has_session))
                }
                _ => Ok(()),
            }
        }
        (Err(error), None, _) => Err(format!("unexpected error {error:?}")),
        (Ok(done), _, None) => Err(format!("unexpected success {:?}", done.raw)),
    }
}

fn behaviour(step: &Value) -> Behaviour {
    Behaviour::from_case_step(step).unwrap()
}

/// Runs one emulator setup step through the setup client: a call (which must succeed, or
/// fail with the step's `error_type`), or `advance_clock`.
async fn setup_step(
    step: &Value,
    emu: &sms_otp_emulator::Emulator,
    client: &Client,
    last: &mut Option<Last>,
) -> Result<(), String> {
    if let Some(seconds) = step.get("advance_clock") {
        emu.advance_clock(Duration::from_secs(seconds.as_u64().unwrap()));
        return Ok(());
    }
    let name = ["send", "login_or_create", "authenticate"]
        .into_iter()
        .find(|name| step.get(*name).is_some())
        .ok_or(format!("unknown setup step {step}"))?;
    let request = resolve(&step[name], last.as_ref(), Some(emu))?;
    let Converted::Request(typed) = convert(name, &request) else {
        return Err(format!("setup: bad {name} request {request}"));
    };
    let outcome = perform(client, typed).await;
    match (outcome, step.get("error_type")) {
        (Ok(done), None) => {
            if let Some(phone_id) = done.phone_id {
                *last = Some(Last {
                    phone_number: request["phone_number"].as_str().unwrap().to_owned(),
                    phone_id,
                });
            }
            Ok(())
        }
        (Err(error), Some(want)) if error.error_type() == want.as_str() => Ok(()),
        (Err(error), _) => Err(format!("setup {name}: {error}")),
        (Ok(_), Some(want)) => Err(format!("setup {name}: succeeded, want {want}")),
    }
}

async fn run(case: &Value) -> Result<(), String> {
    let server = &case["server"];
    let expect = &expectation(case);
    let no_setup = |v: &Value| resolve(v, None, None);
    if let Some(script) = server.get("hostile").and_then(Value::as_array) {
        let hostile = Hostile::start(script.iter().map(behaviour).collect()).await;
        let request = no_setup(&case["request"])?;
        call(
            case,
            &request,
            &no_setup,
            (&hostile.url(), PROJECT_ID, SECRET),
        )
        .await?;
        if let Some(n) = expect.get("requests_seen").and_then(Value::as_u64) {
            if hostile.seen() as u64 != n {
                return Err(format!("server saw {} requests, want {n}", hostile.seen()));
            }
        }
        return Ok(());
    }
    if server.get("refused").is_some() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = no_setup(&case["request"])?;
        let url = format!("http://127.0.0.1:{port}");
        return call(case, &request, &no_setup, (&url, PROJECT_ID, SECRET)).await;
    }
    let emu = sms_otp_emulator::Emulator::start(sms_otp_emulator::Config::default())
        .await
        .unwrap();
    let setup_client = Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .build()
        .unwrap();
    let mut last = None;
    for step in server["emulator"]["setup"].as_array().unwrap() {
        setup_step(step, &emu, &setup_client, &mut last).await?;
    }
    for spec in server["emulator"]["faults"].as_array().unwrap() {
        emu.inject_fault(serde_json::from_value(spec.clone()).unwrap())
            .unwrap();
    }
    let request = resolve(&case["request"], last.as_ref(), Some(&emu))?;
    let expected = |v: &Value| resolve(v, last.as_ref(), Some(&emu));
    call(
        case,
        &request,
        &expected,
        (&emu.url(), emu.project_id(), emu.secret()),
    )
    .await?;
    // The inbox of the request's number, or of the last setup step's.
    let phone = match request["phone_number"].as_str() {
        Some(phone) => Some(phone.to_owned()),
        None => last.as_ref().map(|l| l.phone_number.clone()),
    };
    let inbox: Vec<Value> = match &phone {
        Some(phone) => emu
            .messages(Some(phone))
            .iter()
            .map(|m| serde_json::to_value(m).unwrap())
            .collect(),
        None if expect.get("inbox").is_some() || expect.get("inbox_count").is_some() => {
            return Err("inbox expected, but no phone number".into())
        }
        None => Vec::new(),
    };
    if let Some(want) = expect.get("inbox").and_then(Value::as_array) {
        if inbox.len() != want.len() {
            return Err(format!(
                "inbox has {} messages, want {}",
                inbox.len(),
                want.len()
            ));
        }
        for (got, want) in inbox.iter().zip(want) {
            for (key, value) in want.as_object().unwrap() {
                if &got[key] != value {
                    return Err(format!("inbox {key}: got {}, want {value}", got[key]));
                }
            }
        }
    }
    if let Some(n) = expect.get("inbox_count").and_then(Value::as_u64) {
        if inbox.len() as u64 != n {
            return Err(format!("inbox has {} messages, want {n}", inbox.len()));
        }
    }
    if let Some(want) = expect.get("fault_hits") {
        let hits: Vec<u32> = emu.faults().iter().map(|f| f.hits).collect();
        if &serde_json::to_value(&hits).unwrap() != want {
            return Err(format!("fault hits {hits:?}, want {want}"));
        }
    }
    emu.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_case_passes_in_rust() {
    let paths = cases();
    let files = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".json")
        })
        .count();
    assert!(files > 0, "no shared cases");
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in &paths {
        ran += 1;
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if let Err(why) = run(&case).await {
            failures.push(format!(
                "{}: {why}",
                path.file_stem().unwrap().to_string_lossy()
            ));
        }
    }
    assert_eq!(ran, files, "cases run vs files in tests/cases");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
