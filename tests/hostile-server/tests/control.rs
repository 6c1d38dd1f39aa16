//! The `sms-otp-hostile` program as the Python and Node suites use it: started, it prints
//! its control URL; through it a hostile server is started, answers as scripted, records
//! what reached it, and stops. (Being an integration test of this package, it also makes
//! `cargo test --workspace` build the program before the Python and Node steps of
//! tests/run-all, which find it under target/debug.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// One control call: (status, JSON answer).
fn call(port: u16, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = body.to_string();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let json = answer.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(json).unwrap())
}

/// A raw HTTP exchange with a hostile server: everything it sent until it closed.
fn exchange(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn the_program_serves_scripted_servers_through_its_control_endpoint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sms-otp-hostile"))
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sms-otp-hostile");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .parse()
        .unwrap();

    let script = json!([
        {"kind": "stytch_error", "status": 429, "error_type": "too_many_requests",
         "headers": [["Retry-After", "3"]]},
        {"kind": "raw", "bytes": [{"text": "HTTP/1.1 200 OK\r\n"}, {"text": "X-{i}: y\r\n", "repeat": 2},
                                  {"text": "Content-Length: 2\r\n\r\n"}, {"hex": "7b7d"}]},
    ]);
    let (status, made) = call(port, "POST", "/servers", &json!({ "script": script }));
    assert_eq!(status, 200, "{made}");
    let (id, hostile) = (made["id"].as_u64().unwrap(), made["port"].as_u64().unwrap());
    let hostile = u16::try_from(hostile).unwrap();
    let request = "POST /v1/otps/sms/send HTTP/1.1\r\nHost: h\r\nAuthorization: Basic eA==\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    let first = exchange(hostile, request);
    assert!(
        first.starts_with("HTTP/1.1 429 Too Many Requests\r\n"),
        "{first}"
    );
    assert!(first.contains("Retry-After: 3\r\n") && first.contains("too_many_requests"));
    let second = exchange(hostile, request);
    assert_eq!(
        second,
        "HTTP/1.1 200 OK\r\nX-0: y\r\nX-1: y\r\nContent-Length: 2\r\n\r\n{}"
    );

    let (_, waited) = call(
        port,
        "POST",
        &format!("/servers/{id}/wait"),
        &json!({"requests": 2, "connections": 2, "timeout_ms": 5000}),
    );
    assert_eq!(waited["met"], true, "{waited}");
    let (_, state) = call(port, "GET", &format!("/servers/{id}"), &json!({}));
    let recorded = &state["requests"][0];
    assert_eq!(recorded["method"], "POST");
    assert_eq!(recorded["path"], "/v1/otps/sms/send");
    assert_eq!(recorded["version"], "HTTP/1.1");
    assert_eq!(
        recorded["headers"][1],
        json!(["Authorization", "Basic eA=="])
    );
    assert_eq!(recorded["body"], "{}");

    // A shared case's steps, read by the server itself; a behaviour it does not know.
    let (status, _) = call(
        port,
        "POST",
        "/servers",
        &json!({"case_steps": [{"respond": 200}]}),
    );
    assert_eq!(status, 200);
    let (status, err) = call(
        port,
        "POST",
        "/servers",
        &json!({"script": [{"kind": "nope"}]}),
    );
    assert_eq!(
        (status, err["error"].as_str().unwrap()),
        (400, "unknown behaviour kind \"nope\"")
    );

    // A refusing server refuses until opened; DELETE stops it.
    let (_, refusing) = call(port, "POST", "/servers", &json!({"refuse": true}));
    let refusing_port = u16::try_from(refusing["port"].as_u64().unwrap()).unwrap();
    assert!(TcpStream::connect(("127.0.0.1", refusing_port)).is_err());
    let rid = refusing["id"].as_u64().unwrap();
    call(
        port,
        "POST",
        &format!("/servers/{rid}/open"),
        &json!({"after_ms": 0}),
    );
    let (_, opened) = call(
        port,
        "POST",
        &format!("/servers/{rid}/wait"),
        &json!({"opened": true, "timeout_ms": 5000}),
    );
    assert_eq!(opened["met"], true);
    assert!(exchange(refusing_port, request).starts_with("HTTP/1.1 200 OK"));
    let (status, _) = call(port, "DELETE", &format!("/servers/{id}"), &json!({}));
    assert_eq!(status, 200);
    assert_eq!(
        call(port, "GET", &format!("/servers/{id}"), &json!({})).0,
        404
    );

    // Its standard input closing ends it.
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}
