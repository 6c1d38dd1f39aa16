//! `sms-otp-hostile`: the hostile server for the Python and Node suites (the Rust suites use
//! the library in-process). It prints `listening on http://127.0.0.1:PORT` and then serves a
//! JSON control endpoint there, through which a test starts hostile servers and refusing
//! proxies (each on its own port), scripts them, opens them, waits for and reads what
//! reached them, and stops them:
//!
//! ```text
//! POST   /servers             {"script": [behaviour, …], "refuse": false, "open_after_ms": n}
//!                             → {"id", "port", "url"}   (refuse: bound, not listening;
//!                             "case_steps": a shared case's server.hostile, for "script")
//! POST   /proxies             {"upstream_port": p, "open_after_ms": n} → {"id", "port", "url"}
//!                             (refuses until opened, then forwards to 127.0.0.1:p)
//! GET    /servers/ID          → {"requests": [{method, path, version, headers, body}],
//!                                "connections", "closed", "closed_by_client", "opened", …}
//! PUT    /servers/ID/script   {"script": [behaviour, …]}   (the next request gets the first)
//! POST   /servers/ID/open     {"after_ms": n}
//! POST   /servers/ID/wait     {"requests", "connections", "closed", "closed_by_client",
//!                              "opened", "timeout_ms"} → {"met": bool, "state": {…}}
//! POST   /servers/ID/clear    forgets requests and counts
//! DELETE /servers/ID          stops it and closes its connections
//! ```
//!
//! Behaviours are JSON (`sms_otp_hostile::Behaviour::from_json`, documented in src/lib.rs).
//! `--behaviour JSON` instead starts a single hostile server with that behaviour and prints
//! its own URL. `--exit-on-stdin-eof` ends the process when its standard input closes, so a
//! test process that dies does not leave it behind.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sms_otp_hostile::{read_request, Behaviour, Hostile, RefusingProxy, Want};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Control {
    servers: Mutex<HashMap<u64, Arc<Hostile>>>,
    next: AtomicU64,
}

fn usage() -> ! {
    eprintln!("usage: sms-otp-hostile [--behaviour JSON] [--exit-on-stdin-eof]");
    std::process::exit(2)
}

fn main() {
    let mut behaviour = None;
    let mut exit_on_eof = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--behaviour" => behaviour = Some(args.next().unwrap_or_else(|| usage())),
            "--exit-on-stdin-eof" => exit_on_eof = true,
            _ => usage(),
        }
    }
    if exit_on_eof {
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            std::process::exit(0);
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        if let Some(spec) = behaviour {
            let spec: Value = serde_json::from_str(&spec).unwrap_or_else(|e| {
                eprintln!("--behaviour: {e}");
                std::process::exit(2)
            });
            let script = if spec.is_array() {
                Behaviour::script_from_json(&spec)
            } else {
                Behaviour::from_json(&spec).map(|b| vec![b])
            }
            .unwrap_or_else(|e| {
                eprintln!("--behaviour: {e}");
                std::process::exit(2)
            });
            let server = Hostile::start(script).await;
            println!("listening on {}", server.url());
            std::future::pending::<()>().await;
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        println!("listening on http://127.0.0.1:{port}");
        let control = Arc::new(Control::default());
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, control.clone()));
        }
    });
}

async fn serve(mut stream: TcpStream, control: Arc<Control>) {
    let mut buffer = Vec::new();
    let Some(request) = read_request(&mut stream, &mut buffer).await else {
        return;
    };
    let body: Value = if request.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(e) => return answer(&mut stream, 400, &json!({ "error": e.to_string() })).await,
        }
    };
    let (status, reply) = match handle(&control, &request.method, &request.path, &body).await {
        Ok(reply) => (200, reply),
        Err((status, message)) => (status, json!({ "error": message })),
    };
    answer(&mut stream, status, &reply).await;
}

async fn answer(stream: &mut TcpStream, status: u16, body: &Value) {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    let _ = stream
        .write_all(&[head.as_bytes(), body.as_bytes()].concat())
        .await;
    let _ = stream.shutdown().await;
}

fn millis(body: &Value, name: &str) -> Option<Duration> {
    body.get(name)
        .and_then(Value::as_u64)
        .map(Duration::from_millis)
}

fn count(body: &Value, name: &str) -> Option<usize> {
    body.get(name)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn script(body: &Value) -> Result<Vec<Behaviour>, (u16, String)> {
    if let Some(steps) = body.get("case_steps") {
        return steps
            .as_array()
            .filter(|steps| !steps.is_empty())
            .ok_or((400, "case_steps is a list of steps".to_owned()))?
            .iter()
            .map(|step| Behaviour::from_case_step(step).map_err(|e| (400, e)))
            .collect();
    }
    match body.get("script") {
        Some(s) => Behaviour::script_from_json(s).map_err(|e| (400, e)),
        None => Ok(vec![Behaviour::ok()]),
    }
}

async fn handle(
    control: &Control,
    method: &str,
    path: &str,
    body: &Value,
) -> Result<Value, (u16, String)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let register = |server: Hostile| {
        let id = control.next.fetch_add(1, Ordering::SeqCst) + 1;
        let reply = json!({ "id": id, "port": server.port, "url": server.url() });
        control
            .servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::new(server));
        reply
    };
    let find = |id: &str| -> Result<Arc<Hostile>, (u16, String)> {
        id.parse::<u64>()
            .ok()
            .and_then(|id| {
                control
                    .servers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .cloned()
            })
            .ok_or_else(|| (404, format!("no server {id}")))
    };
    match (method, parts.as_slice()) {
        ("GET", ["health"]) => Ok(json!({ "ok": true })),
        ("POST", ["servers"]) => {
            let script = script(body)?;
            let refuse = body.get("refuse").and_then(Value::as_bool).unwrap_or(false);
            let server = if refuse {
                Hostile::start_refusing(script, millis(body, "open_after_ms")).await
            } else {
                Hostile::start(script).await
            };
            Ok(register(server))
        }
        ("POST", ["proxies"]) => {
            let upstream = body
                .get("upstream_port")
                .and_then(Value::as_u64)
                .and_then(|p| u16::try_from(p).ok())
                .ok_or((400, "upstream_port is required".to_owned()))?;
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], upstream));
            Ok(register(RefusingProxy::start(
                addr,
                millis(body, "open_after_ms"),
            )))
        }
        ("GET", ["servers", id]) => Ok(find(id)?.state_json()),
        ("PUT", ["servers", id, "script"]) => {
            find(id)?.set_script(script(body)?);
            Ok(json!({}))
        }
        ("POST", ["servers", id, "open"]) => {
            find(id)?.open_after(millis(body, "after_ms").unwrap_or_default());
            Ok(json!({}))
        }
        ("POST", ["servers", id, "clear"]) => {
            find(id)?.clear();
            Ok(json!({}))
        }
        ("POST", ["servers", id, "wait"]) => {
            let server = find(id)?;
            let want = Want {
                requests: count(body, "requests"),
                connections: count(body, "connections"),
                closed: count(body, "closed"),
                closed_by_client: count(body, "closed_by_client"),
                opened: body.get("opened").and_then(Value::as_bool).unwrap_or(false),
            };
            let timeout = millis(body, "timeout_ms").unwrap_or(Duration::from_secs(10));
            let met = server.wait_for(want, timeout).await;
            Ok(json!({ "met": met, "state": server.state_json() }))
        }
        ("DELETE", ["servers", id]) => {
            let server = find(id)?;
            control
                .servers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|_, s| !Arc::ptr_eq(s, &server));
            Ok(json!({}))
        }
        _ => Err((404, format!("no route {method} {path}"))),
    }
}
