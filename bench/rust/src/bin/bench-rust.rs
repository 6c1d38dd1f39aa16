//! Rust clients under load: `bench-rust CLIENT MODE URL SECONDS [CALL]`
//! CLIENT: `bare` (a bare reqwest loop, the ceiling of a reqwest client), `hyper` (a bare loop on
//! hyper-util's pooled client, the ceiling of sms_otp's transport), `ours` (sms_otp), `official`
//! (stytch 11.1.0).
//! MODE: `seq` (one at a time) or `inflight64` (64 concurrent calls on one client).
//! CALL: `send` (the default: `POST /v1/otps/sms/send`) or `authenticate`
//! (`POST /v1/otps/authenticate` with a code and a 60-minute session).
//! Prints one JSON line: calls (`sends`), seconds, throughput, client CPU µs per call
//! (`cpu_us_per_send`), p50/p99 µs, and the call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

const PHONE: &str = "+12025550162";
const PID: &str = "project-test-00000000-0000-0000-0000-000000000000";
const SECRET: &str = "secret-test-emulator";
/// A valid test `method_id` (the `phone_id` bench-server's send body returns).
const METHOD_ID: &str = "phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6";
const CODE: &str = "123456";
const SESSION_MINUTES: i32 = 60;

type Sender = Arc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync>;

fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a rusage struct into the pointer we pass.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn sender(client: &str, call: &str, url: &str) -> Sender {
    let authenticate = match call {
        "send" => false,
        "authenticate" => true,
        other => panic!("unknown call {other}"),
    };
    match client {
        "bare" => {
            let http = reqwest::Client::builder()
                .tls_backend_preconfigured(
                    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                        .with_safe_default_protocol_versions()
                        .expect("tls versions")
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                )
                .build()
                .expect("reqwest client");
            let (url, body) = if authenticate {
                (
                    format!("{url}/v1/otps/authenticate"),
                    format!(r#"{{"method_id":"{METHOD_ID}","code":"{CODE}","session_duration_minutes":{SESSION_MINUTES}}}"#),
                )
            } else {
                (format!("{url}/v1/otps/sms/send"), format!(r#"{{"phone_number":"{PHONE}"}}"#))
            };
            Arc::new(move || {
                let (http, url, body) = (http.clone(), url.clone(), body.clone());
                Box::pin(async move {
                    let Ok(resp) = http
                        .post(url)
                        .basic_auth(PID, Some(SECRET))
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                    else {
                        return false;
                    };
                    let ok = resp.status().is_success();
                    let body = resp.bytes().await;
                    ok && body.is_ok_and(|b| serde_json::from_slice::<serde_json::Value>(&b).is_ok())
                })
            })
        }
        "hyper" => {
            use http_body_util::BodyExt;
            let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(hyper_util::client::legacy::connect::HttpConnector::new());
            let (path, body) = if authenticate {
                (
                    "/v1/otps/authenticate",
                    format!(r#"{{"method_id":"{METHOD_ID}","code":"{CODE}","session_duration_minutes":{SESSION_MINUTES}}}"#),
                )
            } else {
                ("/v1/otps/sms/send", format!(r#"{{"phone_number":"{PHONE}"}}"#))
            };
            let uri: hyper::Uri = format!("{url}{path}").parse().expect("uri");
            let body = bytes::Bytes::from(body);
            let auth = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("{PID}:{SECRET}")));
            Arc::new(move || {
                let request = hyper::Request::post(uri.clone())
                    .header("authorization", auth.as_str())
                    .header("content-type", "application/json")
                    .body(http_body_util::Full::new(body.clone()))
                    .expect("request");
                let response = http.request(request);
                Box::pin(async move {
                    let Ok(resp) = response.await else {
                        return false;
                    };
                    let ok = resp.status().is_success();
                    let body = resp.into_body().collect().await;
                    ok && body.is_ok_and(|b| serde_json::from_slice::<serde_json::Value>(&b.to_bytes()).is_ok())
                })
            })
        }
        "ours" => {
            let client = sms_otp::Client::builder(PID, SECRET).base_url(url).build().expect("client");
            if authenticate {
                return Arc::new(move || {
                    let client = client.clone();
                    Box::pin(async move {
                        client
                            .otps
                            .authenticate(sms_otp::AuthenticateRequest {
                                method_id: METHOD_ID.into(),
                                code: CODE.into(),
                                session_duration_minutes: Some(SESSION_MINUTES),
                                ..Default::default()
                            })
                            .await
                            .is_ok()
                    })
                });
            }
            Arc::new(move || {
                let client = client.clone();
                Box::pin(async move {
                    client
                        .otps
                        .sms
                        .send(sms_otp::SendRequest { phone_number: PHONE.into(), ..Default::default() })
                        .await
                        .is_ok()
                })
            })
        }
        "official" => {
            let http = stytch::client::Client::new_with_base_url(
                PID,
                SECRET,
                url.parse().expect("url"),
                stytch::client::Vertical::Consumer,
            )
            .expect("official http client");
            let client = stytch::consumer::client::Client::new_with_http_client(http.clone(), http);
            let client = Arc::new(client);
            if authenticate {
                return Arc::new(move || {
                    let client = client.clone();
                    Box::pin(async move {
                        client
                            .otps
                            .authenticate(stytch::consumer::otp::AuthenticateRequest {
                                method_id: METHOD_ID.into(),
                                code: CODE.into(),
                                session_duration_minutes: Some(SESSION_MINUTES),
                                ..Default::default()
                            })
                            .await
                            .is_ok()
                    })
                });
            }
            Arc::new(move || {
                let client = client.clone();
                Box::pin(async move {
                    client
                        .otps
                        .sms
                        .send(stytch::consumer::otp_sms::SendRequest { phone_number: PHONE.into(), ..Default::default() })
                        .await
                        .is_ok()
                })
            })
        }
        other => panic!("unknown client {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (client, mode, url, seconds, call) = match args.as_slice() {
        [_, client, mode, url, seconds] => (client, mode, url, seconds, "send"),
        [_, client, mode, url, seconds, call] => (client, mode, url, seconds, call.as_str()),
        _ => {
            eprintln!("usage: bench-rust bare|hyper|ours|official seq|inflight64 URL SECONDS [send|authenticate]");
            std::process::exit(2);
        }
    };
    let duration = Duration::from_secs_f64(seconds.parse().expect("seconds"));
    let concurrency = if mode == "inflight64" { 64 } else { 1 };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let send = sender(client, call, url);
    let latencies = Arc::new(Mutex::new(Vec::<u32>::new()));
    // Warm up: connections, TLS-free pool, lazy statics.
    rt.block_on(async {
        for _ in 0..200 {
            assert!(send().await, "warm-up send failed");
        }
    });
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let failures = rt.block_on(async {
        let deadline = Instant::now() + duration;
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (send, latencies) = (send.clone(), latencies.clone());
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    let mut failures = 0u64;
                    while Instant::now() < deadline {
                        let started = Instant::now();
                        if !send().await {
                            failures += 1;
                        }
                        mine.push(started.elapsed().as_micros() as u32);
                    }
                    latencies.lock().await.extend(mine);
                    failures
                })
            })
            .collect();
        let mut failures = 0;
        for w in workers {
            failures += w.await.expect("worker");
        }
        failures
    });
    let (cpu, wall) = (cpu_seconds() - cpu0, t0.elapsed().as_secs_f64());
    let mut lat = rt.block_on(async { latencies.lock().await.clone() });
    lat.sort_unstable();
    let n = lat.len();
    let pct = |p: f64| lat.get(((n as f64 * p) as usize).min(n.saturating_sub(1))).copied().unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "sends": n, "failures": failures, "seconds": wall,
            "throughput": n as f64 / wall,
            "cpu_us_per_send": cpu * 1e6 / n.max(1) as f64,
            "p50_us": pct(0.50), "p99_us": pct(0.99), "call": call,
        })
    );
}
