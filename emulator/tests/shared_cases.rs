//! Runs every shared case of tests/cases/ through the Rust surface (the core client against
//! the emulator, the hostile test server, or a closed port). All cases run; none can be skipped.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use hostile::{Behaviour, Hostile};
use serde_json::{Map, Value};
use sms_otp::{Attributes, ClientBuilder, Locale, SendRequest};

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

/// What converting the case's JSON request into the typed request gave.
enum Converted {
    Request(SendRequest),
    /// The Rust equivalent of a TypeError: the value cannot be expressed in the typed request.
    TypeError(String),
    /// A value that has the right type but is refused by the core (an unknown locale tag).
    Invalid(sms_otp::Error),
}

fn text(map: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(field.to_owned()),
    }
}

fn convert(request: &Value) -> Converted {
    let map = request.as_object().unwrap();
    let known = [
        "phone_number",
        "expiration_minutes",
        "attributes",
        "locale",
        "user_id",
        "session_token",
        "session_jwt",
    ];
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Converted::TypeError(unknown.clone());
    }
    let attempt = || -> Result<Result<SendRequest, sms_otp::Error>, String> {
        let phone_number = text(map, "phone_number")?.ok_or("phone_number")?;
        let expiration_minutes = match map.get("expiration_minutes") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.is_i64() => {
                let n = n.as_i64().unwrap();
                Some(i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX }))
            }
            Some(_) => return Err("expiration_minutes".to_owned()),
        };
        let attributes = match map.get("attributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(a)) => Some(Attributes {
                ip_address: text(a, "ip_address").map_err(|f| format!("attributes.{f}"))?,
                user_agent: text(a, "user_agent").map_err(|f| format!("attributes.{f}"))?,
            }),
            Some(_) => return Err("attributes".to_owned()),
        };
        let locale = match text(map, "locale")? {
            None => None,
            Some(tag) => match tag.parse::<Locale>() {
                Ok(locale) => Some(locale),
                Err(e) => return Ok(Err(e)),
            },
        };
        Ok(Ok(SendRequest {
            phone_number,
            expiration_minutes,
            attributes,
            locale,
            user_id: text(map, "user_id")?,
            session_token: text(map, "session_token")?,
            session_jwt: text(map, "session_jwt")?,
        }))
    };
    match attempt() {
        Ok(Ok(request)) => Converted::Request(request),
        Ok(Err(error)) => Converted::Invalid(error),
        Err(field) => Converted::TypeError(field),
    }
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

/// Builds the client and sends, checking the outcome part of `expect`.
async fn call(case: &Value, url: &str, project_id: &str, secret: &str) -> Result<(), String> {
    let expect = &expectation(case);
    let built = builder(&case["client"], url, project_id, secret).and_then(ClientBuilder::build);
    if let Some(want) = expect.get("configuration_error") {
        let error = built.err().ok_or("the client was built")?;
        return check_error(&error, want);
    }
    let client = built.map_err(|e| format!("client: {e}"))?;
    let outcome = match convert(&case["request"]) {
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
        Converted::Request(request) => client.otps.sms.send(request).await,
    };
    match (outcome, expect.get("error"), expect.get("ok")) {
        (Err(error), Some(want), _) => check_error(&error, want),
        (Ok(resp), _, Some(want)) => {
            if want["status_code"].as_u64() != Some(u64::from(resp.status_code)) {
                return Err(format!("status {}", resp.status_code));
            }
            match want.get("raw_has").and_then(Value::as_str) {
                Some(key) if !resp.raw.contains_key(key) => Err(format!("raw lacks {key}")),
                _ => Ok(()),
            }
        }
        (Err(error), None, _) => Err(format!("unexpected error {error:?}")),
        (Ok(resp), _, None) => Err(format!("unexpected success {resp:?}")),
    }
}

fn behaviour(step: &Value) -> Behaviour {
    Behaviour::from_case_step(step).unwrap()
}

async fn run(case: &Value) -> Result<(), String> {
    let server = &case["server"];
    let expect = &expectation(case);
    if let Some(script) = server.get("hostile").and_then(Value::as_array) {
        let hostile = Hostile::start(script.iter().map(behaviour).collect()).await;
        call(case, &hostile.url(), PROJECT_ID, SECRET).await?;
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
        return call(
            case,
            &format!("http://127.0.0.1:{port}"),
            PROJECT_ID,
            SECRET,
        )
        .await;
    }
    let emu = sms_otp_emulator::Emulator::start(sms_otp_emulator::Config::default())
        .await
        .unwrap();
    let setup_client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .build()
        .unwrap();
    for step in server["emulator"]["setup"].as_array().unwrap() {
        if let Some(send) = step.get("send") {
            let Converted::Request(request) = convert(send) else {
                panic!("bad setup send")
            };
            setup_client
                .otps
                .sms
                .send(request)
                .await
                .map_err(|e| format!("setup: {e}"))?;
        } else {
            emu.advance_clock(Duration::from_secs(step["advance_clock"].as_u64().unwrap()));
        }
    }
    for spec in server["emulator"]["faults"].as_array().unwrap() {
        emu.inject_fault(serde_json::from_value(spec.clone()).unwrap())
            .unwrap();
    }
    call(case, &emu.url(), emu.project_id(), emu.secret()).await?;
    let phone = case["request"]["phone_number"].as_str().unwrap();
    let inbox: Vec<Value> = emu
        .messages(Some(phone))
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
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
