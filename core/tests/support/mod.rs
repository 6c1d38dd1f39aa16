//! A purpose-built hostile HTTP/1.1 server for the client tests: it answers each request
//! with a scripted behaviour (a status and body, a stall, a slow drip, a reset, …) and
//! records exactly what arrived on the wire.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const PROJECT_ID: &str = "project-test-11111111-2222-3333-4444-555555555555";
pub const SECRET: &str = "secret-test-MARKER-9f8e7d6c5b4a";

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
    Huge { total: usize },
    /// Answer like `ok()`, then shut down the sending half (FIN) but keep reading: later
    /// requests on this connection are recorded and never answered.
    OkThenHalfClose,
    /// Answer like `ok()` (keep-alive), then close the connection.
    OkThenClose,
    /// Write these bytes as the whole answer, then close the connection.
    Raw(Vec<u8>),
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
        Behaviour::json(
            200,
            r#"{"request_id":"request-id-test-1","user_id":"user-test-1","phone_id":"phone-number-test-1","status_code":200,"extra":{"kept":true}}"#,
        )
    }

    pub fn stytch_error(status: u16, error_type: &str, message: &str) -> Behaviour {
        Behaviour::json(
            status,
            &serde_json::json!({
                "status_code": status,
                "request_id": "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141",
                "error_type": error_type,
                "error_message": message,
                "error_url": format!("https://stytch.com/docs/api/errors/{status}"),
            })
            .to_string(),
        )
    }
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
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
}

#[derive(Default)]
struct Shared {
    script: Mutex<Vec<Behaviour>>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
}

/// A running hostile server on 127.0.0.1.
pub struct Hostile {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Hostile {
    /// Serves plain HTTP; request `n` gets `script[n]` (the last entry repeats).
    pub async fn start(script: Vec<Behaviour>) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            ..Shared::default()
        });
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                s.connections.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                tokio::spawn(async move { serve(stream, s).await });
            }
        });
        Hostile { port, shared }
    }

    /// Serves TLS with `acceptor`, same script semantics.
    pub async fn start_tls(script: Vec<Behaviour>, acceptor: tokio_rustls::TlsAcceptor) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            ..Shared::default()
        });
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                s.connections.fetch_add(1, Ordering::SeqCst);
                let (s, acceptor) = (s.clone(), acceptor.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve_stream(tls, s, None).await;
                    }
                });
            }
        });
        Hostile { port, shared }
    }

    /// Like `start`, but the port refuses connections (bound, not listening: the kernel
    /// answers RST) until `opens_after` has passed, so a client's first attempts fail in
    /// the connect phase.
    pub async fn start_refusing(script: Vec<Behaviour>, opens_after: Duration) -> Hostile {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let addr: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&addr.into()).unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            ..Shared::default()
        });
        let s = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(opens_after).await;
            socket.listen(128).unwrap();
            socket.set_nonblocking(true).unwrap();
            let listener = TcpListener::from_std(socket.into()).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                s.connections.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                tokio::spawn(async move { serve(stream, s).await });
            }
        });
        Hostile { port, shared }
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
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    stream.set_nodelay(true).ok();
    // Keep a handle that can set SO_LINGER 0 for resets.
    let std_stream = stream.into_std().unwrap();
    let linger_handle = std_stream.try_clone().ok();
    let stream = TcpStream::from_std(std_stream).unwrap();
    serve_stream(stream, shared, linger_handle).await;
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
        let behaviour = {
            let mut requests = shared.requests.lock().unwrap();
            requests.push(request);
            let script = shared.script.lock().unwrap();
            script[(requests.len() - 1).min(script.len() - 1)].clone()
        };
        match behaviour {
            Behaviour::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!(
                    "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\n",
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
            }
            Behaviour::Stall => {
                // Wait until the client closes its side.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
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
                if let Some(handle) = &linger {
                    socket2::SockRef::from(handle)
                        .set_linger(Some(Duration::ZERO))
                        .ok();
                }
                return;
            }
            Behaviour::Close => {
                stream.shutdown().await.ok();
                return;
            }
            kind @ (Behaviour::OkThenHalfClose | Behaviour::OkThenClose) => {
                let Behaviour::Respond { status, body, .. } = Behaviour::ok() else {
                    unreachable!()
                };
                let head = format!(
                    "HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                if stream
                    .write_all(&[head.as_bytes(), &body].concat())
                    .await
                    .is_err()
                {
                    return;
                }
                stream.flush().await.ok();
                if matches!(kind, Behaviour::OkThenClose) {
                    return;
                }
                stream.shutdown().await.ok();
                // Keep reading: whatever arrives is recorded, nothing is answered.
                while let Some(request) = read_request(&mut stream, &mut buffer).await {
                    shared.requests.lock().unwrap().push(request);
                }
                return;
            }
            Behaviour::Raw(bytes) => {
                stream.write_all(&bytes).await.ok();
                stream.shutdown().await.ok();
                return;
            }
            Behaviour::Huge { total } => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < total {
                    let frame =
                        [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                    if stream.write_all(&frame).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
                stream.write_all(b"0\r\n\r\n").await.ok();
                return;
            }
        }
    }
}

/// Reads one request (headers + Content-Length body); `None` on EOF or garbage.
async fn read_request<S: AsyncRead + Unpin>(
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
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let method = start.next()?.to_owned();
    let path = start.next()?.to_owned();
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
        headers,
        body,
    })
}

/// A client for `server` with test credentials and short timeouts.
pub fn builder(url: &str) -> sms_otp::ClientBuilder {
    sms_otp::Client::builder(PROJECT_ID, SECRET)
        .base_url(url)
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_millis(300))
}

pub fn request() -> sms_otp::SendRequest {
    sms_otp::SendRequest {
        phone_number: "+12025550162".into(),
        ..Default::default()
    }
}

/// Fails the test if the secret shows up in any rendering of `err`.
pub fn assert_no_secret(err: &sms_otp::Error) {
    let mut text = format!(
        "{err} | {err:?} | {:?} | {:?}",
        err.body(),
        err.error_message()
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    assert!(!text.contains("MARKER"), "secret leaked: {text}");
}
