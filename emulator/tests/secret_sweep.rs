//! Secret hygiene, Rust surface: every error path of the client, driven with the marker
//! credentials of `tests/secrets/marker.json`, must not show the secret in any form
//! (raw, JSON-escaped, percent-encoded, base64, the Basic header, a fragment of it) in
//! `Display`, `Debug`, any field or any `source()` of the error, in the client's `Debug`,
//! nor in anything the process prints, with every log record of the stack (reqwest, rustls,
//! hyper-util through tracing's `log` bridge) printed at trace level.
//!
//! `secret_sweep` re-runs this test binary as a child that runs only `sweep_child`, captures
//! its stdout and stderr, and scans them. `tests/secrets/run` runs the same child (and the
//! Python and Node sweeps) from the command line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../core/tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use sms_otp::{Attributes, Client, ClientBuilder, Error, SendRequest};
use sms_otp_emulator::{Config, Emulator, FaultKind, FaultSpec};
use support::{Behaviour, Hostile};

const CHILD_ENV: &str = "SMS_OTP_SECRET_SWEEP_CHILD";
const PHONE: &str = "+12025550162";

struct Marker {
    project_id: String,
    secret: String,
    forbidden: Vec<String>,
    echoes: Vec<String>,
}

fn marker() -> Marker {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/secrets/marker.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("marker.json")).expect("json");
    let list = |name: &str| -> Vec<String> {
        json[name]
            .as_array()
            .expect(name)
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect()
    };
    Marker {
        project_id: json["project_id"].as_str().expect("project_id").to_owned(),
        secret: json["secret"].as_str().expect("secret").to_owned(),
        forbidden: list("forbidden"),
        echoes: list("echoes"),
    }
}

/// Every forbidden form found in `text`, with a little context.
fn leaks(text: &str, forbidden: &[String]) -> Vec<String> {
    forbidden
        .iter()
        .filter_map(|form| {
            let at = text.find(form.as_str())?;
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let line: String = text[line_start..line_end].chars().take(300).collect();
            Some(format!("{form:?} in: {line}"))
        })
        .collect()
}

#[test]
fn secret_sweep() {
    let started = Instant::now();
    let marker = marker();
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "sweep_child",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run the sweep child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the sweep child failed: {}\n{stdout}\n{stderr}",
        output.status
    );
    let summary = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SWEEP DONE "))
        .unwrap_or_else(|| panic!("the child did not finish:\n{stdout}\n{stderr}"));
    let all = format!("{stdout}\n{stderr}");
    let found = leaks(&all, &marker.forbidden);
    assert!(found.is_empty(), "the secret leaked:\n{}", found.join("\n"));
    // The sweep must have reached every error kind, and the logger must have seen the stack.
    for kind in sms_otp::ErrorKind::ALL {
        assert!(
            stdout.contains(&format!("-> {} ", kind.code())),
            "no case ended in {kind}"
        );
    }
    assert!(stderr.contains("[log "), "no log record was captured");
    eprintln!(
        "secret sweep (Rust): {summary}; {} bytes of output scanned for {} forms in {:?}",
        all.len(),
        marker.forbidden.len(),
        started.elapsed()
    );
}

/// A `log` logger that prints every record, at every level, to stderr.
struct PrintAll;

impl log::Log for PrintAll {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        eprintln!(
            "[log {} {}] {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

static LOGGER: PrintAll = PrintAll;

/// Every rendering of an error an application could print or store.
fn render(err: &Error) -> String {
    let mut out = format!(
        "{err} | {err:?} | {err:#?} | code={} maybe_delivered={} attempts={} field={:?} reason={:?} \
         status={:?} request_id={:?} error_type={:?} error_message={:?} error_url={:?} \
         retry_after={:?} body={:?} body_json={:?} phase={:?} after_send={:?} root_cause={:?} io={:?}",
        err.code(),
        err.maybe_delivered(),
        err.attempts(),
        err.field(),
        err.reason(),
        err.status_code(),
        err.request_id(),
        err.error_type(),
        err.error_message(),
        err.error_url(),
        err.retry_after(),
        err.body(),
        err.body_json().map(ToString::to_string),
        err.phase(),
        err.after_send(),
        err.root_cause(),
        err.io_error_kind(),
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        write!(out, " | source: {s} | {s:?}").ok();
        source = s.source();
    }
    out
}

struct Sweep {
    marker: Marker,
    cases: usize,
}

impl Sweep {
    fn builder(&self, url: &str) -> ClientBuilder {
        Client::builder(&self.marker.project_id, &self.marker.secret)
            .base_url(url)
            .timeout(Duration::from_millis(400))
            .connect_timeout(Duration::from_millis(300))
            .max_retries(0)
    }

    fn record(&mut self, name: &str, result: Result<impl std::fmt::Debug, Error>) {
        self.cases += 1;
        match result {
            Err(err) => println!(
                "case {} {name} -> {} {}",
                self.cases,
                err.code(),
                render(&err)
            ),
            Ok(value) => panic!("case {name} did not fail: {value:?}"),
        }
    }

    async fn send(&mut self, name: &str, client: &Client, req: SendRequest) {
        println!("client {name}: {client:?} {:#?}", client.clone());
        let result = client.otps.sms.send(req).await;
        self.record(name, result);
    }

    /// The text a hostile server echoes: every whole encoding of the secret.
    fn echo(&self) -> String {
        format!("you sent {}", self.marker.echoes.join(" and "))
    }

    /// The echo limited to what may stand in a header value (ASCII, no spaces).
    fn header_echo(&self) -> String {
        self.marker
            .echoes
            .iter()
            .filter(|e| e.is_ascii() && !e.contains(' ') && !e.contains('"'))
            .cloned()
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn req(phone: &str) -> SendRequest {
    SendRequest {
        phone_number: phone.into(),
        ..Default::default()
    }
}

#[test]
#[ignore = "run by secret_sweep as a child process"]
fn sweep_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    log::set_logger(&LOGGER).expect("logger");
    log::set_max_level(log::LevelFilter::Trace);
    let mut sweep = Sweep {
        marker: marker(),
        cases: 0,
    };
    let started = Instant::now();
    from_env(&mut sweep);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&mut sweep));
    blocking_cases(&mut sweep);
    println!(
        "SWEEP DONE {} cases in {:?}",
        sweep.cases,
        started.elapsed()
    );
}

async fn run(s: &mut Sweep) {
    let (pid, secret) = (s.marker.project_id.clone(), s.marker.secret.clone());
    let emu = Emulator::start(Config {
        project_id: pid.clone(),
        secret: secret.clone(),
        rate_limit: 1,
        ..Config::default()
    })
    .await
    .expect("emulator");
    let client = s.builder(&emu.url()).build().expect("client");
    println!("client debug: {client:?} | {client:#?}");
    println!(
        "builder debug: {:?}",
        Client::builder(&pid, &secret).base_url(emu.url())
    );

    validation(s, &client).await;
    configuration(s, &emu.url());
    emulator_errors(s, &emu, &client).await;
    hostile(s).await;
    transport(s).await;
    emu.shutdown().await;
}

async fn validation(s: &mut Sweep, client: &Client) {
    let with = |f: &dyn Fn(&mut SendRequest)| {
        let mut r = req(PHONE);
        f(&mut r);
        r
    };
    let cases: Vec<(&str, SendRequest)> = vec![
        ("phone empty", req("")),
        ("phone no plus", req("12025550162")),
        ("phone spaces", req("+1 202 555 0162")),
        ("phone unassigned", req("+999123456")),
        ("phone leading zero", req("+0123456")),
        ("expiration 0", with(&|r| r.expiration_minutes = Some(0))),
        ("expiration 11", with(&|r| r.expiration_minutes = Some(11))),
        (
            "ip_address",
            with(&|r| {
                r.attributes = Some(Attributes {
                    ip_address: Some("300.1.1.1".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "user_agent",
            with(&|r| {
                r.attributes = Some(Attributes {
                    user_agent: Some("u".repeat(1025)),
                    ..Default::default()
                })
            }),
        ),
        ("user_id empty", with(&|r| r.user_id = Some(String::new()))),
        (
            "session_token empty",
            with(&|r| r.session_token = Some(String::new())),
        ),
        (
            "session_jwt empty",
            with(&|r| r.session_jwt = Some(String::new())),
        ),
        (
            "both sessions",
            with(&|r| {
                r.session_token = Some("t".into());
                r.session_jwt = Some("j".into());
            }),
        ),
    ];
    for (name, r) in cases {
        s.send(&format!("validation {name}"), client, r).await;
    }
    let restricted = client_allowing(s, client);
    s.send("validation country", &restricted, req("+442079460958"))
        .await;
    s.record(
        "normalize",
        sms_otp::normalize_phone_number("call me", "US"),
    );
    s.record(
        "normalize region",
        sms_otp::normalize_phone_number("202 555 0162", "ZZ"),
    );
}

fn client_allowing(s: &Sweep, client: &Client) -> Client {
    let _ = client;
    s.builder("http://127.0.0.1:9")
        .allowed_country_codes(["1"])
        .build()
        .expect("client")
}

fn configuration(s: &mut Sweep, url: &str) {
    let (pid, secret) = (s.marker.project_id.clone(), s.marker.secret.clone());
    let pct: String = s.marker.echoes[6].clone(); // percent-encoded secret
    for (name, bad_secret) in [
        ("secret empty", String::new()),
        ("secret blank", "   ".into()),
        ("secret newline", format!("{secret}\n")),
        ("secret crlf", format!("{secret}\r\n")),
        ("secret leading space", format!(" {secret}")),
        ("secret nul", format!("{secret}\0x")),
        ("secret tab inside", format!("{secret}\tx")),
    ] {
        s.record(
            name,
            Client::builder(&pid, bad_secret).base_url(url).build(),
        );
    }
    s.record(
        "project_id colon",
        Client::builder(format!("{pid}:{secret}"), &secret).build(),
    );
    for (name, base) in [
        ("base_url http remote", format!("http://example.com/{pct}")),
        (
            "base_url credentials",
            format!("https://user:{pct}@example.com"),
        ),
        (
            "base_url raw credentials",
            format!("https://{pid}:{secret}@example.com"),
        ),
        ("base_url query", format!("https://example.com/?s={pct}")),
        (
            "base_url fragment",
            format!("https://example.com/#{secret}"),
        ),
        ("base_url scheme", format!("ftp://example.com/{pct}")),
        ("base_url garbage", format!("not a url {secret}")),
        (
            "base_url bad port",
            format!("https://example.com:{secret}/"),
        ),
        ("base_url ipv6", format!("http://[::1{secret}]/")),
        (
            "base_url long host",
            format!("https://{}.example.com/{pct}", "a".repeat(64)),
        ),
    ] {
        s.record(name, Client::builder(&pid, &secret).base_url(base).build());
    }
    s.record(
        "environment",
        format!("staging-{secret}").parse::<sms_otp::Environment>(),
    );
    let b = || Client::builder(&pid, &secret).base_url(url);
    s.record("timeout zero", b().timeout(Duration::ZERO).build());
    s.record("timeout huge", b().timeout(Duration::MAX).build());
    s.record(
        "connect_timeout huge",
        b().connect_timeout(Duration::from_secs(86_401)).build(),
    );
    s.record("max_retries", b().max_retries(11).build());
    s.record("country codes", b().allowed_country_codes(["x1"]).build());
    s.record(
        "country codes empty",
        b().allowed_country_codes(Vec::<String>::new()).build(),
    );
    s.record(
        "user_agent_suffix",
        b().user_agent_suffix("bad\nsuffix").build(),
    );
    let dir = std::env::temp_dir().join(format!("sms-otp-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let pem = dir.join("bad.pem");
    std::fs::write(
        &pem,
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            s.echo()
        ),
    )
    .expect("write");
    s.record("ca_file garbage", b().ca_file(&pem).build());
    std::fs::write(&pem, s.echo()).expect("write");
    s.record("ca_file no pem", b().ca_file(&pem).build());
    s.record(
        "ca_file missing",
        b().ca_file(dir.join("missing.pem")).build(),
    );
    s.record("ca_file directory", b().ca_file(&dir).build());
    std::fs::remove_dir_all(&dir).ok();
}

/// A name, then STYTCH_PROJECT_ID, STYTCH_SECRET and STYTCH_BASE_URL (None: unset).
type EnvCase<'a> = (
    &'a str,
    Option<&'a str>,
    Option<std::ffi::OsString>,
    Option<String>,
);

fn from_env(s: &mut Sweep) {
    let (pid, secret) = (s.marker.project_id.clone(), s.marker.secret.clone());
    let pct = s.marker.echoes[6].clone();
    // Called before any runtime or server thread exists, in a child that runs one test
    // (--test-threads=1): nothing else can read the environment while it changes.
    let set = |p: Option<&str>, sec: Option<&std::ffi::OsStr>, url: Option<&str>| {
        match p {
            Some(v) => std::env::set_var("STYTCH_PROJECT_ID", v),
            None => std::env::remove_var("STYTCH_PROJECT_ID"),
        }
        match sec {
            Some(v) => std::env::set_var("STYTCH_SECRET", v),
            None => std::env::remove_var("STYTCH_SECRET"),
        }
        match url {
            Some(v) => std::env::set_var("STYTCH_BASE_URL", v),
            None => std::env::remove_var("STYTCH_BASE_URL"),
        }
    };
    let os = |t: String| std::ffi::OsString::from(t);
    use std::os::unix::ffi::OsStringExt as _;
    let not_utf8 = std::ffi::OsString::from_vec([secret.as_bytes(), b"\xff"].concat());
    let cases: Vec<EnvCase<'_>> = vec![
        ("env no project", None, Some(os(secret.clone())), None),
        ("env no secret", Some(&pid), None, None),
        (
            "env secret newline",
            Some(&pid),
            Some(os(format!("{secret}\n"))),
            None,
        ),
        (
            "env secret spaces",
            Some(&pid),
            Some(os(format!("  {secret}  "))),
            None,
        ),
        (
            "env secret empty",
            Some(&pid),
            Some(os(String::new())),
            None,
        ),
        ("env secret not utf-8", Some(&pid), Some(not_utf8), None),
        (
            "env project is the secret line",
            Some("project-test-x:y"),
            Some(os(secret.clone())),
            None,
        ),
        (
            "env base_url remote http",
            Some(&pid),
            Some(os(secret.clone())),
            Some(format!("http://example.com/{pct}")),
        ),
        (
            "env base_url credentials",
            Some(&pid),
            Some(os(secret.clone())),
            Some(format!("https://{pid}:{pct}@example.com/")),
        ),
        (
            "env base_url garbage",
            Some(&pid),
            Some(os(secret.clone())),
            Some(format!("::{secret}")),
        ),
    ];
    for (name, p, sec, url) in cases {
        set(p, sec.as_deref(), url.as_deref());
        s.record(
            name,
            ClientBuilder::from_env().and_then(ClientBuilder::build),
        );
    }
    set(None, None, None);
}

async fn emulator_errors(s: &mut Sweep, emu: &Emulator, client: &Client) {
    // Every row of the emulator's error table, as a fault.
    for (status, error_type) in [
        (400, "bad_request"),
        (400, "invalid_phone_number"),
        (400, "invalid_phone_number_country_code"),
        (400, "unsubscribed_phone_number"),
        (400, "invalid_expiration_otp"),
        (400, "invalid_locale"),
        (400, "invalid_user_id"),
        (400, "too_many_session_arguments"),
        (400, "duplicate_phone_number"),
        (400, "too_many_unverified_factors"),
        (401, "unauthorized_credentials"),
        (403, "captcha_required"),
        (404, "user_not_found"),
        (404, "session_not_found"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (408, "request_timeout"),
        (429, "too_many_requests"),
        (499, "client_closed_request"),
        (500, "internal_server_error"),
        (503, "server_unavailable"),
        (502, "internal_server_error"),
        (504, "internal_server_error"),
    ] {
        emu.inject_fault(FaultSpec {
            status: Some(status),
            error_type: Some(error_type.into()),
            retry_after: (status == 429 || status == 503).then_some(3),
            ..FaultSpec::default()
        })
        .expect("fault");
        s.send(
            &format!("emulator {status} {error_type}"),
            client,
            req(PHONE),
        )
        .await;
    }
    for (name, kind, status) in [
        ("reset before", FaultKind::ResetBeforeProcessing, None),
        ("process then reset", FaultKind::ProcessThenReset, None),
        ("malformed 502", FaultKind::MalformedBody, None),
        ("malformed 200", FaultKind::MalformedBody, Some(200)),
        ("stall", FaultKind::Stall, None),
    ] {
        emu.inject_fault(FaultSpec {
            kind: Some(kind),
            status,
            ..FaultSpec::default()
        })
        .expect("fault");
        s.send(&format!("emulator fault {name}"), client, req(PHONE))
            .await;
    }
    // Answers the emulator gives by itself.
    let wrong = Client::builder(&s.marker.project_id, format!("{}-wrong", s.marker.secret))
        .base_url(emu.url())
        .build()
        .expect("client");
    s.send("emulator 401 wrong secret", &wrong, req(PHONE))
        .await;
    let other = Client::builder("project-test-someone-else", &s.marker.secret)
        .base_url(emu.url())
        .build()
        .expect("client");
    s.send("emulator 401 wrong project", &other, req(PHONE))
        .await;
    s.send("emulator country", client, req("+442079460958"))
        .await;
    let limited = "+12025550199";
    client
        .otps
        .sms
        .send(req(limited))
        .await
        .expect("first send");
    s.send("emulator 429", client, req(limited)).await;
    let mut r = req("+12025550123");
    r.user_id = Some("user-test-00000000-0000-0000-0000-000000000000".into());
    s.send("emulator user_not_found", client, r).await;
    let mut r = req("+12025550124");
    r.session_token = Some(format!("token-{}", s.marker.echoes[6]));
    s.send("emulator session_not_found", client, r).await;
}

async fn hostile(s: &mut Sweep) {
    let echo = s.echo();
    let json_error = |status: u16| {
        serde_json::json!({
            "status_code": status,
            "request_id": "request-id-test-echo",
            "error_type": "echo",
            "error_message": echo,
            "error_url": format!("https://stytch.com/docs/api/errors/{status}"),
            "echo": { echo.clone(): [echo.clone(), { "nested": echo.clone() }] },
        })
        .to_string()
    };
    let mut behaviours: Vec<(String, Behaviour)> = Vec::new();
    for status in [400, 401, 403, 404, 418, 429, 500, 502, 503] {
        behaviours.push((
            format!("echo json {status}"),
            Behaviour::json(status, &json_error(status)).with_header("Retry-After", "2"),
        ));
    }
    // The same body with every character of every string written as \uXXXX.
    let parsed: serde_json::Value = serde_json::from_str(&json_error(400)).unwrap();
    behaviours.push((
        "echo json all-escaped".into(),
        Behaviour::json(400, &escape_everything(&parsed)),
    ));
    let html = format!("<html><body><h1>502</h1><pre>{echo}</pre></body></html>");
    for (name, status, ctype, body) in [
        ("echo html 502", 502, "text/html", html.clone()),
        ("echo html 400", 400, "text/html", html.clone()),
        ("echo html 200", 200, "text/html", html.clone()),
        ("echo text 401", 401, "text/plain", echo.clone()),
        (
            "echo json string 200",
            200,
            "application/json",
            serde_json::to_string(&echo).unwrap(),
        ),
        (
            "echo json string 500",
            500,
            "application/json",
            serde_json::to_string(&echo).unwrap(),
        ),
        (
            "echo 200 missing fields",
            200,
            "application/json",
            serde_json::json!({"request_id": echo, "status_code": 200}).to_string(),
        ),
        (
            "echo 200 array",
            200,
            "application/json",
            serde_json::json!([echo]).to_string(),
        ),
        (
            "echo json truncated",
            400,
            "application/json",
            json_error(400)[..json_error(400).len() / 2].to_owned(),
        ),
        (
            "echo huge",
            200,
            "application/json",
            format!("{echo}{}", " ".repeat(1_100_000)),
        ),
    ] {
        behaviours.push((
            name.into(),
            Behaviour::Respond {
                status,
                headers: vec![("Content-Type".into(), ctype.into())],
                body: body.into_bytes(),
            },
        ));
    }
    let location = format!("https://evil.example/{}", s.header_echo());
    for status in [301, 302, 307, 308] {
        behaviours.push((
            format!("redirect {status}"),
            Behaviour::Respond {
                status,
                headers: vec![("Location".into(), location.clone())],
                body: echo.clone().into_bytes(),
            },
        ));
    }
    behaviours.push((
        "raw garbage".into(),
        Behaviour::Raw(format!("NOT HTTP {echo}\r\n\r\n").into_bytes()),
    ));
    behaviours.push((
        "raw header echo".into(),
        Behaviour::Raw(
            format!(
                "HTTP/1.1 400 Bad\r\nX-Echo: {}\r\nContent-Length: 5\r\n\r\nshort",
                s.header_echo()
            )
            .into_bytes(),
        ),
    ));
    behaviours.push(("stall".into(), Behaviour::Stall));
    behaviours.push((
        "drip".into(),
        Behaviour::Drip {
            every: Duration::from_millis(50),
            total: 100,
        },
    ));
    behaviours.push(("reset".into(), Behaviour::Reset));
    behaviours.push(("close".into(), Behaviour::Close));
    behaviours.push(("huge chunked".into(), Behaviour::Huge { total: 2 << 20 }));
    for (name, behaviour) in behaviours {
        let server = Hostile::start(vec![behaviour]).await;
        let client = s.builder(&server.url()).build().expect("client");
        s.send(&format!("hostile {name}"), &client, req(PHONE))
            .await;
    }
}

/// `value` as JSON text whose strings (keys included) are all `\uXXXX` escapes.
fn escape_everything(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let string = |text: &str| {
        let escaped: String = text
            .encode_utf16()
            .map(|unit| format!("\\u{unit:04x}"))
            .collect();
        format!("\"{escaped}\"")
    };
    match value {
        Value::String(text) => string(text),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(escape_everything)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}:{}", string(k), escape_everything(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

async fn transport(s: &mut Sweep) {
    // Connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = s
        .builder(&format!("http://127.0.0.1:{port}"))
        .max_retries(1)
        .build()
        .unwrap();
    s.send("refused", &refused, req(PHONE)).await;
    // A TLS handshake that never completes: a connect timeout.
    let holder = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hold_port = holder.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((stream, _)) = holder.accept().await {
            kept.push(stream);
        }
    });
    let hanging = s
        .builder(&format!("https://localhost:{hold_port}"))
        .connect_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    s.send("connect timeout", &hanging, req(PHONE)).await;
    held.abort();
    // TLS spoken to a plain HTTP server: a handshake failure.
    let plain = Hostile::start(vec![Behaviour::ok()]).await;
    let tls_to_plain = s
        .builder(&format!("https://127.0.0.1:{}", plain.port))
        .build()
        .unwrap();
    s.send("tls to plain http", &tls_to_plain, req(PHONE)).await;
    // An untrusted certificate: the emulator over HTTPS with its own throwaway CA.
    let tls_emu = Emulator::start(Config {
        project_id: s.marker.project_id.clone(),
        secret: s.marker.secret.clone(),
        tls: true,
        ..Config::default()
    })
    .await
    .expect("tls emulator");
    let untrusted = s.builder(&tls_emu.url()).build().unwrap();
    s.send("untrusted certificate", &untrusted, req(PHONE))
        .await;
    tls_emu.shutdown().await;
}

fn blocking_cases(s: &mut Sweep) {
    let client = sms_otp::blocking::Client::builder(&s.marker.project_id, &s.marker.secret)
        .base_url("http://127.0.0.1:9")
        .max_retries(0)
        .connect_timeout(Duration::from_millis(200))
        .build();
    match client {
        Ok(client) => {
            println!("blocking client: {client:?}");
            s.record("blocking validation", client.otps.sms.send(req("nope")));
            s.record("blocking refused", client.otps.sms.send(req(PHONE)));
        }
        Err(e) => panic!("blocking client: {e}"),
    }
    // No request can make the library panic; the error a panic becomes is rendered here
    // (its message carries the panic's text, which never holds the secret).
    let panic = std::panic::catch_unwind(|| panic!("deliberate panic of the sweep"))
        .expect_err("it panics");
    s.record(
        "internal error",
        Err::<(), _>(Error::from_panic(panic.as_ref())),
    );
}
