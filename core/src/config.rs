//! Client options and their resolution. Every default, environment variable and option rule
//! lives here, once: the bindings pass what the user gave and never restate a default.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use hyper::header::HeaderValue;
use url::Url;

use crate::phone::is_assigned_calling_code;
use crate::Error;

/// Per-attempt budget from sending to a fully read response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Per-attempt budget for TCP connect plus TLS handshake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Extra attempts for failures that provably never reached the server.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Upper bound on `max_retries`: more would only hide an outage.
pub const MAX_MAX_RETRIES: u32 = 10;
/// Largest accepted `ca_file` (the system bundle of a distribution is under 1 MiB).
const MAX_CA_FILE_BYTES: u64 = 16 << 20;
/// Longest accepted timeout of either kind (a day is already absurd for an SMS send).
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

const LIVE_BASE_URL: &str = "https://api.stytch.com";
const TEST_BASE_URL: &str = "https://test.stytch.com";
const SEND_PATH: &str = "v1/otps/sms/send";

/// Which Stytch environment the client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `https://test.stytch.com`
    Test,
    /// `https://api.stytch.com`
    Live,
}

impl Environment {
    /// `"test"` or `"live"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Live => "live",
        }
    }

    /// The environment a project id belongs to: `project-live-…` is live, anything else test.
    pub fn of_project(project_id: &str) -> Environment {
        if project_id.starts_with("project-live-") {
            Environment::Live
        } else {
            Environment::Test
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "test" => Ok(Environment::Test),
            "live" => Ok(Environment::Live),
            _ => Err(Error::configuration(
                "environment",
                "must be \"test\" or \"live\"",
            )),
        }
    }
}

/// Options of a [`crate::Client`], all optional but the credentials. Nothing is checked
/// until [`ClientBuilder::build`], which reports the first bad option as a
/// `configuration_error` naming it.
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) project_id: String,
    pub(crate) secret: String,
    environment: Option<Environment>,
    pub(crate) base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    retry_rate_limited: bool,
    allowed_country_codes: Option<Vec<String>>,
    user_agent_suffix: Option<String>,
    ca_file: Option<PathBuf>,
    /// The front end named in the `User-Agent` (`python`, `3.11.7`); `rust` by default. Set
    /// by the `host` module for the language bindings and the CLI.
    pub(crate) surface: Option<(String, String)>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("project_id", &self.project_id)
            .field("secret", &"[redacted]")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_rate_limited", &self.retry_rate_limited)
            .field("allowed_country_codes", &self.allowed_country_codes)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl ClientBuilder {
    /// Starts from the credentials; every other option has its documented default.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            project_id: project_id.into(),
            secret: secret.into(),
            environment: None,
            base_url: None,
            timeout: None,
            connect_timeout: None,
            max_retries: None,
            retry_rate_limited: false,
            allowed_country_codes: None,
            user_agent_suffix: None,
            ca_file: None,
            surface: None,
        }
    }

    /// Reads `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and, when set, `STYTCH_BASE_URL`.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        // A value that is not UTF-8 is an error, never repaired: a lossy conversion would
        // silently send to a different URL (or with different credentials) than the one set.
        let read = |name: &str, field: &str| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::configuration(
                field,
                format!("environment variable {name} is not valid UTF-8"),
            )),
        };
        let required = |name: &str, field: &str| {
            read(name, field)?.ok_or_else(|| {
                Error::configuration(field, format!("environment variable {name} is not set"))
            })
        };
        let mut builder = ClientBuilder::new(
            required("STYTCH_PROJECT_ID", "project_id")?,
            required("STYTCH_SECRET", "secret")?,
        );
        builder.base_url = read("STYTCH_BASE_URL", "base_url")?;
        Ok(builder)
    }

    /// The Stytch environment; by default the one the project id belongs to
    /// ([`Environment::of_project`]). [`ClientBuilder::base_url`] still wins for the URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Overrides the environment's URL: `https://…`, or `http://` on a loopback host. A path
    /// prefix is kept (`https://proxy/stytch` → `https://proxy/stytch/v1/otps/sms/send`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Alias of [`ClientBuilder::base_url`], the name the official SDKs use.
    pub fn custom_base_url(self, url: impl Into<String>) -> Self {
        self.base_url(url)
    }

    /// Per attempt, from sending to a fully read response (default 10 s, at most 24 h).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Per attempt, TCP connect plus TLS handshake (default 3 s, at most 24 h).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Extra attempts for failures that provably never reached the server (default 2, at
    /// most 10).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// One extra attempt after a 429 whose `Retry-After` is at most 10 s (default off).
    pub fn retry_rate_limited(mut self, retry: bool) -> Self {
        self.retry_rate_limited = retry;
        self
    }

    /// E.164 calling codes sends may go to (`["1", "44"]`); others fail validation before
    /// any request. Guards against SMS toll fraud.
    pub fn allowed_country_codes<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_country_codes = Some(codes.into_iter().map(Into::into).collect());
        self
    }

    /// Appended to the `User-Agent` header.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A PEM bundle whose certificates are trusted in addition to the system roots.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Checks every option and resolves the defaults.
    pub fn build(self) -> Result<crate::Client, Error> {
        crate::Client::from_resolved(self.resolve()?)
    }

    pub(crate) fn resolve(self) -> Result<Resolved, Error> {
        let project_id = check_credential("project_id", &self.project_id)?;
        if project_id.contains(':') {
            return Err(Error::configuration("project_id", "must not contain ':'"));
        }
        let secret = check_credential("secret", &self.secret)?;
        let environment = self
            .environment
            .unwrap_or_else(|| Environment::of_project(project_id));
        let endpoint = match self.base_url.as_deref() {
            Some(url) => resolve_base_url(url)?,
            None => resolve_base_url(match environment {
                Environment::Live => LIVE_BASE_URL,
                Environment::Test => TEST_BASE_URL,
            })?,
        };
        let timeout = check_timeout("timeout", self.timeout, DEFAULT_TIMEOUT)?;
        let connect_timeout = check_timeout(
            "connect_timeout",
            self.connect_timeout,
            DEFAULT_CONNECT_TIMEOUT,
        )?;
        let max_retries = match self.max_retries {
            None => DEFAULT_MAX_RETRIES,
            Some(n) if n <= MAX_MAX_RETRIES => n,
            Some(n) => return Err(max_retries_error(n)),
        };
        let allowed_country_codes = self
            .allowed_country_codes
            .map(check_country_codes)
            .transpose()?;
        let user_agent = user_agent(self.surface, self.user_agent_suffix.as_deref())?;
        let ca_certificates = match &self.ca_file {
            Some(path) => read_ca_file(path)?,
            None => Vec::new(),
        };
        Ok(Resolved {
            authorization: basic_auth(project_id, secret),
            secret: secret.to_owned(),
            project_id: project_id.to_owned(),
            environment,
            endpoint,
            timeout,
            connect_timeout,
            max_retries,
            retry_rate_limited: self.retry_rate_limited,
            allowed_country_codes,
            user_agent,
            ca_certificates,
        })
    }
}

/// Every option after checking, with defaults filled in.
pub(crate) struct Resolved {
    pub(crate) project_id: String,
    pub(crate) secret: String,
    pub(crate) authorization: HeaderValue,
    pub(crate) environment: Environment,
    pub(crate) endpoint: Url,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_rate_limited: bool,
    pub(crate) allowed_country_codes: Option<Vec<String>>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) ca_certificates: Vec<rustls::pki_types::CertificateDer<'static>>,
}

/// `max_retries` out of range (the `host` module refuses negative counts with it too).
pub(crate) fn max_retries_error(n: impl fmt::Display) -> Error {
    Error::configuration(
        "max_retries",
        format!("must be an integer from 0 to {MAX_MAX_RETRIES}, got {n}"),
    )
}

fn check_timeout(
    field: &str,
    given: Option<Duration>,
    default: Duration,
) -> Result<Duration, Error> {
    match given {
        None => Ok(default),
        Some(d) if d.is_zero() => Err(Error::configuration(field, "must be greater than zero")),
        Some(d) if d > MAX_TIMEOUT => Err(Error::configuration(field, "must be at most 24 hours")),
        Some(d) => Ok(d),
    }
}

fn check_credential<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        return Err(Error::configuration(field, "must not be empty"));
    }
    if value.trim() != value {
        return Err(Error::configuration(
            field,
            "has leading or trailing whitespace (copied with a newline?)",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::configuration(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

fn basic_auth(project_id: &str, secret: &str) -> HeaderValue {
    use base64::Engine as _;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{project_id}:{secret}"));
    // Base64 output is always a valid header value.
    let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// Resolves a base URL to the full endpoint URL, enforcing https except on loopback.
pub(crate) fn resolve_base_url(text: &str) -> Result<Url, Error> {
    let bad = |reason: &str| Error::configuration("base_url", reason.to_owned());
    let url = Url::parse(text.trim()).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not contain credentials; pass project_id and secret instead",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query string or fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(bad(
                "must use https:// (http:// is allowed only for loopback hosts: 127.0.0.0/8, ::1, localhost)",
            ))
        }
        _ => return Err(bad("must start with https:// (or http:// on a loopback host)")),
    }
    match url.host() {
        None => return Err(bad("must have a host")),
        // WHATWG URLs take any length; DNS takes 253 characters, 63 per label.
        Some(url::Host::Domain(name))
            if name.len() > 253 || name.split('.').any(|label| label.len() > 63) =>
        {
            return Err(bad(
                "has a host name longer than DNS allows (253 characters, 63 per label)",
            ))
        }
        Some(_) => {}
    }
    let prefix = url.path().trim_end_matches('/').to_owned();
    let mut endpoint = url;
    endpoint.set_path(&format!("{prefix}/{SEND_PATH}"));
    Ok(endpoint)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_country_codes(codes: Vec<String>) -> Result<Vec<String>, Error> {
    if codes.is_empty() {
        return Err(Error::configuration(
            "allowed_country_codes",
            "is empty, which would refuse every send; leave it unset to allow all",
        ));
    }
    for code in &codes {
        if !is_assigned_calling_code(code) {
            let hint = if code.starts_with('+') {
                " (write it without '+')"
            } else {
                ""
            };
            return Err(Error::configuration(
                "allowed_country_codes",
                format!("{code:?} is not an assigned country calling code such as \"1\" or \"44\"{hint}"),
            ));
        }
    }
    Ok(codes)
}

fn user_agent(
    surface: Option<(String, String)>,
    suffix: Option<&str>,
) -> Result<HeaderValue, Error> {
    let (name, version) =
        surface.unwrap_or_else(|| ("rust".to_owned(), env!("SMS_OTP_RUSTC_VERSION").to_owned()));
    let mut agent = format!("sms-otp/{} {name}/{version}", env!("CARGO_PKG_VERSION"));
    if let Some(suffix) = suffix {
        if !suffix.chars().all(|c| c == ' ' || c.is_ascii_graphic()) || suffix.len() > 256 {
            return Err(Error::configuration(
                "user_agent_suffix",
                "must be at most 256 printable ASCII characters",
            ));
        }
        if !suffix.trim().is_empty() {
            agent.push(' ');
            agent.push_str(suffix.trim());
        }
    }
    HeaderValue::try_from(agent)
        .map_err(|_| Error::configuration("user_agent_suffix", "is not a valid header value"))
}

fn read_ca_file(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, Error> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::CertificateDer;
    use std::io::Read as _;
    let bad = |reason: String| Error::configuration("ca_file", reason);
    let cannot_read = |e: std::io::Error| bad(format!("cannot read {}: {e}", path.display()));
    // Only a regular file: /dev/zero or /dev/urandom would be read until memory runs out,
    // and opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(bad(format!(
            "{} is not a regular file (a PEM bundle is expected)",
            path.display()
        )));
    }
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut pem))
        .map_err(cannot_read)?;
    if pem.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(bad(format!(
            "{} is larger than {} MiB, too large for a PEM bundle",
            path.display(),
            MAX_CA_FILE_BYTES >> 20
        )));
    }
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("{} is not a valid PEM bundle: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(bad(format!("{} holds no PEM certificates", path.display())));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> Result<String, Error> {
        resolve_base_url(url).map(|u| u.to_string())
    }

    #[test]
    fn base_url_rules() {
        let ok =
            |url: &str, want: &str| assert_eq!(endpoint(url).ok().as_deref(), Some(want), "{url}");
        ok(
            "https://api.stytch.com",
            "https://api.stytch.com/v1/otps/sms/send",
        );
        ok(
            "https://proxy.example/stytch/",
            "https://proxy.example/stytch/v1/otps/sms/send",
        );
        ok(
            "https://proxy.example/a/b",
            "https://proxy.example/a/b/v1/otps/sms/send",
        );
        ok(
            "http://127.0.0.1:9010",
            "http://127.0.0.1:9010/v1/otps/sms/send",
        );
        ok("http://127.8.9.10", "http://127.8.9.10/v1/otps/sms/send");
        ok("http://[::1]:80/x", "http://[::1]/x/v1/otps/sms/send");
        ok("http://LOCALHOST:1", "http://localhost:1/v1/otps/sms/send");
        let longest = format!("https://{0}.{0}.{0}.{1}", "a".repeat(63), "b".repeat(61));
        assert!(endpoint(&longest).is_ok());
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "127.0.0.1:9010",
            "https://user:pw@example.com",
            "https://example.com/?q=1",
            "https://example.com/#f",
            "",
            "not a url",
            // Found by the Python bad-input sweep: accepted, to fail only at DNS time.
            &format!("https://{}.com", "a".repeat(70_000)),
            &format!("https://{}.com", "a".repeat(64)),
            &format!("https://{}", "a.".repeat(127)),
        ] {
            let err = endpoint(bad).expect_err(bad);
            assert_eq!(err.code(), "configuration_error");
            assert_eq!(err.field(), Some("base_url"));
        }
    }

    #[test]
    fn environment_follows_the_project_id() {
        let env = |pid: &str| {
            ClientBuilder::new(pid, "s")
                .resolve()
                .map(|r| (r.environment, r.endpoint.to_string()))
        };
        assert_eq!(
            env("project-live-1").ok(),
            Some((
                Environment::Live,
                "https://api.stytch.com/v1/otps/sms/send".to_owned()
            ))
        );
        assert_eq!(
            env("project-test-1").ok(),
            Some((
                Environment::Test,
                "https://test.stytch.com/v1/otps/sms/send".to_owned()
            ))
        );
        let forced = ClientBuilder::new("project-live-1", "s")
            .environment(Environment::Test)
            .resolve();
        assert_eq!(
            forced.ok().map(|r| (r.environment, r.endpoint.to_string())),
            Some((
                Environment::Test,
                "https://test.stytch.com/v1/otps/sms/send".to_owned()
            ))
        );
        // base_url wins for the URL; the environment is still reported.
        let url = ClientBuilder::new("project-live-1", "s")
            .environment(Environment::Live)
            .base_url("http://127.0.0.1:9/")
            .resolve();
        assert_eq!(
            url.ok().map(|r| (r.environment, r.endpoint.to_string())),
            Some((
                Environment::Live,
                "http://127.0.0.1:9/v1/otps/sms/send".to_owned()
            ))
        );
        let bad = "prod".parse::<Environment>();
        assert_eq!(
            bad.err()
                .and_then(|e| e.field().map(str::to_owned))
                .as_deref(),
            Some("environment")
        );
    }

    #[test]
    fn defaults_are_resolved_here() {
        let r = ClientBuilder::new("project-test-1", "secret")
            .resolve()
            .expect("valid");
        assert_eq!(r.timeout, Duration::from_secs(10));
        assert_eq!(r.connect_timeout, Duration::from_secs(3));
        assert_eq!(r.max_retries, 2);
        assert!(!r.retry_rate_limited);
        assert!(r.allowed_country_codes.is_none());
        let ua = r.user_agent.to_str().unwrap_or_default().to_owned();
        assert!(
            ua.starts_with(&format!("sms-otp/{} rust/", env!("CARGO_PKG_VERSION"))),
            "{ua}"
        );
    }

    #[test]
    fn every_bad_option_is_named() {
        let field = |b: ClientBuilder| {
            b.resolve()
                .err()
                .and_then(|e| e.field().map(str::to_owned))
                .unwrap_or_default()
        };
        let b = || ClientBuilder::new("project-test-1", "secret-1");
        assert_eq!(field(ClientBuilder::new("", "s")), "project_id");
        assert_eq!(field(ClientBuilder::new(" ", "s")), "project_id");
        assert_eq!(field(ClientBuilder::new("a:b", "s")), "project_id");
        assert_eq!(field(ClientBuilder::new("p", "")), "secret");
        assert_eq!(field(ClientBuilder::new("p", "s\n")), "secret");
        assert_eq!(field(ClientBuilder::new("p", "s\u{0}x")), "secret");
        assert_eq!(field(b().timeout(Duration::ZERO)), "timeout");
        assert_eq!(field(b().timeout(Duration::from_secs(86_401))), "timeout");
        assert_eq!(field(b().timeout(Duration::MAX)), "timeout");
        assert_eq!(
            field(b().connect_timeout(Duration::ZERO)),
            "connect_timeout"
        );
        assert_eq!(field(b().max_retries(11)), "max_retries");
        assert_eq!(field(b().max_retries(u32::MAX)), "max_retries");
        assert_eq!(
            field(b().allowed_country_codes(Vec::<String>::new())),
            "allowed_country_codes"
        );
        assert_eq!(
            field(b().allowed_country_codes(["+44"])),
            "allowed_country_codes"
        );
        assert_eq!(
            field(b().allowed_country_codes(["999"])),
            "allowed_country_codes"
        );
        assert_eq!(
            field(b().user_agent_suffix("a\r\nX-Evil: 1")),
            "user_agent_suffix"
        );
        assert_eq!(field(b().ca_file("/nonexistent/ca.pem")), "ca_file");
        assert_eq!(field(b().ca_file("/")), "ca_file");
        assert!(b()
            .timeout(Duration::from_millis(250))
            .max_retries(0)
            .allowed_country_codes(["1", "44"])
            .resolve()
            .is_ok());
    }

    /// Found by the Python bad-input sweep: `ca_file="/dev/zero"` read until memory ran out
    /// (about 20 GB here), and a FIFO would block `Client(...)` forever.
    #[test]
    fn ca_file_must_be_a_small_regular_file() {
        let reason = |path: &std::path::Path| {
            let started = std::time::Instant::now();
            let err = ClientBuilder::new("project-test-1", "secret-1")
                .ca_file(path)
                .resolve()
                .err()
                .expect("refused");
            assert!(started.elapsed() < Duration::from_secs(2), "{path:?}");
            assert_eq!(err.field(), Some("ca_file"));
            err.reason().unwrap_or_default().to_owned()
        };
        for device in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            if std::path::Path::new(device).exists() {
                assert!(
                    reason(device.as_ref()).contains("not a regular file"),
                    "{device}"
                );
            }
        }
        let dir = std::env::temp_dir().join(format!("sms-otp-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let fifo = dir.join("fifo.pem");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(reason(&fifo).contains("not a regular file"));
        }
        let big = dir.join("big.pem");
        let file = std::fs::File::create(&big).expect("create");
        file.set_len(MAX_CA_FILE_BYTES + 1).expect("sparse file");
        assert!(reason(&big).contains("too large"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn secrets_stay_out_of_errors_and_debug() {
        let secret = "secret-test-MARKER-5f2c";
        let b = ClientBuilder::new("project-test-1", secret);
        assert!(!format!("{b:?}").contains("MARKER"));
        let err = ClientBuilder::new("project-test-1", format!("{secret}\n"))
            .resolve()
            .err();
        let text = format!(
            "{err:?} {}",
            err.as_ref().map(|e| e.to_string()).unwrap_or_default()
        );
        assert!(!text.contains("MARKER"), "{text}");
        let r = b.resolve().expect("valid");
        assert!(r.authorization.is_sensitive());
    }
}
