//! One HTTP attempt over hyper's pooled HTTP/1.1 client ([`crate::connector`] opens its
//! connections), and the mapping of transport failures to errors.

use std::error::Error as StdError;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;

use crate::config::Resolved;
use crate::connector::{ConnectTimedOut, Connector};
use crate::error::{chain, Details};
use crate::response::{
    interpret_as, parse_retry_after, unexpected, Received, Redactor, Unreadable, MAX_BODY_BYTES,
};
use crate::response_timeout::{with_response_timeout, ProbeService, Timed};
use crate::timer_floor::TimerFloor;
use crate::{Error, ErrorKind, TimeoutPhase};

/// The TLS configuration of clients without `ca_file`, made once per process: the platform
/// verifier's setup costs milliseconds per client otherwise (3.6 ms per Node client before),
/// which a program creating a client per request pays on every request. Lock-free (a leaked
/// box behind an atomic pointer, not a once-lock): a fork taken while another thread makes
/// it must not leave the child waiting on a lock that thread held.
static SYSTEM_TLS: AtomicPtr<rustls::ClientConfig> = AtomicPtr::new(std::ptr::null_mut());

fn shared_system_tls() -> Option<&'static rustls::ClientConfig> {
    let ptr = SYSTEM_TLS.load(Ordering::Acquire);
    // SAFETY: only ever set (once) to a pointer from `Box::leak`, never freed.
    #[allow(unsafe_code)]
    unsafe {
        ptr.as_ref()
    }
}

fn share_system_tls(tls: &rustls::ClientConfig) {
    let leaked: *mut rustls::ClientConfig = Box::leak(Box::new(tls.clone()));
    let won = SYSTEM_TLS
        .compare_exchange(
            std::ptr::null_mut(),
            leaked,
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_ok();
    if !won {
        // SAFETY: `leaked` came from `Box::leak` just above and was never published.
        #[allow(unsafe_code)]
        drop(unsafe { Box::from_raw(leaked) });
    }
}

/// rustls with the `ring` provider (no OpenSSL, no process-wide provider installed behind the
/// application's back), verifying with the platform's roots plus `extra_roots`.
fn tls_config(extra_roots: &[CertificateDer<'static>]) -> Result<rustls::ClientConfig, Error> {
    if extra_roots.is_empty() {
        if let Some(shared) = shared_system_tls() {
            let mut tls = shared.clone();
            // The verifier is immutable and shared; the TLS session cache has a lock and is
            // each client's own, as before: clients stay independent, and a fork while a
            // parent's thread holds that lock cannot hang a client made in the child.
            tls.resumption = rustls::client::Resumption::default();
            return Ok(tls);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |e: &dyn std::fmt::Display| {
        Error::configuration("ca_file", format!("could not set up TLS verification: {e}"))
    };
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra_roots.iter().cloned(),
        provider.clone(),
    )
    .map_err(|e| tls_error(&e))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(&e))?
        .dangerous() // a verifier that does verify: the platform one, with the extra roots
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    if extra_roots.is_empty() {
        // A racing thread may have shared one first: both configurations are equivalent.
        share_system_tls(&tls);
    }
    Ok(tls)
}

/// The endpoints a client calls: each a path under the base URL (a path prefix of
/// `base_url` is kept), and what may have happened at the service when an attempt's
/// outcome is unknown, for the messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Send,
    LoginOrCreate,
    Authenticate,
}

impl Endpoint {
    const ALL: [Endpoint; 3] = [
        Endpoint::Send,
        Endpoint::LoginOrCreate,
        Endpoint::Authenticate,
    ];

    fn path(self) -> &'static str {
        match self {
            Endpoint::Send => "v1/otps/sms/send",
            Endpoint::LoginOrCreate => "v1/otps/sms/login_or_create",
            Endpoint::Authenticate => "v1/otps/authenticate",
        }
    }

    fn effect(self) -> &'static str {
        match self {
            Endpoint::Send | Endpoint::LoginOrCreate => "the SMS may have been sent",
            Endpoint::Authenticate => "the code may have been used up",
        }
    }
}

/// One call as the transport sees it: where it goes, the request's own secrets (passcode,
/// session token and JWT: redacted from errors like the credentials), and how a 2xx body
/// becomes the call's response.
pub(crate) struct Call<'a, T> {
    pub(crate) endpoint: Endpoint,
    pub(crate) secrets: [&'a str; 3],
    pub(crate) parse: fn(&[u8]) -> Result<T, Unreadable>,
}

type Http = Pool<ProbeService<Connector>, Full<Bytes>>;

/// The immutable per-client state an attempt needs.
pub(crate) struct Transport {
    http: Http,
    pub(crate) config: Resolved,
    /// The URI of each [`Endpoint`], in [`Endpoint::ALL`] order.
    uris: [Uri; 3],
    /// The headers of every request: made once, cloned per request.
    headers: HeaderMap,
    timer_floor: TimerFloor,
}

impl Transport {
    /// The client's pooled HTTP/1.1 client (keep-alive, idle connections closed after 50 s,
    /// redirects never followed) over [`tls_config`] and the environment's proxies.
    pub(crate) fn new(config: Resolved) -> Result<Transport, Error> {
        let tls = tls_config(&config.ca_certificates)?;
        let connector = Connector::new(
            tls,
            config.connect_timeout,
            hyper_util::client::proxy::matcher::Matcher::from_env(),
        );
        // `config.endpoint` is the send URL: the base URL's path plus the send path.
        let send_path = Endpoint::Send.path();
        let base = config
            .endpoint
            .path()
            .strip_suffix(send_path)
            .unwrap_or("/")
            .to_owned();
        let [send, login_or_create, authenticate] = Endpoint::ALL.map(|endpoint| {
            let mut url = config.endpoint.clone();
            url.set_path(&format!("{base}{}", endpoint.path()));
            url.as_str().parse::<Uri>().map_err(|e| {
                Error::configuration("base_url", format!("is not a valid HTTP URI ({e})"))
            })
        });
        let uris = [send?, login_or_create?, authenticate?];

        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::USER_AGENT, config.user_agent.clone());
        headers.insert(header::AUTHORIZATION, config.authorization.clone());
        // Every endpoint has the base URL's host, so one proxy (or none) serves them all.
        if let Some(auth) = connector.proxy_authorization(&uris[0]) {
            headers.insert(header::PROXY_AUTHORIZATION, auth);
        }

        let http = Pool::builder(TokioExecutor::new())
            .pool_idle_timeout(std::time::Duration::from_secs(50))
            .pool_timer(TokioTimer::new())
            .build(ProbeService::new(connector));
        Ok(Transport {
            http,
            config,
            uris,
            headers,
            timer_floor: TimerFloor::default(),
        })
    }

    fn redactor<'a>(&'a self, call_secrets: [&'a str; 3]) -> Redactor<'a> {
        let auth = self.config.authorization.to_str().unwrap_or("");
        Redactor::new(
            [
                self.config.secret.as_str(),
                auth.trim_start_matches("Basic "),
            ]
            .into_iter()
            .chain(call_secrets),
        )
    }

    /// One attempt: send `body`, read the whole answer within the timeouts, interpret it.
    pub(crate) async fn attempt<T>(&self, call: &Call<'_, T>, body: Bytes) -> Result<T, Error> {
        let timeout = self.config.timeout;
        match with_response_timeout(self.exchange(call, body), timeout, &self.timer_floor).await {
            Timed::Finished(result) => result,
            Timed::ResponseTimeout => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "no complete response within {timeout:?} (timeout) after the request was sent; \
                     {}, so this was not retried",
                    call.endpoint.effect()
                ),
                Details {
                    phase: Some(TimeoutPhase::Response),
                    ..Details::default()
                },
            )),
        }
    }

    async fn exchange<T>(&self, call: &Call<'_, T>, body: Bytes) -> Result<T, Error> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uris[call.endpoint as usize].clone();
        *request.headers_mut() = self.headers.clone();
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| self.transport_error(e, call.endpoint))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let redact = self.redactor(call.secrets);
        let head = Received {
            status,
            retry_after,
            location: location.as_deref(),
            body: b"",
        };
        let mut response = response.into_body();
        let content_length = response.size_hint().exact();
        if content_length.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(unexpected(
                &head,
                "the body is over the 1 MiB limit",
                &redact,
            ));
        }
        let mut body = Vec::with_capacity(content_length.unwrap_or(512).min(64 * 1024) as usize);
        loop {
            match response.frame().await.transpose() {
                Ok(Some(frame)) => {
                    let Ok(chunk) = frame.into_data() else {
                        continue; // trailers
                    };
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(unexpected(
                            &Received {
                                body: &body,
                                ..head
                            },
                            "the body is over the 1 MiB limit",
                            &redact,
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.body_error(status, e, call.endpoint)),
            }
        }
        interpret_as(
            &Received {
                body: &body,
                ..head
            },
            &redact,
            call.parse,
        )
    }

    /// The connection broke while the answer was being read.
    fn body_error(&self, status: u16, e: hyper::Error, endpoint: Endpoint) -> Error {
        Error::new(
            ErrorKind::Network,
            format!(
                "the connection broke while reading the HTTP {status} answer ({}); {}",
                root_cause(&e),
                endpoint.effect()
            ),
            Details {
                after_send: Some(true),
                ..Details::default()
            },
        )
        .with_source(e)
    }

    fn transport_error(&self, e: hyper_util::client::legacy::Error, endpoint: Endpoint) -> Error {
        let host = self
            .config
            .endpoint
            .host_str()
            .unwrap_or("the server")
            .to_owned();
        if let Some(problem) = certificate_problem(&e) {
            return Error::new(
                ErrorKind::Network,
                format!(
                    "TLS certificate of {host} rejected: {problem}; not retried (trust a private CA with ca_file)"
                ),
                Details { after_send: Some(false), ..Details::default() },
            )
            .with_source(e);
        }
        if e.is_connect() {
            if chain(&e).any(|cause| cause.is::<ConnectTimedOut>()) {
                return Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "could not connect to {host} within {:?} (connect_timeout); nothing was sent",
                        self.config.connect_timeout
                    ),
                    Details { phase: Some(TimeoutPhase::Connect), retryable: true, ..Details::default() },
                )
                .with_source(e);
            }
            return Error::new(
                ErrorKind::Network,
                format!(
                    "could not connect to {host} ({}); nothing was sent",
                    root_cause(&e)
                ),
                Details {
                    after_send: Some(false),
                    retryable: true,
                    ..Details::default()
                },
            )
            .with_source(e);
        }
        // Anything else happened on an established connection after the request may have
        // been written: the server may have acted on it.
        Error::new(
            ErrorKind::Network,
            format!(
                "the connection to {host} broke after the request was sent ({}); {}, so this was not retried",
                root_cause(&e),
                endpoint.effect()
            ),
            Details { after_send: Some(true), ..Details::default() },
        )
        .with_source(e)
    }
}

/// The rustls certificate error somewhere in `e`'s chain, described.
fn certificate_problem(e: &(dyn StdError + 'static)) -> Option<String> {
    chain(e).find_map(|err| {
        let tls = err.downcast_ref::<rustls::Error>()?;
        match tls {
            rustls::Error::InvalidCertificate(problem) => Some(format!("{problem:?} ({tls})")),
            rustls::Error::NoCertificatesPresented
            | rustls::Error::InvalidCertRevocationList(_) => Some(tls.to_string()),
            _ => None,
        }
    })
}

/// The innermost message of an error chain, which names the actual problem
/// ("Connection refused", "connection closed before message completed").
fn root_cause(e: &(dyn StdError + 'static)) -> String {
    chain(e).last().map(ToString::to_string).unwrap_or_default()
}
