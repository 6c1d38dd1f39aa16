//! The test suites' hostile HTTP/1.1 server: it answers each request with a scripted
//! behaviour (a status and body, a stall, a slow drip, a reset, a huge body, bytes that are
//! not HTTP, …) and records exactly what arrived on the wire; and a refusing proxy, a port
//! that refuses connections for a while and then forwards to another server.
//!
//! One implementation for every suite: the Rust tests compile this file into their test
//! crates as a module (`#[path]`, so that no published crate depends on a test crate) and use
//! it in-process; the Python and Node tests start the `sms-otp-hostile` binary (src/main.rs)
//! and drive it over its control endpoint. Behaviours are data (JSON, [`Behaviour::from_json`]), so the fault
//! matrix (tests/fault-matrix.json) and the secret sweep (tests/secret-inputs.json) declare
//! theirs once for all three languages.
//!
//! Behaviours (`kind` in JSON):
//! - `respond`: a status, headers and a body, in a single write (`ok`, `stytch_error` and
//!   `json` are shorthands); keep-alive, the next request on the connection is read.
//! - `stall`: read the request, never answer (until the client goes away).
//! - `drip`: announce `total` bytes, then send one every `every_ms`.
//! - `reset`: read the request, then reset the connection (RST, SO_LINGER 0).
//! - `close`: read the request, then close cleanly (FIN) without answering.
//! - `huge`: a `total`-byte body with Content-Length; `huge_chunked`: the same, chunked.
//! - `raw`: these bytes as the whole answer, then FIN (not HTTP, truncated, HTTP/2, …).
//! - `ok_then_half_close`: answer `ok`, then FIN but keep reading: later requests on the
//!   connection are recorded and never answered.
//! - `ok_then_close`: answer `ok`, then FIN; data arriving later is answered with a reset.
//! - `echo_auth`: a 400 Stytch error whose message repeats the Authorization header and the
//!   body it received (the redaction tests); `echo`: `respond` with `{authorization}` and
//!   `{body}` in its body replaced by the request's.
//! - `route`: the first of `routes` whose `path` / `body_contains` match the request, or
//!   `otherwise`.
//!
//! Listeners: plain ([`Hostile::start`]), TLS ([`Hostile::start_tls`]), refusing until opened
//! (bound, not listening: the kernel answers RST; [`Hostile::start_refusing`],
//! [`Hostile::open_after`]), and the refusing proxy ([`RefusingProxy`]).
#![allow(clippy::unwrap_used, clippy::expect_used)] // A poisoned lock in a test server is a failed test.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// The body of `ok`: a successful send.
pub const OK_BODY: &str = r#"{"request_id":"request-id-test-1","user_id":"user-test-1","phone_id":"phone-number-test-1","status_code":200,"extra":{"kept":true}}"#;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Answer with this status, extra headers and body, in a single write.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then never answer (until the client goes away).
    Stall,
    /// Send headers announcing `total` bytes, then one byte every `every`.
    Drip { every: Duration, total: usize },
    /// Read the request, then reset the connection (RST, via SO_LINGER 0).
    Reset,
    /// Read the request, then close cleanly without answering.
    Close,
    /// Announce a chunked body and stream `total` bytes of it.
    HugeChunked { total: usize },
    /// Announce `total` bytes with Content-Length and send them (spaces).
    Huge { total: usize },
    /// Answer like `ok()`, then shut down the sending half (FIN) but keep reading: later
    /// requests on this connection are recorded and never answered.
    OkThenHalfClose,
    /// Answer like `ok()` (keep-alive), then FIN; anything arriving later gets a reset.
    OkThenClose,
    /// Write these bytes as the whole answer, then close the connection.
    Raw(Vec<u8>),
    /// `ok()` whose request_id carries the request's number (1, 2, …), so that every answer
    /// is told apart; `extra` fields are added to the body.
    OkNumbered {
        extra: serde_json::Map<String, Value>,
    },
    /// A 400 Stytch error whose message repeats the Authorization header and the body.
    EchoAuth,
    /// `Respond`, with `{authorization}` and `{body}` in the body replaced by the request's.
    Echo {
        status: u16,
        headers: Vec<(String, String)>,
        template: String,
    },
    /// The first route whose conditions hold for the request, else `otherwise`.
    Route {
        routes: Vec<Route>,
        otherwise: Box<Behaviour>,
    },
}

/// One conditional answer of [`Behaviour::Route`]: every condition given must hold.
#[derive(Clone, Debug)]
pub struct Route {
    pub path: Option<String>,
    pub body_contains: Option<String>,
    pub then: Behaviour,
}

impl Behaviour {
    pub fn json(status: u16, body: &str) -> Behaviour {
        Behaviour::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Behaviour {
        match self {
            Behaviour::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Behaviour::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }

    pub fn ok() -> Behaviour {
        Behaviour::json(200, OK_BODY)
    }

    pub fn stytch_error(status: u16, error_type: &str, message: &str) -> Behaviour {
        Behaviour::json(status, &stytch_error_body(status, error_type, message))
    }

    /// A behaviour from its JSON form (see the crate documentation); `Err` names what is
    /// wrong with it.
    pub fn from_json(spec: &Value) -> Result<Behaviour, String> {
        let kind = spec
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("a behaviour needs a \"kind\": {spec}"))?;
        let usize_of = |name: &str| -> Result<usize, String> {
            spec.get(name)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("{kind}: \"{name}\" must be a count"))
        };
        let status = || -> Result<u16, String> {
            spec.get("status")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| format!("{kind}: \"status\" must be a status code"))
        };
        let headers = || -> Result<Vec<(String, String)>, String> {
            let Some(list) = spec.get("headers") else {
                return Ok(Vec::new());
            };
            list.as_array()
                .ok_or_else(|| format!("{kind}: \"headers\" must be [[name, value], …]"))?
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                    _ => Err(format!("{kind}: a header must be [name, value]: {pair}")),
                })
                .collect()
        };
        Ok(match kind {
            "respond" => Behaviour::Respond {
                status: status()?,
                headers: headers()?,
                body: match spec.get("body") {
                    Some(body) => bytes_from_json(body)?,
                    None => Vec::new(),
                },
            },
            "ok" => {
                let extra = match spec.get("extra") {
                    Some(Value::Object(extra)) => extra.clone(),
                    None | Some(Value::Null) => serde_json::Map::new(),
                    Some(other) => return Err(format!("ok: \"extra\" is an object, not {other}")),
                };
                let numbered = Behaviour::OkNumbered { extra };
                if spec.get("numbered").and_then(Value::as_bool) == Some(true) {
                    numbered
                } else {
                    numbered.resolve_numbered(None)
                }
            }
            "stytch_error" => {
                let status = status()?;
                let error_type = spec
                    .get("error_type")
                    .and_then(Value::as_str)
                    .ok_or("stytch_error: \"error_type\" is required")?;
                let message = spec
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("the {error_type} message"), str::to_owned);
                let mut b = Behaviour::stytch_error(status, error_type, &message);
                for (n, v) in headers()? {
                    b = b.with_header(&n, &v);
                }
                b
            }
            "stall" => Behaviour::Stall,
            "drip" => Behaviour::Drip {
                every: Duration::from_millis(usize_of("every_ms")? as u64),
                total: usize_of("total")?,
            },
            "reset" => Behaviour::Reset,
            "close" => Behaviour::Close,
            "huge" => Behaviour::Huge {
                total: usize_of("total")?,
            },
            "huge_chunked" => Behaviour::HugeChunked {
                total: usize_of("total")?,
            },
            "raw" => Behaviour::Raw(bytes_from_json(
                spec.get("bytes").ok_or("raw: \"bytes\" is required")?,
            )?),
            "ok_then_half_close" => Behaviour::OkThenHalfClose,
            "ok_then_close" => Behaviour::OkThenClose,
            "echo_auth" => Behaviour::EchoAuth,
            "echo" => Behaviour::Echo {
                status: status()?,
                headers: headers()?,
                template: spec
                    .get("body")
                    .and_then(Value::as_str)
                    .ok_or("echo: \"body\" is a template string")?
                    .to_owned(),
            },
            "route" => {
                let routes = spec
                    .get("routes")
                    .and_then(Value::as_array)
                    .ok_or("route: \"routes\" must be a list")?
                    .iter()
                    .map(|r| {
                        Ok(Route {
                            path: r.get("path").and_then(Value::as_str).map(str::to_owned),
                            body_contains: r
                                .get("body_contains")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            then: Behaviour::from_json(
                                r.get("then").ok_or("route: each route needs \"then\"")?,
                            )?,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                let otherwise = match spec.get("otherwise") {
                    Some(o) => Behaviour::from_json(o)?,
                    None => Behaviour::ok(),
                };
                Behaviour::Route {
                    routes,
                    otherwise: Box::new(otherwise),
                }
            }
            other => return Err(format!("unknown behaviour kind {other:?}")),
        })
    }

    /// A step of a shared case's `server.hostile` list (tests/cases/README.md):
    /// `{"stall"|"reset"|"close"|"huge": true}`, or `{"respond": status, "stytch_error":
    /// type}`, `{"respond": status, "text": body}`, `{"respond": 200}` (`ok`), `{"respond":
    /// status}` (a `bad_request` error), each with optional `"headers": {name: value}`. The
    /// Rust, Python and Node case runners hand the steps to the server as they are.
    pub fn from_case_step(step: &Value) -> Result<Behaviour, String> {
        for (kind, b) in [
            ("stall", Behaviour::Stall),
            ("reset", Behaviour::Reset),
            ("close", Behaviour::Close),
            (
                "huge",
                Behaviour::HugeChunked {
                    total: 3 * 1024 * 1024,
                },
            ),
        ] {
            if step.get(kind).and_then(Value::as_bool) == Some(true) {
                return Ok(b);
            }
        }
        let status = step
            .get("respond")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| format!("a case step needs \"respond\": status: {step}"))?;
        let mut b = match (
            step.get("stytch_error").and_then(Value::as_str),
            step.get("text").and_then(Value::as_str),
        ) {
            (Some(error_type), _) => Behaviour::stytch_error(status, error_type, "Something."),
            (None, Some(text)) => Behaviour::Respond {
                status,
                headers: vec![],
                body: text.as_bytes().to_vec(),
            },
            (None, None) if status == 200 => Behaviour::ok(),
            (None, None) => Behaviour::stytch_error(status, "bad_request", "Something."),
        };
        for (name, value) in step
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let value = value.as_str().ok_or("header values are strings")?;
            b = b.with_header(name, value);
        }
        Ok(b)
    }

    /// A script from a JSON list of behaviours.
    pub fn script_from_json(spec: &Value) -> Result<Vec<Behaviour>, String> {
        let list = spec.as_array().ok_or("a script is a list of behaviours")?;
        if list.is_empty() {
            return Err("a script needs at least one behaviour".into());
        }
        list.iter().map(Behaviour::from_json).collect()
    }

    fn resolve_numbered(&self, n: Option<usize>) -> Behaviour {
        let Behaviour::OkNumbered { extra } = self else {
            return self.clone();
        };
        let mut body: Value = serde_json::from_str(OK_BODY).unwrap();
        if let Some(n) = n {
            body["request_id"] = Value::String(format!(
                "request-id-test-{n:08}-0000-0000-0000-000000000000"
            ));
        }
        for (k, v) in extra {
            body[k] = v.clone();
        }
        Behaviour::json(200, &body.to_string())
    }

    /// The behaviour that answers `request`, the `n`th (from 1) of its server (a route picks
    /// one of its own).
    fn resolve(&self, request: &Recorded, n: usize) -> Behaviour {
        match self {
            Behaviour::OkNumbered { .. } => self.resolve_numbered(Some(n)),
            Behaviour::Route { routes, otherwise } => routes
                .iter()
                .find(|r| {
                    r.path.as_deref().is_none_or(|p| p == request.path)
                        && r.body_contains.as_deref().is_none_or(|needle| {
                            String::from_utf8_lossy(&request.body).contains(needle)
                        })
                })
                .map_or(otherwise.as_ref(), |r| &r.then)
                .resolve(request, n),
            Behaviour::EchoAuth => Behaviour::stytch_error(
                400,
                "bad_request",
                &format!(
                    "you sent {} {}",
                    request.header("authorization").unwrap_or(""),
                    String::from_utf8_lossy(&request.body)
                ),
            ),
            Behaviour::Echo {
                status,
                headers,
                template,
            } => Behaviour::Respond {
                status: *status,
                headers: headers.clone(),
                body: template
                    .replace(
                        "{authorization}",
                        request.header("authorization").unwrap_or(""),
                    )
                    .replace("{body}", &String::from_utf8_lossy(&request.body))
                    .into_bytes(),
            },
            other => other.clone(),
        }
    }
}

/// A Stytch error body, as the API documents it (its fields in that order).
pub fn stytch_error_body(status: u16, error_type: &str, message: &str) -> String {
    let text = |v: &str| Value::String(v.to_owned()).to_string();
    format!(
        "{{\"status_code\":{status},\"request_id\":{},\"error_type\":{},\"error_message\":{},\"error_url\":{}}}",
        text("request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141"),
        text(error_type),
        text(message),
        text(&format!("https://stytch.com/docs/api/errors/{status}")),
    )
}

/// Bytes from JSON: a string (its UTF-8); `{"json": value, "escape": "none" | "ascii" |
/// "all", "half": bool}` (the value as JSON text: non-ASCII characters as they are, as
/// `\uXXXX`, or every character of every string as `\uXXXX`; `half` keeps the first half);
/// or a list of parts, each `{"text": …}` (UTF-8), `{"latin1": …}` (one byte per character)
/// or `{"hex": …}`, with an optional `"repeat": n` (in a repeated text part, `{i}` becomes
/// 0, 1, …).
pub fn bytes_from_json(spec: &Value) -> Result<Vec<u8>, String> {
    match spec {
        Value::String(text) => Ok(text.as_bytes().to_vec()),
        Value::Object(spec) if spec.contains_key("json") => {
            let value = &spec["json"];
            let text = match spec.get("escape").and_then(Value::as_str).unwrap_or("none") {
                "none" => value.to_string(),
                "ascii" => value
                    .to_string()
                    .chars()
                    .map(|c| {
                        if c.is_ascii() {
                            c.to_string()
                        } else {
                            let mut units = [0u16; 2];
                            c.encode_utf16(&mut units)
                                .iter()
                                .map(|u| format!("\\u{u:04x}"))
                                .collect()
                        }
                    })
                    .collect(),
                "all" => escape_everything(value),
                other => return Err(format!("escape is none, ascii or all, not {other:?}")),
            };
            let mut bytes = text.into_bytes();
            if spec.get("half").and_then(Value::as_bool).unwrap_or(false) {
                bytes.truncate(bytes.len() / 2);
            }
            Ok(bytes)
        }
        Value::Array(parts) => {
            let mut out = Vec::new();
            for part in parts {
                let repeat = part.get("repeat").and_then(Value::as_u64);
                let once: Vec<u8> = if let Some(text) = part.get("text").and_then(Value::as_str) {
                    if repeat.is_some() && text.contains("{i}") {
                        for i in 0..repeat.unwrap_or(1) {
                            out.extend_from_slice(text.replace("{i}", &i.to_string()).as_bytes());
                        }
                        continue;
                    }
                    text.as_bytes().to_vec()
                } else if let Some(text) = part.get("latin1").and_then(Value::as_str) {
                    text.chars()
                        .map(|c| {
                            u8::try_from(u32::from(c)).map_err(|_| format!("not latin-1: {c:?}"))
                        })
                        .collect::<Result<_, _>>()?
                } else if let Some(hex) = part.get("hex").and_then(Value::as_str) {
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| {
                            hex.get(i..i + 2)
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                                .ok_or_else(|| format!("bad hex {hex:?}"))
                        })
                        .collect::<Result<_, _>>()?
                } else {
                    return Err(format!("a byte part needs text, latin1 or hex: {part}"));
                };
                for _ in 0..repeat.unwrap_or(1) {
                    out.extend_from_slice(&once);
                }
            }
            Ok(out)
        }
        other => Err(format!(
            "bytes are a string or a list of parts, not {other}"
        )),
    }
}

/// `value` as JSON text whose strings (keys included) are all `\uXXXX` escapes.
fn escape_everything(value: &Value) -> String {
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

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub version: String,
    /// In wire order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn to_json(&self) -> Value {
        json!({
            "method": self.method,
            "path": self.path,
            "version": self.version,
            "headers": self.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "body": String::from_utf8_lossy(&self.body),
        })
    }
}

#[derive(Default)]
struct Script {
    behaviours: Vec<Behaviour>,
    /// Requests recorded before this script was set: request `base + n` gets entry `n`.
    base: usize,
}

#[derive(Default)]
struct Shared {
    script: Mutex<Script>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    /// Connections that ended, from either side.
    closed: AtomicUsize,
    /// Stalled connections the client closed.
    closed_by_client: AtomicUsize,
    opened: AtomicUsize,
    changed: Notify,
}

impl Shared {
    fn new(script: Vec<Behaviour>) -> Arc<Shared> {
        Arc::new(Shared {
            script: Mutex::new(Script {
                behaviours: script,
                base: 0,
            }),
            ..Shared::default()
        })
    }

    fn bump(&self, counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    fn record(&self, request: Recorded) {
        self.requests.lock().unwrap().push(request);
        self.changed.notify_waiters();
    }
}

/// Counts a [`Hostile::wait_for`] waits for; `None` is no condition.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want {
    pub requests: Option<usize>,
    pub connections: Option<usize>,
    pub closed: Option<usize>,
    pub closed_by_client: Option<usize>,
    pub opened: bool,
}

/// A running hostile server on 127.0.0.1; it stops (its connections too) when dropped.
pub struct Hostile {
    pub port: u16,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    pending_socket: Mutex<Option<socket2::Socket>>,
    kind: ListenerKind,
}

#[derive(Clone)]
enum ListenerKind {
    Plain,
    Tls(tokio_rustls::TlsAcceptor),
    Proxy(SocketAddr),
}

impl std::fmt::Debug for Hostile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hostile").field("port", &self.port).finish()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

impl Hostile {
    /// Serves plain HTTP; request `n` gets `script[n]` (the last entry repeats).
    pub async fn start(script: Vec<Behaviour>) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Hostile::new(
            script,
            listener.local_addr().unwrap().port(),
            ListenerKind::Plain,
        );
        server.accept(listener);
        server
    }

    /// Serves TLS with `acceptor`, same script semantics.
    pub async fn start_tls(script: Vec<Behaviour>, acceptor: tokio_rustls::TlsAcceptor) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Hostile::new(
            script,
            listener.local_addr().unwrap().port(),
            ListenerKind::Tls(acceptor),
        );
        server.accept(listener);
        server
    }

    /// Like `start`, but the port refuses connections (bound, not listening: the kernel
    /// answers RST) until `opens_after` has passed (never, with `None`: call
    /// [`Hostile::open_after`] later), so a client's first attempts fail in the connect phase.
    pub async fn start_refusing(script: Vec<Behaviour>, opens_after: Option<Duration>) -> Hostile {
        Hostile::refusing(script, ListenerKind::Plain, opens_after)
    }

    fn refusing(
        script: Vec<Behaviour>,
        kind: ListenerKind,
        opens_after: Option<Duration>,
    ) -> Hostile {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&addr.into()).unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        let server = Hostile::new(script, port, kind);
        *server.pending_socket.lock().unwrap() = Some(socket);
        if let Some(after) = opens_after {
            server.open_after(after);
        }
        server
    }

    fn new(script: Vec<Behaviour>, port: u16, kind: ListenerKind) -> Hostile {
        Hostile {
            port,
            shared: Shared::new(script),
            stop: watch::channel(false).0,
            pending_socket: Mutex::new(None),
            kind,
        }
    }

    /// Starts listening on a refusing server's port `after` from now (once; later calls and
    /// calls on a listening server do nothing).
    pub fn open_after(&self, after: Duration) {
        let Some(socket) = self.pending_socket.lock().unwrap().take() else {
            return;
        };
        let (shared, kind, mut stop) = (
            self.shared.clone(),
            self.kind.clone(),
            self.stop.subscribe(),
        );
        let stop_tx = self.stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(after) => {}
                _ = stop.changed() => return,
            }
            socket.listen(1024).unwrap();
            socket.set_nonblocking(true).unwrap();
            let listener = TcpListener::from_std(socket.into()).unwrap();
            shared.bump(&shared.opened);
            accept_loop(listener, shared, kind, stop_tx).await;
        });
    }

    fn accept(&self, listener: TcpListener) {
        self.shared.bump(&self.shared.opened);
        tokio::spawn(accept_loop(
            listener,
            self.shared.clone(),
            self.kind.clone(),
            self.stop.clone(),
        ));
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn seen(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    pub fn closed(&self) -> usize {
        self.shared.closed.load(Ordering::SeqCst)
    }

    pub fn closed_by_client(&self) -> usize {
        self.shared.closed_by_client.load(Ordering::SeqCst)
    }

    /// Replaces the script: the next request gets its first entry.
    pub fn set_script(&self, script: Vec<Behaviour>) {
        let base = self.seen();
        *self.shared.script.lock().unwrap() = Script {
            behaviours: script,
            base,
        };
    }

    /// Forgets the requests and counts so far, and answers `ok` again.
    pub fn clear(&self) {
        self.shared.requests.lock().unwrap().clear();
        *self.shared.script.lock().unwrap() = Script {
            behaviours: vec![Behaviour::ok()],
            base: 0,
        };
        self.shared.connections.store(0, Ordering::SeqCst);
        self.shared.closed.store(0, Ordering::SeqCst);
        self.shared.closed_by_client.store(0, Ordering::SeqCst);
    }

    /// Waits (on events, not by polling) until every count in `want` is reached; false when
    /// `timeout` passed first.
    pub async fn wait_for(&self, want: Want, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.reached(want) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                return self.reached(want);
            }
        }
    }

    fn reached(&self, want: Want) -> bool {
        let at_least = |want: Option<usize>, got: usize| want.is_none_or(|w| got >= w);
        at_least(want.requests, self.seen())
            && at_least(want.connections, self.connections())
            && at_least(want.closed, self.closed())
            && at_least(want.closed_by_client, self.closed_by_client())
            && (!want.opened || self.shared.opened.load(Ordering::SeqCst) > 0)
    }

    /// Everything a test reads, as JSON (the control endpoint's answer).
    pub fn state_json(&self) -> Value {
        json!({
            "port": self.port,
            "url": self.url(),
            "requests": self.requests().iter().map(Recorded::to_json).collect::<Vec<_>>(),
            "connections": self.connections(),
            "closed": self.closed(),
            "closed_by_client": self.closed_by_client(),
            "opened": self.shared.opened.load(Ordering::SeqCst) > 0,
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    kind: ListenerKind,
    stop: watch::Sender<bool>,
) {
    let mut stopped = stop.subscribe();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => return,
            },
            _ = stopped.changed() => return,
        };
        shared.bump(&shared.connections);
        let (shared, kind, mut stopped) = (shared.clone(), kind.clone(), stop.subscribe());
        tokio::spawn(async move {
            let work = serve_connection(stream, shared.clone(), kind);
            tokio::select! {
                () = work => {}
                _ = stopped.changed() => {}
            }
            shared.bump(&shared.closed);
        });
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, kind: ListenerKind) {
    stream.set_nodelay(true).ok();
    match kind {
        ListenerKind::Plain => {
            // Keep a handle that can set SO_LINGER 0 for resets.
            let std_stream = stream.into_std().unwrap();
            let linger_handle = std_stream.try_clone().ok();
            let stream = TcpStream::from_std(std_stream).unwrap();
            serve_stream(stream, shared, linger_handle).await;
        }
        ListenerKind::Tls(acceptor) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                serve_stream(tls, shared, None).await;
            }
        }
        ListenerKind::Proxy(upstream) => forward(stream, upstream).await,
    }
}

/// The reason phrase of a status (so a client that shows it shows a real one).
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

fn ok_bytes() -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{OK_BODY}",
        OK_BODY.len()
    )
    .into_bytes()
}

fn set_reset(linger: Option<&std::net::TcpStream>) {
    if let Some(handle) = linger {
        socket2::SockRef::from(handle)
            .set_linger(Some(Duration::ZERO))
            .ok();
    }
}

async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    shared: Arc<Shared>,
    linger: Option<std::net::TcpStream>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let (behaviour, number) = {
            let mut requests = shared.requests.lock().unwrap();
            requests.push(request.clone());
            let script = shared.script.lock().unwrap();
            let n = requests.len().saturating_sub(script.base + 1);
            (
                script.behaviours[n.min(script.behaviours.len() - 1)].clone(),
                requests.len(),
            )
        };
        shared.changed.notify_waiters();
        match behaviour.resolve(&request, number) {
            Behaviour::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\n",
                    reason(status),
                    body.len()
                );
                for (n, v) in headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str("\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
                if request
                    .header("connection")
                    .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                {
                    stream.shutdown().await.ok();
                    return;
                }
            }
            Behaviour::Stall => {
                // Wait until the client closes its side, and note that it did.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                shared.bump(&shared.closed_by_client);
                return;
            }
            Behaviour::Drip { every, total } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..total {
                    tokio::time::sleep(every).await;
                    if stream.write_all(b" ").await.is_err() {
                        return;
                    }
                }
                return;
            }
            Behaviour::Reset => {
                set_reset(linger.as_ref());
                return;
            }
            Behaviour::Close => {
                stream.shutdown().await.ok();
                return;
            }
            kind @ (Behaviour::OkThenHalfClose | Behaviour::OkThenClose) => {
                if stream.write_all(&ok_bytes()).await.is_err() {
                    return;
                }
                stream.flush().await.ok();
                stream.shutdown().await.ok();
                if matches!(kind, Behaviour::OkThenClose) {
                    // Closed: the first byte that still arrives is answered with a reset, as
                    // the kernel does for a closed socket; the client's FIN ends it quietly.
                    let mut one = [0u8; 1];
                    if matches!(stream.read(&mut one).await, Ok(n) if n > 0) {
                        set_reset(linger.as_ref());
                    }
                    return;
                }
                // Keep reading: whatever arrives is recorded, nothing is answered.
                while let Some(request) = read_request(&mut stream, &mut buffer).await {
                    shared.record(request);
                }
                return;
            }
            Behaviour::Raw(bytes) => {
                stream.write_all(&bytes).await.ok();
                stream.shutdown().await.ok();
                return;
            }
            Behaviour::Huge { total } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < total {
                    let n = block.len().min(total - sent);
                    if stream.write_all(&block[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                }
                return;
            }
            Behaviour::HugeChunked { total } => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                let mut sent = 0;
                while sent < total {
                    if stream.write_all(&frame).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
                stream.write_all(b"0\r\n\r\n").await.ok();
                return;
            }
            Behaviour::EchoAuth
            | Behaviour::Echo { .. }
            | Behaviour::Route { .. }
            | Behaviour::OkNumbered { .. } => {
                unreachable!("resolved above")
            }
        }
    }
}

/// Reads one request (headers + Content-Length body); `None` on EOF or garbage. `buffer`
/// keeps what arrived after it (a pipelined request).
pub async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> Option<Recorded> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    // Latin-1: every byte is a character, so no request is garbage for its encoding.
    let head: String = buffer[..head_end].iter().map(|&b| char::from(b)).collect();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let method = start.next()?.to_owned();
    let path = start.next()?.to_owned();
    let version = start.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Recorded {
        method,
        path,
        version,
        headers,
        body,
    })
}

/// A port that refuses connections (bound, not listening) until opened, then forwards every
/// connection to `upstream`, passing a reset on as a reset and a FIN as a FIN. Its
/// `connections` and `closed` counts are those of [`Hostile`]; it records no requests.
#[derive(Debug)]
pub struct RefusingProxy;

impl RefusingProxy {
    /// The proxy; it opens `opens_after` from now, or when [`Hostile::open_after`] is called.
    pub fn start(upstream: SocketAddr, opens_after: Option<Duration>) -> Hostile {
        Hostile::refusing(
            vec![Behaviour::ok()],
            ListenerKind::Proxy(upstream),
            opens_after,
        )
    }
}

async fn forward(client: TcpStream, upstream: SocketAddr) {
    let reset = |stream: &TcpStream| {
        let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
    };
    let Ok(server) = TcpStream::connect(upstream).await else {
        reset(&client);
        return;
    };
    server.set_nodelay(true).ok();
    let (mut client, mut server) = (client, server);
    if tokio::io::copy_bidirectional(&mut client, &mut server)
        .await
        .is_err()
    {
        // A reset on one side becomes a reset on the other.
        reset(&client);
        reset(&server);
    }
}

/// tests/fault-matrix.json, read for the Rust runners (core/tests/fault_matrix.rs and
/// emulator/tests/fault_matrix.rs); the Python and Node runners read the same file.
pub mod matrix {
    use std::time::Duration;

    use serde_json::Value;

    use super::Behaviour;

    /// What a row must end in.
    #[derive(Debug, Clone)]
    pub struct Expect {
        pub code: String,
        pub maybe_delivered: bool,
        pub status_code: Option<u16>,
        /// `connect` or `response`.
        pub phase: Option<String>,
        pub after_send: Option<bool>,
        pub retry_after: Option<Duration>,
        /// Requests that reached the server (emulator rows: the fault's hits).
        pub requests: usize,
        /// Messages the emulator recorded, once `settle` has passed after the error.
        pub messages: usize,
        pub settle: Duration,
        /// From the send to the error, at least and at most (first attempt).
        pub within: (Duration, Duration),
    }

    #[derive(Debug, Clone)]
    pub struct HostileRow {
        pub name: String,
        pub behaviour: Behaviour,
        pub expect: Expect,
    }

    #[derive(Debug, Clone)]
    pub struct EmulatorRow {
        pub name: String,
        /// A fault spec as the emulator's admin API takes it.
        pub fault: Value,
        pub retry_rate_limited: bool,
        pub expect: Expect,
    }

    #[derive(Debug, Clone)]
    pub struct FaultMatrix {
        pub timeout: Duration,
        pub hostile_connect_timeout: Duration,
        pub emulator_connect_timeout: Duration,
        pub max_retries_first_attempt: i64,
        pub max_retries_refused: i64,
        pub refused_for: Duration,
        pub refused_extra: Duration,
        pub emulator_fault_times: u32,
        pub hostile: Vec<HostileRow>,
        pub emulator: Vec<EmulatorRow>,
    }

    fn ms(v: &Value) -> Duration {
        Duration::from_millis(v.as_u64().expect("milliseconds"))
    }

    fn expect(v: &Value) -> Expect {
        let count = |name: &str| usize::try_from(v[name].as_u64().expect(name)).expect("count");
        Expect {
            code: v["code"].as_str().expect("code").to_owned(),
            maybe_delivered: v["maybe_delivered"].as_bool().expect("maybe_delivered"),
            status_code: v["status_code"]
                .as_u64()
                .map(|s| u16::try_from(s).expect("status")),
            phase: v["phase"].as_str().map(str::to_owned),
            after_send: v["after_send"].as_bool(),
            retry_after: v["retry_after_s"].as_u64().map(Duration::from_secs),
            requests: count("requests"),
            messages: count("messages"),
            settle: ms(&v["settle_ms"]),
            within: (ms(&v["within_ms"][0]), ms(&v["within_ms"][1])),
        }
    }

    /// The matrix; panics (a failed test) on a malformed file.
    pub fn load() -> FaultMatrix {
        // Relative to this file, so it holds wherever the module is compiled.
        let text = include_str!("../../fault-matrix.json");
        let doc: Value = serde_json::from_str(text).expect("tests/fault-matrix.json is JSON");
        let rows = |name: &str| doc[name].as_array().expect(name).clone();
        FaultMatrix {
            timeout: ms(&doc["timeout_ms"]),
            hostile_connect_timeout: ms(&doc["connect_timeout_ms"]["hostile"]),
            emulator_connect_timeout: ms(&doc["connect_timeout_ms"]["emulator"]),
            max_retries_first_attempt: doc["max_retries"]["first_attempt"].as_i64().expect("n"),
            max_retries_refused: doc["max_retries"]["refused"].as_i64().expect("n"),
            refused_for: ms(&doc["refused_for_ms"]),
            refused_extra: ms(&doc["refused_extra_ms"]),
            emulator_fault_times: u32::try_from(doc["emulator_fault_times"].as_u64().expect("n"))
                .expect("times"),
            hostile: rows("hostile")
                .iter()
                .map(|r| HostileRow {
                    name: r["name"].as_str().expect("name").to_owned(),
                    behaviour: Behaviour::from_json(&r["behaviour"])
                        .unwrap_or_else(|e| panic!("{}: {e}", r["name"])),
                    expect: expect(&r["expect"]),
                })
                .collect(),
            emulator: rows("emulator")
                .iter()
                .map(|r| EmulatorRow {
                    name: r["name"].as_str().expect("name").to_owned(),
                    fault: r["fault"].clone(),
                    retry_rate_limited: r["retry_rate_limited"].as_bool().expect("bool"),
                    expect: expect(&r["expect"]),
                })
                .collect(),
        }
    }
}
