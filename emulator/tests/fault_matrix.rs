//! The emulator half of the fault matrix: every fault kind the emulator injects, through the
//! real client, on the first attempt and after connect-phase retries (through a TCP proxy
//! whose port refuses connections at first), ends in the documented error within its
//! deadline, with the documented number of sends reaching the emulator (each fault is armed
//! for 10 sends, so a retry that should not happen would fire it again and show in its
//! hit count). The hostile-server half: core/tests/fault_matrix.rs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sms_otp::{SendRequest, TimeoutPhase};
use sms_otp_emulator::{Config, Emulator, FaultKind, FaultSpec};
use tokio::net::{TcpListener, TcpStream};

const PHONE: &str = "+12025550162";
const TIMEOUT: Duration = Duration::from_millis(600);
/// How long the proxy's port refuses connections: the first attempt, maybe a retry or two.
const REFUSED_FOR: Duration = Duration::from_millis(150);

/// A port that refuses connections (bound, not listening: the kernel answers RST) until
/// `opens_after`, then forwards every connection to `upstream`, passing a reset on as a
/// reset.
fn refusing_proxy(upstream: SocketAddr, opens_after: Duration) -> SocketAddr {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&any.into()).expect("bind");
    let addr = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("bound address");
    tokio::spawn(async move {
        tokio::time::sleep(opens_after).await;
        socket.listen(128).expect("listen");
        socket.set_nonblocking(true).expect("non-blocking");
        let listener = TcpListener::from_std(socket.into()).expect("listener");
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(forward(client, upstream));
        }
    });
    addr
}

async fn forward(mut client: TcpStream, upstream: SocketAddr) {
    let reset = |stream: &TcpStream| {
        let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
    };
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        reset(&client);
        return;
    };
    if tokio::io::copy_bidirectional(&mut client, &mut server)
        .await
        .is_err()
    {
        reset(&client);
    }
}

#[derive(Debug, Clone)]
struct Expect {
    code: &'static str,
    maybe_delivered: bool,
    status: Option<u16>,
    phase: Option<TimeoutPhase>,
    after_send: Option<bool>,
    retry_after: Option<Duration>,
    /// Sends that reached the emulator (the fault's hits).
    sends: u32,
    /// Messages the emulator recorded, once `settle` has passed after the error.
    messages: usize,
    settle: Duration,
    /// From the send to the error (first attempt; the retried variant adds the refused
    /// time and backoff).
    within: (Duration, Duration),
}

impl Expect {
    fn new(code: &'static str, maybe_delivered: bool) -> Expect {
        Expect {
            code,
            maybe_delivered,
            status: None,
            phase: None,
            after_send: None,
            retry_after: None,
            sends: 1,
            messages: 0,
            settle: Duration::ZERO,
            within: (Duration::ZERO, Duration::from_secs(2)),
        }
    }

    fn status(mut self, status: u16) -> Expect {
        self.status = Some(status);
        self
    }
}

fn error_fault(status: u16, error_type: Option<&str>) -> FaultSpec {
    FaultSpec {
        status: Some(status),
        error_type: error_type.map(str::to_owned),
        ..FaultSpec::default()
    }
}

fn kind(kind: FaultKind) -> FaultSpec {
    FaultSpec {
        kind: Some(kind),
        ..FaultSpec::default()
    }
}

/// (name, fault, retry_rate_limited, expected)
fn rows() -> Vec<(&'static str, FaultSpec, bool, Expect)> {
    let mut rows = vec![];
    for (status, error_type, code) in [
        (400, "invalid_phone_number", "bad_request"),
        (401, "unauthorized_credentials", "unauthorized"),
        (403, "captcha_required", "forbidden"),
        (404, "user_not_found", "not_found"),
        (408, "request_timeout", "api_error"),
        (499, "client_closed_request", "api_error"),
    ] {
        rows.push((
            "error 4xx",
            error_fault(status, Some(error_type)),
            false,
            Expect::new(code, false).status(status),
        ));
    }
    for status in [500, 502, 503, 504] {
        rows.push((
            "error 5xx",
            error_fault(status, None),
            false,
            Expect::new("server_error", true).status(status),
        ));
    }
    let mut long_wait = error_fault(429, None);
    long_wait.retry_after = Some(7);
    rows.push((
        "429, Retry-After 7, not asked to retry",
        long_wait,
        false,
        Expect {
            retry_after: Some(Duration::from_secs(7)),
            ..Expect::new("rate_limited", false).status(429)
        },
    ));
    let mut too_long = error_fault(429, None);
    too_long.retry_after = Some(11);
    rows.push((
        "429, Retry-After 11, asked to retry: too long to wait (over 10 s)",
        too_long,
        true,
        Expect {
            retry_after: Some(Duration::from_secs(11)),
            ..Expect::new("rate_limited", false).status(429)
        },
    ));
    let mut short_wait = error_fault(429, None);
    short_wait.retry_after = Some(0);
    rows.push((
        "429, Retry-After 0, asked to retry: once",
        short_wait,
        true,
        Expect {
            retry_after: Some(Duration::ZERO),
            sends: 2,
            ..Expect::new("rate_limited", false).status(429)
        },
    ));
    rows.push((
        "reset before processing",
        kind(FaultKind::ResetBeforeProcessing),
        false,
        Expect {
            after_send: Some(true),
            ..Expect::new("network_error", true)
        },
    ));
    rows.push((
        "processed, then reset",
        kind(FaultKind::ProcessThenReset),
        false,
        Expect {
            after_send: Some(true),
            messages: 1,
            ..Expect::new("network_error", true)
        },
    ));
    for (status, maybe) in [
        (None, true),
        (Some(200), true),
        (Some(404), false),
        (Some(503), true),
    ] {
        let mut spec = kind(FaultKind::MalformedBody);
        spec.status = status;
        rows.push((
            "malformed body (HTML page)",
            spec,
            false,
            Expect::new("unexpected_response", maybe).status(status.unwrap_or(502)),
        ));
    }
    rows.push((
        "stall",
        kind(FaultKind::Stall),
        false,
        Expect {
            phase: Some(TimeoutPhase::Response),
            within: (TIMEOUT, TIMEOUT + Duration::from_millis(1500)),
            ..Expect::new("timeout", true)
        },
    ));
    // A stall that would process the send after 1.2 s: the client gives up at 0.6 s and
    // closes, so nothing may be recorded even once the delay has passed.
    let mut late = kind(FaultKind::Stall);
    late.delay_ms = Some(1200);
    rows.push((
        "stall, then process after the client gave up",
        late,
        false,
        Expect {
            phase: Some(TimeoutPhase::Response),
            settle: Duration::from_millis(1000),
            within: (TIMEOUT, TIMEOUT + Duration::from_millis(1500)),
            ..Expect::new("timeout", true)
        },
    ));
    // An error that arrives after a delay still within the timeout: the error, not a timeout.
    let mut slow = error_fault(503, None);
    slow.delay_ms = Some(200);
    rows.push((
        "error 503 after 200 ms",
        slow,
        false,
        Expect {
            within: (Duration::from_millis(200), Duration::from_secs(2)),
            ..Expect::new("server_error", true).status(503)
        },
    ));
    rows
}

async fn run_row(
    name: &str,
    mut spec: FaultSpec,
    retry_rate_limited: bool,
    want: &Expect,
    refused: bool,
) {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    spec.times = Some(10);
    emu.inject_fault(spec.clone()).expect("fault armed");
    let url = if refused {
        format!("http://{}", refusing_proxy(emu.local_addr(), REFUSED_FOR))
    } else {
        emu.url()
    };
    let client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(url)
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_millis(500))
        .max_retries(if refused { 10 } else { 2 })
        .retry_rate_limited(retry_rate_limited)
        .build()
        .expect("client");
    let started = Instant::now();
    let outcome = client
        .otps
        .sms
        .send(SendRequest {
            phone_number: PHONE.into(),
            ..SendRequest::default()
        })
        .await;
    let took = started.elapsed();
    let label = format!("{name} ({spec:?}), refused first: {refused}");
    let err = match outcome {
        Ok(resp) => panic!("{label}: succeeded {resp:?}"),
        Err(err) => err,
    };
    assert_eq!(err.code(), want.code, "{label}: {err}");
    assert_eq!(err.maybe_delivered(), want.maybe_delivered, "{label}");
    assert_eq!(err.status_code(), want.status, "{label}");
    assert_eq!(err.phase(), want.phase, "{label}");
    assert_eq!(err.after_send(), want.after_send, "{label}");
    assert_eq!(err.retry_after(), want.retry_after, "{label}");
    tokio::time::sleep(want.settle).await;
    let faults = emu.faults();
    assert_eq!(
        faults[0].hits, want.sends,
        "{label}: sends that reached the emulator"
    );
    assert_eq!(emu.messages(None).len(), want.messages, "{label}: messages");
    let sends = usize::try_from(want.sends).expect("small");
    if refused {
        // At least one refused connect was retried before the sends that reached it.
        assert!(
            usize::try_from(err.attempts()).expect("small") > sends,
            "{label}: {} attempts",
            err.attempts()
        );
    } else {
        assert_eq!(
            usize::try_from(err.attempts()).expect("small"),
            sends,
            "{label}"
        );
    }
    let extra = if refused {
        REFUSED_FOR + Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    assert!(
        took >= want.within.0 && took <= want.within.1 + extra,
        "{label}: took {took:?}, wanted {:?}",
        want.within
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_on_the_first_attempt() {
    for (name, spec, retry, want) in rows() {
        run_row(name, spec, retry, &want, false).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_after_connect_phase_retries() {
    for (name, spec, retry, want) in rows() {
        run_row(name, spec, retry, &want, true).await;
    }
}

/// The proxy itself: a send through it once it is open is one send, delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_after_refused_connects_is_delivered_once() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let url = format!("http://{}", refusing_proxy(emu.local_addr(), REFUSED_FOR));
    let client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(url)
        .max_retries(10)
        .build()
        .expect("client");
    let resp = client
        .otps
        .sms
        .send(SendRequest {
            phone_number: PHONE.into(),
            ..SendRequest::default()
        })
        .await
        .expect("delivered after the port opened");
    let messages = emu.messages(Some(PHONE));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].request_id, resp.request_id);
    emu.shutdown().await;
}
