//! A tiny raw HTTP/1.1 client over loopback TCP: it sees exactly what the server wrote (one
//! write or several, Content-Length, resets), and costs nothing to build.
#![allow(dead_code)]

use std::net::SocketAddr;

use base64::Engine as _;
use serde_json::Value;
use sms_otp_emulator::{Config, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PHONE: &str = "+12025550162";
pub const PHONE_2: &str = "+12025550163";
pub const SANDBOX: &str = "+10000000000";

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Bytes the first read returned.
    pub first_read: usize,
    /// Bytes of the whole response.
    pub total: usize,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn start() -> Emulator {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// A request with `Connection: close` and a Content-Length.
pub fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Writes `request`, reads until the server closes, parses the answer.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    read_reply(&mut stream).await
}

pub async fn read_reply(stream: &mut TcpStream) -> std::io::Result<Reply> {
    let mut buf = vec![0u8; 1 << 16];
    let first = stream.read(&mut buf).await?;
    buf.truncate(first);
    if first > 0 {
        stream.read_to_end(&mut buf).await?;
    }
    parse(buf, first)
}

/// Parses a whole response read some other way (over TLS, say).
pub fn parse_reply(buf: Vec<u8>) -> std::io::Result<Reply> {
    let first = buf.len();
    parse(buf, first)
}

fn parse(buf: Vec<u8>, first_read: usize) -> std::io::Result<Reply> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of head"))?;
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| bad("head not utf-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = buf[end + 4..].to_vec();
    let reply = Reply {
        status,
        headers,
        body,
        first_read,
        total: buf.len(),
    };
    let length: usize = reply
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("no content-length"))?;
    assert_eq!(length, reply.body.len(), "content-length matches the body");
    assert!(reply.header("transfer-encoding").is_none(), "not chunked");
    Ok(reply)
}

pub fn basic(user: &str, pass: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    format!("Basic {token}")
}

pub fn auth(emu: &Emulator) -> String {
    basic(emu.project_id(), emu.secret())
}

/// An authenticated send with a raw body.
pub async fn send_bytes(emu: &Emulator, body: &[u8]) -> std::io::Result<Reply> {
    let auth = auth(emu);
    let req = request(
        "POST",
        "/v1/otps/sms/send",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body,
    );
    raw(emu.local_addr(), &req).await
}

/// An authenticated send.
pub async fn send(emu: &Emulator, body: &Value) -> Reply {
    send_bytes(emu, body.to_string().as_bytes())
        .await
        .expect("send answered")
}

pub async fn send_to(emu: &Emulator, phone: &str) -> Reply {
    send(emu, &serde_json::json!({ "phone_number": phone })).await
}

/// An admin call; `body` is sent as JSON text when given.
pub async fn admin(emu: &Emulator, method: &str, target: &str, body: Option<&str>) -> Reply {
    let path = format!("/_emulator/v1/{target}");
    let headers: &[(&str, &str)] = if body.is_some() {
        &[("Content-Type", "application/json")]
    } else {
        &[]
    };
    let req = request(method, &path, headers, body.unwrap_or("").as_bytes());
    raw(emu.local_addr(), &req)
        .await
        .expect("admin call answered")
}

pub async fn admin_json(emu: &Emulator, method: &str, target: &str, body: Option<&str>) -> Value {
    let reply = admin(emu, method, target, body).await;
    assert_eq!(reply.status, 200, "{method} {target}: {}", reply.text());
    reply.json()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

pub fn assert_id(value: &Value, prefix: &str) {
    let id = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is a string"));
    let uuid = id
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{id} starts with {prefix}"));
    assert!(is_uuid(uuid), "{id} ends in a lowercase uuid");
}

/// Checks a Stytch error answer: status, exact keys, IDs, URL, content type, one write.
pub fn assert_error(reply: &Reply, status: u16, error_type: &str) -> Value {
    assert_eq!(
        (reply.status, reply.json()["error_type"].as_str()),
        (status, Some(error_type)),
        "{}",
        reply.text()
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.first_read, reply.total,
        "the answer left in one write"
    );
    let body = reply.json();
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "error_message",
            "error_type",
            "error_url",
            "request_id",
            "status_code"
        ]
    );
    assert_eq!(body["status_code"], status);
    assert_id(&body["request_id"], "request-id-test-");
    assert_eq!(
        body["error_url"],
        format!("https://stytch.com/docs/api/errors/{status}")
    );
    assert!(!body["error_message"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    body
}

pub fn messages(emu: &Emulator, phone: &str) -> Vec<sms_otp_emulator::Message> {
    emu.messages(Some(phone))
}

pub const LOGIN_PATH: &str = "/v1/otps/sms/login_or_create";
pub const AUTH_PATH: &str = "/v1/otps/authenticate";

/// An authenticated POST of raw bytes to an API path.
pub async fn post_bytes(emu: &Emulator, path: &str, body: &[u8]) -> std::io::Result<Reply> {
    let auth = auth(emu);
    let req = request(
        "POST",
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body,
    );
    raw(emu.local_addr(), &req).await
}

/// An authenticated POST of JSON to an API path.
pub async fn post(emu: &Emulator, path: &str, body: &Value) -> Reply {
    post_bytes(emu, path, body.to_string().as_bytes())
        .await
        .expect("answered")
}

pub async fn login_or_create(emu: &Emulator, body: &Value) -> Reply {
    post(emu, LOGIN_PATH, body).await
}

pub async fn authenticate(emu: &Emulator, body: &Value) -> Reply {
    post(emu, AUTH_PATH, body).await
}

/// `login_or_create` to `phone` that must succeed: (phone_id, the code sent).
pub async fn code_for(emu: &Emulator, phone: &str) -> (String, String) {
    let reply = login_or_create(emu, &serde_json::json!({ "phone_number": phone })).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let phone_id = reply.json()["phone_id"]
        .as_str()
        .expect("phone_id")
        .to_owned();
    let code = emu
        .messages(Some(phone))
        .last()
        .expect("a message")
        .code
        .clone();
    (phone_id, code)
}

/// A six-digit code other than `code`.
pub fn other_code(code: &str) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 1) % 1_000_000)
}

/// A GET without credentials.
pub async fn get(emu: &Emulator, target: &str) -> Reply {
    let req = request("GET", target, &[], b"");
    raw(emu.local_addr(), &req).await.expect("answered")
}
