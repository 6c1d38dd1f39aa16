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

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use hostile::{Behaviour, Hostile};
use serde_json::Value;
use sms_otp::{Attributes, Client, ClientBuilder, Error, SendRequest};
use sms_otp_emulator::{Config, Emulator, FaultSpec};

/// The hostile server (tests/hostile-server/src/lib.rs), compiled in.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/hostile-server/src/lib.rs"]
mod hostile;

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
    let rows = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SWEEP ROWS "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or_else(|| panic!("the child did not count its rows:\n{stdout}"));
    assert_eq!(
        rows,
        expected_rows(),
        "data rows run vs tests/secret-inputs.json + tests/emulator-errors.json"
    );
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
    /// Rows of tests/secret-inputs.json and tests/emulator-errors.json run.
    rows: usize,
    inputs: Value,
}

fn read_json(name: &str) -> Value {
    let path = format!("{}/../tests/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(name)).expect(name)
}

/// Whether a row of tests/secret-inputs.json is for this language.
fn for_rust(row: &Value) -> bool {
    row.get("only")
        .and_then(Value::as_array)
        .is_none_or(|only| only.iter().any(|l| l == "rust"))
}

/// The rows this sweep must run: its rows of every section, and the error table.
fn expected_rows() -> usize {
    let inputs = read_json("secret-inputs.json");
    let sections = ["requests", "clients", "env", "emulator_faults", "hostile"];
    let mine: usize = sections
        .iter()
        .map(|section| {
            inputs[section]
                .as_array()
                .expect(section)
                .iter()
                .filter(|row| for_rust(row))
                .count()
        })
        .sum();
    mine + read_json("emulator-errors.json")["rows"]
        .as_array()
        .expect("rows")
        .len()
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

    /// `text` with the placeholders of tests/secret-inputs.json filled in.
    fn fill(&self, text: &str) -> String {
        assert!(
            !text.contains("{lone_surrogate}") && !text.contains("{byte_ff}"),
            "not for Rust strings: {text:?}"
        );
        text.replace("{secret}", &self.marker.secret)
            .replace("{project_id}", &self.marker.project_id)
            .replace("{pct}", &self.marker.echoes[6])
            .replace("{header_echo}", &self.header_echo())
            .replace("{echo}", &self.echo())
    }

    /// `value` with every string (object keys too) filled in.
    fn fill_json(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.fill(text)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.fill(k), self.fill_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// This language's rows of a section of tests/secret-inputs.json.
    fn rows(&self, section: &str) -> Vec<Value> {
        self.inputs[section]
            .as_array()
            .expect(section)
            .iter()
            .filter(|row| for_rust(row))
            .cloned()
            .collect()
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
        rows: 0,
        inputs: read_json("secret-inputs.json"),
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
    println!("SWEEP ROWS {}", sweep.rows);
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

/// A request from a row's fields (over the default phone number).
fn request_of(fields: &Value) -> SendRequest {
    let mut r = req(PHONE);
    let text = |name: &str| fields[name].as_str().map(str::to_owned);
    for (name, value) in fields.as_object().expect("fields") {
        match name.as_str() {
            "phone_number" => r.phone_number = value.as_str().expect("phone").to_owned(),
            "expiration_minutes" => {
                r.expiration_minutes =
                    Some(i32::try_from(value.as_i64().expect("minutes")).expect("i32"));
            }
            "user_id" => r.user_id = text(name),
            "session_token" => r.session_token = text(name),
            "session_jwt" => r.session_jwt = text(name),
            "attributes" => {
                r.attributes = Some(Attributes {
                    ip_address: value["ip_address"].as_str().map(str::to_owned),
                    user_agent: value["user_agent"].as_str().map(str::to_owned),
                });
            }
            other => panic!("a request field Rust cannot send: {other}"),
        }
    }
    r
}

async fn validation(s: &mut Sweep, client: &Client) {
    for row in s.rows("requests") {
        let fields = s.fill_json(&row["fields"]);
        s.rows += 1;
        s.send(
            &format!("validation {}", row["name"].as_str().expect("name")),
            client,
            request_of(&fields),
        )
        .await;
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

/// A builder from a row's options, over the marker credentials and `url`. The typed API
/// refuses some loose values before the builder (an unknown environment, a NaN or negative
/// number of seconds, a negative retry count): those are the row's error.
fn builder_of(
    s: &Sweep,
    options: &Value,
    url: &str,
    dir: &std::path::Path,
) -> Result<ClientBuilder, Error> {
    let options = options.as_object().expect("client options");
    let text = |name: &str, default: &str| -> String {
        match options.get(name) {
            Some(Value::String(v)) => s.fill(v),
            Some(other) => panic!("{name}: a string for Rust, not {other}"),
            None => default.to_owned(),
        }
    };
    let mut b = Client::builder(
        text("project_id", &s.marker.project_id),
        text("secret", &s.marker.secret),
    );
    match options.get("base_url") {
        Some(Value::Null) => {}
        Some(Value::String(v)) => b = b.base_url(s.fill(v)),
        None => b = b.base_url(url),
        Some(other) => panic!("base_url {other}"),
    }
    let seconds = |name: &str, v: &Value| -> Result<Duration, Error> {
        let x = if v.get("$nan").is_some() {
            f64::NAN
        } else {
            v.as_f64().expect("seconds")
        };
        Duration::try_from_secs_f64(x).map_err(|_| {
            Error::configuration(name, "must be a finite, non-negative number of seconds")
        })
    };
    for (name, value) in options {
        b = match name.as_str() {
            "project_id" | "secret" | "base_url" => b,
            "custom_base_url" => b.custom_base_url(s.fill(value.as_str().expect("url"))),
            "environment" => b.environment(
                s.fill(value.as_str().expect("environment"))
                    .parse::<sms_otp::Environment>()?,
            ),
            "timeout" => b.timeout(seconds("timeout", value)?),
            "connect_timeout" => b.connect_timeout(seconds("connect_timeout", value)?),
            "max_retries" => b.max_retries(
                u32::try_from(value.as_i64().expect("retries"))
                    .map_err(|_| Error::configuration("max_retries", "must be from 0 to 10"))?,
            ),
            "allowed_country_codes" => b.allowed_country_codes(
                value
                    .as_array()
                    .expect("codes")
                    .iter()
                    .map(|c| c.as_str().expect("code").to_owned())
                    .collect::<Vec<_>>(),
            ),
            "user_agent_suffix" => b.user_agent_suffix(value.as_str().expect("suffix")),
            "ca_file" => {
                let path = dir.join("ca.pem");
                if let Some(contents) = value.get("$file").and_then(Value::as_str) {
                    std::fs::write(&path, s.fill(contents)).expect("write");
                    b.ca_file(path)
                } else if value.get("$missing_file").is_some() {
                    b.ca_file(dir.join("missing.pem"))
                } else if value.get("$directory").is_some() {
                    b.ca_file(dir)
                } else {
                    panic!("ca_file {value}")
                }
            }
            other => panic!("a client option Rust does not have: {other}"),
        };
    }
    Ok(b)
}

fn configuration(s: &mut Sweep, url: &str) {
    let dir = std::env::temp_dir().join(format!("sms-otp-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    for row in s.rows("clients") {
        let built = builder_of(s, &row["client"], url, &dir).and_then(ClientBuilder::build);
        s.rows += 1;
        s.record(row["name"].as_str().expect("name"), built);
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn from_env(s: &mut Sweep) {
    use std::os::unix::ffi::OsStringExt as _;
    // Called before any runtime or server thread exists, in a child that runs one test
    // (--test-threads=1): nothing else can read the environment while it changes.
    for row in s.rows("env") {
        for key in ["STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_BASE_URL"] {
            match row[key].as_str() {
                None => std::env::remove_var(key),
                Some(v) => {
                    let mut bytes = s.fill(&v.replace("{byte_ff}", "")).into_bytes();
                    if v.contains("{byte_ff}") {
                        bytes.push(0xff);
                    }
                    std::env::set_var(key, std::ffi::OsString::from_vec(bytes));
                }
            }
        }
        s.rows += 1;
        s.record(
            row["name"].as_str().expect("name"),
            ClientBuilder::from_env().and_then(ClientBuilder::build),
        );
    }
    for key in ["STYTCH_PROJECT_ID", "STYTCH_SECRET", "STYTCH_BASE_URL"] {
        std::env::remove_var(key);
    }
}

async fn emulator_errors(s: &mut Sweep, emu: &Emulator, client: &Client) {
    // Every row of the emulator's error table, as a fault.
    for row in read_json("emulator-errors.json")["rows"]
        .as_array()
        .expect("rows")
    {
        let status = u16::try_from(row["status"].as_u64().expect("status")).expect("status");
        let error_type = row["error_type"].as_str().expect("error_type");
        emu.inject_fault(FaultSpec {
            status: Some(status),
            error_type: Some(error_type.into()),
            retry_after: (status == 429 || status == 503).then_some(3),
            ..FaultSpec::default()
        })
        .expect("fault");
        s.rows += 1;
        s.send(
            &format!("emulator {status} {error_type}"),
            client,
            req(PHONE),
        )
        .await;
    }
    for row in s.rows("emulator_faults") {
        let spec: FaultSpec = serde_json::from_value(row["fault"].clone()).expect("fault spec");
        emu.inject_fault(spec).expect("fault");
        s.rows += 1;
        let name = format!("emulator fault {}", row["name"].as_str().expect("name"));
        s.send(&name, client, req(PHONE)).await;
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
    for row in s.rows("hostile") {
        let name = row["name"].as_str().expect("name");
        let behaviour = Behaviour::from_json(&s.fill_json(&row["behaviour"]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let server = Hostile::start(vec![behaviour]).await;
        let client = s.builder(&server.url()).build().expect("client");
        s.rows += 1;
        s.send(&format!("hostile {name}"), &client, req(PHONE))
            .await;
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
