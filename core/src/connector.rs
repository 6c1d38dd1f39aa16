//! Opening a connection for the HTTP client: TCP (no Nagle, keep-alive probes), TLS over
//! rustls for `https://`, the proxies of the environment, and `connect_timeout` over all of
//! it. docs/client.md (Proxies, `ca_file` and TLS) describes what users see.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

type BoxError = Box<dyn StdError + Send + Sync>;
type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// A byte stream: TCP, or TLS over TCP or over a proxy's tunnel.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// An open connection, and whether requests on it go to a proxy (which then receives
/// absolute-form targets: `POST http://host/path`).
pub(crate) struct Conn {
    io: TokioIo<Box<dyn Stream>>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

/// `connect_timeout` passed before the connection (TCP, proxy tunnel and TLS) was ready.
#[derive(Debug)]
pub(crate) struct ConnectTimedOut;

impl std::fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connect timed out")
    }
}

impl StdError for ConnectTimedOut {}

/// Dials a URI's host: TCP, then TLS when its scheme is `https`.
#[derive(Clone)]
struct Dial {
    tcp: HttpConnector,
    tls: TlsConnector,
}

impl Dial {
    fn dial(&self, uri: Uri) -> Connecting<TokioIo<Box<dyn Stream>>> {
        let (mut tcp, tls) = (self.tcp.clone(), self.tls.clone());
        Box::pin(async move {
            let stream = tower::Service::call(&mut tcp, uri.clone())
                .await?
                .into_inner();
            if uri.scheme() == Some(&hyper::http::uri::Scheme::HTTPS) {
                let stream = handshake(&tls, &uri, stream).await?;
                return Ok(TokioIo::new(stream));
            }
            Ok(TokioIo::new(Box::new(stream) as Box<dyn Stream>))
        })
    }
}

/// TLS over `stream`, verifying the certificate for `uri`'s host.
async fn handshake(
    tls: &TlsConnector,
    uri: &Uri,
    stream: impl Stream + 'static,
) -> Result<Box<dyn Stream>, BoxError> {
    // An IPv6 literal keeps its brackets in a URI's host, not in a server name.
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    let name = ServerName::try_from(host.to_owned())?;
    Ok(Box::new(tls.connect(name, stream).await?))
}

/// Tunnel's inner connector: it dials the proxy itself (TLS to an `https://` proxy).
impl tower::Service<Uri> for Dial {
    type Response = TokioIo<Box<dyn Stream>>;
    type Error = BoxError;
    type Future = Connecting<Self::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        self.dial(uri)
    }
}

/// The HTTP client's connector: direct, or through the proxy the environment names for
/// the destination (`CONNECT` tunnel for `https://`, absolute-form requests for `http://`).
#[derive(Clone)]
pub(crate) struct Connector {
    dial: Dial,
    proxies: Arc<Matcher>,
    timeout: Duration,
}

impl Connector {
    /// `proxies`: the proxy variables, read once when the client is made.
    pub(crate) fn new(tls: rustls::ClientConfig, timeout: Duration, proxies: Matcher) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false); // `https://` URIs come here; TLS is added by `Dial`
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(Duration::from_secs(15)));
        tcp.set_keepalive_interval(Some(Duration::from_secs(15)));
        tcp.set_keepalive_retries(Some(3));
        let tls = TlsConnector::from(Arc::new(tls));
        Connector {
            dial: Dial { tcp, tls },
            proxies: Arc::new(proxies),
            timeout,
        }
    }

    /// The `Proxy-Authorization` an `http://` request to `uri` carries (a tunnel's goes on
    /// its `CONNECT`).
    pub(crate) fn proxy_authorization(&self, uri: &Uri) -> Option<hyper::header::HeaderValue> {
        if uri.scheme() == Some(&hyper::http::uri::Scheme::HTTPS) {
            return None;
        }
        self.proxies.intercept(uri)?.basic_auth().cloned()
    }

    async fn connect(self, dst: Uri) -> Result<Conn, BoxError> {
        let Some(proxy) = self.proxies.intercept(&dst) else {
            let io = self.dial.dial(dst).await?;
            return Ok(Conn { io, proxied: false });
        };
        if dst.scheme() != Some(&hyper::http::uri::Scheme::HTTPS) {
            let io = self.dial.dial(proxy.uri().clone()).await?;
            return Ok(Conn { io, proxied: true });
        }
        let mut tunnel = Tunnel::new(proxy.uri().clone(), self.dial.clone());
        if let Some(auth) = proxy.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        let tunneled = tower::Service::call(&mut tunnel, dst.clone()).await?;
        let stream = handshake(&self.dial.tls, &dst, tunneled.into_inner()).await?;
        Ok(Conn {
            io: TokioIo::new(stream),
            proxied: false,
        })
    }
}

impl tower::Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting<Conn>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let (timeout, connect) = (self.timeout, self.clone().connect(dst));
        Box::pin(async move {
            tokio::time::timeout(timeout, connect)
                .await
                .unwrap_or_else(|_| Err(Box::new(ConnectTimedOut)))
        })
    }
}
