//! The HTTP side: our own accept loop, one hyper HTTP/1 connection per task (so a handler
//! can have its connection reset), body limits, responses written in one piece, routing, and
//! what every API endpoint shares: credentials, body size, then faults.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderMap, HeaderValue, ALLOW, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};

use crate::api_errors::ApiError;
use crate::jwks::JWKS_PREFIX;
use crate::jwt::KeyCell;
use crate::send::phone_hint;
use crate::state::{FaultKind, State};
use crate::tls::Tls;

/// Largest accepted request body (public and admin API): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// An oversized body is still read (and thrown away) up to this size, so the client is not
/// reset while it is still writing and does get its 413.
const DRAIN_LIMIT: u64 = 16 << 20;
/// After shutdown starts, connections get this long to finish their current request.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// A TLS client gets this long to complete its handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) const SEND_PATH: &str = "/v1/otps/sms/send";
pub(crate) const LOGIN_OR_CREATE_PATH: &str = "/v1/otps/sms/login_or_create";
pub(crate) const AUTHENTICATE_PATH: &str = "/v1/otps/authenticate";
pub(crate) const ADMIN_PREFIX: &str = "/_emulator/v1/";

pub(crate) type Resp = Response<Full<Bytes>>;

/// What every connection task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) project_id: String,
    pub(crate) secret: String,
    pub(crate) allowed_country_codes: Vec<String>,
    state: Mutex<State>,
    /// The session-JWT signing key, made on first use.
    pub(crate) keys: Arc<KeyCell>,
    /// Bumped after every new message; long-polls wait on it.
    pub(crate) new_message: watch::Sender<u64>,
    /// Becomes `true` once shutdown starts.
    pub(crate) shutdown: watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn new(
        project_id: String,
        secret: String,
        allowed_country_codes: Vec<String>,
        state: State,
        keys: KeyCell,
    ) -> Shared {
        Shared {
            project_id,
            secret,
            allowed_country_codes,
            state: Mutex::new(state),
            keys: Arc::new(keys),
            new_message: watch::Sender::new(0),
            shutdown: watch::Sender::new(false),
        }
    }

    /// The state. Never held across an await. A panic while it was held (there should be
    /// none) leaves it usable rather than poisoning the emulator.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn notify_new_message(&self) {
        self.new_message.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Resolves once shutdown has started.
    pub(crate) async fn shutting_down(&self) {
        let mut rx = self.shutdown.subscribe();
        // An error means the sender is gone, which also means we are shutting down.
        let _ = rx.wait_for(|down| *down).await;
    }
}

/// What a handler can ask of its connection.
#[derive(Debug)]
pub(crate) struct ConnCtl {
    pub(crate) peer: SocketAddr,
    /// Cut the connection with a TCP RST (SO_LINGER 0), without answering.
    reset: Notify,
    /// Close the connection without answering.
    close: Notify,
}

impl ConnCtl {
    /// Resets the connection; never returns (the connection task drops this handler).
    pub(crate) async fn reset(&self) -> Resp {
        self.reset.notify_one();
        std::future::pending().await
    }

    /// Closes the connection; never returns.
    pub(crate) async fn close(&self) -> Resp {
        self.close.notify_one();
        std::future::pending().await
    }
}

/// Accepts connections until shutdown, then waits for every connection task to end. With
/// `tls`, every connection is served over TLS.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: Option<Tls>) {
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            () = shared.shutting_down() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(
                        stream,
                        peer,
                        shared.clone(),
                        tls.clone(),
                        alive_tx.clone(),
                    ));
                }
                // Out of file descriptors or a connection aborted while queued: wait a little
                // rather than spin.
                Err(_) => tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(20)) => {}
                    () = shared.shutting_down() => break,
                },
            },
        }
    }
    drop(listener);
    drop(alive_tx);
    // `None` once every connection task has dropped its sender.
    let _ = alive_rx.recv().await;
}

/// Splits a stream into itself plus a duplicate handle on the same socket, kept aside so the
/// socket can still be told to reset (SO_LINGER 0) after hyper has taken the stream.
fn with_duplicate(stream: TcpStream) -> std::io::Result<(TcpStream, std::net::TcpStream)> {
    let std_stream = stream.into_std()?;
    let duplicate = std_stream.try_clone()?;
    Ok((TcpStream::from_std(std_stream)?, duplicate))
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    tls: Option<Tls>,
    _alive: mpsc::Sender<()>,
) {
    let Ok((stream, duplicate)) = with_duplicate(stream) else {
        return;
    };
    match tls {
        None => serve_http(TokioIo::new(stream), duplicate, peer, shared).await,
        Some(tls) => {
            let handshake =
                tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.acceptor.accept(stream));
            let stream = tokio::select! {
                accepted = handshake => match accepted {
                    Ok(Ok(stream)) => stream,
                    // A client that does not trust the certificate, speaks plain HTTP or
                    // never finishes the handshake: nothing to answer.
                    Ok(Err(_)) | Err(_) => return,
                },
                () = shared.shutting_down() => return,
            };
            serve_http(TokioIo::new(stream), duplicate, peer, shared).await;
        }
    }
}

/// Serves HTTP/1.1 on `io` (plain TCP or TLS over it); `duplicate` is a second handle on the
/// TCP socket underneath, used to reset it.
async fn serve_http<I>(io: I, duplicate: std::net::TcpStream, peer: SocketAddr, shared: Arc<Shared>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let ctl = Arc::new(ConnCtl {
        peer,
        reset: Notify::new(),
        close: Notify::new(),
    });
    let service = {
        let (shared, ctl) = (shared.clone(), ctl.clone());
        hyper::service::service_fn(move |req| {
            let (shared, ctl) = (shared.clone(), ctl.clone());
            async move { Ok::<_, Infallible>(route(req, &shared, &ctl).await) }
        })
    };
    let conn = hyper::server::conn::http1::Builder::new()
        // Flatten head and body into one buffer: each response leaves in one write.
        .writev(false)
        .serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let grace = tokio::time::sleep(Duration::MAX);
    let mut grace = std::pin::pin!(grace);
    let mut draining = false;
    let reset = loop {
        tokio::select! {
            _ = conn.as_mut() => break false,
            () = ctl.reset.notified() => break true,
            () = ctl.close.notified() => break false,
            () = shared.shutting_down(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
                grace.as_mut().reset(tokio::time::Instant::now() + SHUTDOWN_GRACE);
            }
            () = grace.as_mut(), if draining => break false,
        }
    };
    if reset {
        // With a zero linger time, closing the last handle sends RST instead of FIN.
        let _ = socket2::SockRef::from(&duplicate).set_linger(Some(Duration::ZERO));
    }
    // `conn` (hyper's handle on the socket) is dropped when this function returns, and
    // `duplicate` with it; whichever closes last closes the socket.
    drop(duplicate);
}

// ---------------------------------------------------------------------------------------
// Responses

fn response(status: u16, content_type: &'static str, body: Vec<u8>) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A JSON answer.
pub(crate) fn json(status: u16, value: &impl Serialize) -> Resp {
    match serde_json::to_vec(value) {
        Ok(body) => response(status, "application/json", body),
        Err(_) => response(
            500,
            "application/json",
            br#"{"status_code":500,"error_type":"internal_server_error","error_message":"could not serialise the answer"}"#
                .to_vec(),
        ),
    }
}

/// A Stytch error answer with a fresh request_id.
pub(crate) fn error(shared: &Shared, err: &ApiError) -> Resp {
    let request_id = shared.state().request_id();
    error_with_id(request_id, err)
}

pub(crate) fn error_with_id(request_id: String, err: &ApiError) -> Resp {
    let mut resp = json(err.status, &err.body(request_id));
    if let Some(seconds) = err.retry_after {
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    resp
}

pub(crate) fn method_not_allowed(shared: &Shared, allow: &'static str) -> Resp {
    let mut resp = error(shared, &ApiError::of("method_not_allowed"));
    resp.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    resp
}

/// The HTML error page of a `malformed_body` fault, as a proxy in front of the API would
/// send it.
fn html_page(status: u16) -> Resp {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let page = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    );
    response(status, "text/html", page.into_bytes())
}

// ---------------------------------------------------------------------------------------
// Requests

pub(crate) enum BodyError {
    TooLarge,
    Broken,
}

/// Reads a body of at most [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(mut body: Incoming) -> Result<Bytes, BodyError> {
    let announced = body.size_hint().lower();
    if announced > DRAIN_LIMIT {
        return Err(BodyError::TooLarge);
    }
    let limit = MAX_BODY_BYTES as u64;
    let mut too_large = announced > limit;
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(if too_large {
                BodyError::TooLarge
            } else {
                BodyError::Broken
            });
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        total = total.saturating_add(data.len() as u64);
        if total > limit && !too_large {
            too_large = true;
            buf = Vec::new();
        }
        if too_large {
            if total > DRAIN_LIMIT {
                break;
            }
        } else {
            buf.extend_from_slice(&data);
        }
    }
    if too_large {
        Err(BodyError::TooLarge)
    } else {
        Ok(Bytes::from(buf))
    }
}

fn is_authorized(headers: &HeaderMap, shared: &Shared) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, credentials)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credentials.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    decoded
        .split_once(':')
        .is_some_and(|(user, pass)| user == shared.project_id && pass == shared.secret)
}

/// The API's endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Send,
    LoginOrCreate,
    Authenticate,
    Jwks,
}

impl Endpoint {
    fn of(path: &str) -> Option<Endpoint> {
        Some(match path {
            SEND_PATH => Endpoint::Send,
            LOGIN_OR_CREATE_PATH => Endpoint::LoginOrCreate,
            AUTHENTICATE_PATH => Endpoint::Authenticate,
            p if p
                .strip_prefix(JWKS_PREFIX)
                .is_some_and(|rest| !rest.contains('/')) =>
            {
                Endpoint::Jwks
            }
            _ => return None,
        })
    }

    fn method(self) -> (Method, &'static str) {
        match self {
            Endpoint::Jwks => (Method::GET, "GET"),
            _ => (Method::POST, "POST"),
        }
    }

    /// The JWKS is public, as the service's (the official SDKs fetch it without credentials).
    fn needs_credentials(self) -> bool {
        self != Endpoint::Jwks
    }

    /// Checks and answers a request whose credentials, size and faults have passed.
    async fn process(
        self,
        shared: &Arc<Shared>,
        path: &str,
        body: Result<serde_json::Value, serde_json::Error>,
    ) -> Resp {
        match self {
            Endpoint::Send => crate::send::process(shared, body),
            Endpoint::LoginOrCreate => crate::login_or_create::process(shared, body),
            Endpoint::Authenticate => crate::authenticate::process(shared, body).await,
            Endpoint::Jwks => crate::jwks::process(shared, path).await,
        }
    }
}

async fn route(req: Request<Incoming>, shared: &Arc<Shared>, ctl: &ConnCtl) -> Resp {
    let path = req.uri().path().to_owned();
    if let Some(endpoint) = Endpoint::of(&path) {
        let (method, allow) = endpoint.method();
        if req.method() == method {
            api(req, endpoint, &path, shared, ctl).await
        } else {
            method_not_allowed(shared, allow)
        }
    } else if let Some(rest) = path.strip_prefix(ADMIN_PREFIX) {
        crate::admin::handle(req, rest, shared, ctl).await
    } else {
        error(shared, &ApiError::of("not_found"))
    }
}

/// Sleeps `ms`, or returns false as soon as shutdown starts.
async fn delay(shared: &Shared, ms: u64) -> bool {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(ms)) => true,
        () = shared.shutting_down() => false,
    }
}

/// Every API endpoint: credentials, body size, faults, then the endpoint itself.
async fn api(
    req: Request<Incoming>,
    endpoint: Endpoint,
    path: &str,
    shared: &Arc<Shared>,
    ctl: &ConnCtl,
) -> Resp {
    let authorized = !endpoint.needs_credentials() || is_authorized(req.headers(), shared);
    // The body is read even when the credentials are wrong, so the client is never reset
    // while it is still writing; the answer is the 401 all the same.
    let body = read_body(req.into_body()).await;
    if !authorized {
        return error(shared, &ApiError::of("unauthorized_credentials"));
    }
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            let mut err = ApiError::of("bad_request");
            err.status = 413;
            return error(shared, &err);
        }
        Err(BodyError::Broken) => return error(shared, &ApiError::of("bad_request")),
    };
    let body = serde_json::from_slice(&bytes);
    let fault = shared.state().take_fault(path, phone_hint(&body));
    let Some(fault) = fault else {
        return endpoint.process(shared, path, body).await;
    };
    if fault.kind != FaultKind::Stall {
        if let Some(ms) = fault.delay_ms {
            if !delay(shared, ms).await {
                return ctl.close().await;
            }
        }
    }
    match fault.kind {
        FaultKind::Error => {
            let err =
                ApiError::with_status(fault.status.unwrap_or(500), fault.error_type.as_deref())
                    .retry_after(fault.retry_after);
            error(shared, &err)
        }
        FaultKind::ResetBeforeProcessing => ctl.reset().await,
        FaultKind::ProcessThenReset => {
            let _ = endpoint.process(shared, path, body).await;
            ctl.reset().await
        }
        FaultKind::MalformedBody => html_page(fault.status.unwrap_or(502)),
        FaultKind::Stall => match fault.delay_ms {
            Some(ms) if delay(shared, ms).await => endpoint.process(shared, path, body).await,
            _ => {
                shared.shutting_down().await;
                ctl.close().await
            }
        },
    }
}
