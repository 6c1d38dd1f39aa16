//! The `sms-otp` binary as a user runs it: output, exit codes, signals.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn sms_otp() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sms-otp"));
    cmd.env_remove("STYTCH_PROJECT_ID")
        .env_remove("STYTCH_SECRET")
        .env_remove("STYTCH_BASE_URL");
    cmd
}

#[test]
fn send_with_the_embedded_emulator_prints_the_response_and_the_code() {
    let out = sms_otp()
        .args(["send", "+12025550162", "--emulator"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("request_id:  request-id-test-"), "{stdout}");
    assert!(
        stdout.contains("phone_id:    phone-number-test-"),
        "{stdout}"
    );
    assert!(stdout.contains("status_code: 200"), "{stdout}");
    let code = stdout
        .lines()
        .find_map(|l| l.strip_prefix("delivered code: "))
        .unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
}

#[test]
fn json_output_is_one_object() {
    let out = sms_otp()
        .args([
            "send",
            "+10000000000",
            "--emulator",
            "--json",
            "--locale",
            "fr",
            "--expiration-minutes",
            "3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["delivered_code"], "000000");
    assert_eq!(value["response"]["status_code"], 200);
}

#[test]
fn mistakes_exit_2_and_api_errors_exit_1_without_backtraces() {
    for (args, code, needle) in [
        (vec!["send", "2025550162", "--emulator"], 2, "phone_number"),
        (
            vec!["send", "+12025550162", "--locale", "pt-BR", "--emulator"],
            2,
            "did you mean",
        ),
        (
            vec![
                "send",
                "+12025550162",
                "--expiration-minutes",
                "11",
                "--emulator",
            ],
            2,
            "expiration_minutes",
        ),
        (vec!["send", "+12025550162"], 2, "STYTCH_PROJECT_ID"),
        (
            vec!["send", "+442079460958", "--emulator"],
            1,
            "invalid_phone_number_country_code",
        ),
        (vec!["send"], 2, "PHONE"),
        (vec!["nonsense"], 2, "nonsense"),
    ] {
        let out = sms_otp().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("stack backtrace"),
            "{stderr}"
        );
    }
}

#[test]
fn send_uses_the_environment_credentials_and_base_url() {
    let out = sms_otp()
        .args(["send", "+12025550162", "--base-url", "http://127.0.0.1:9"])
        .env("STYTCH_PROJECT_ID", "project-test-x")
        .env("STYTCH_SECRET", "secret-test-MARKER")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("network_error") && !stderr.contains("MARKER"),
        "{stderr}"
    );
}

#[test]
fn the_emulator_subcommand_listens_and_stops_cleanly_on_sigterm() {
    for signal in ["-TERM", "-INT"] {
        let mut child = sms_otp()
            .args(["emulator", "--port", "0", "--seed", "7"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        // It serves: a send through the CLI against it succeeds.
        let out = sms_otp()
            .args(["send", "+12025550162", "--base-url", &url])
            .env(
                "STYTCH_PROJECT_ID",
                "project-test-00000000-0000-0000-0000-000000000000",
            )
            .env("STYTCH_SECRET", "secret-test-emulator")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait()));
        let status = rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("did not stop on {signal}"))
            .unwrap();
        assert_eq!(status.code(), Some(0), "{signal}");
    }
}

#[test]
fn the_emulator_refuses_live_credentials() {
    let out = sms_otp()
        .args(["emulator", "--project-id", "project-live-abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("live credentials"));
}

#[test]
fn the_emulator_serves_https_with_tls_and_writes_its_ca_first() {
    let dir = std::env::temp_dir().join(format!("sms-otp-cli-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut child = sms_otp()
        .args(["emulator", "--tls", "--tls-ca-out"])
        .arg(&ca)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("listening on https://127.0.0.1:"),
        "{line}"
    );
    // Written before the line: a client may read it as soon as it sees the URL.
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();

    // The CA file only makes sense with --tls.
    let out = sms_otp()
        .args(["emulator", "--tls-ca-out"])
        .arg(&ca)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls"));
}

#[test]
fn login_or_create_against_the_embedded_emulator_shows_a_whole_login() {
    let out = sms_otp()
        .args(["login-or-create", "+12025550162", "--emulator"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "== 1. login_or_create",
        "user_created: true",
        "delivered code: ",
        "refused: invalid_code (otp_code_not_found): ask the user again",
        "session_id:  session-test-",
        "refused: invalid_code (unable_to_auth_otp_code): send a new code",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
    // Text output never shows the session secrets.
    assert!(!stdout.contains("eyJ"), "{stdout}");

    let out = sms_otp()
        .args(["login-or-create", "+12025550162", "--emulator", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(steps.as_array().map(Vec::len), Some(5), "{steps}");
}

#[test]
fn authenticate_refuses_bad_arguments_before_any_request() {
    let out = sms_otp()
        .args(["authenticate", "phone-number-test-x", "12345"])
        .env(
            "STYTCH_PROJECT_ID",
            "project-test-00000000-0000-0000-0000-000000000000",
        )
        .env("STYTCH_SECRET", "secret-test-x")
        .env("STYTCH_BASE_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("method_id"), "{stderr}");
    assert!(!stderr.contains("12345"), "the code is a secret: {stderr}");
}
