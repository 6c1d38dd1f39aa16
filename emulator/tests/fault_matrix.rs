//! The emulator half of the fault matrix (the `emulator` rows of tests/fault-matrix.json,
//! which Python and Node run too): every fault kind the emulator injects, through the real
//! client, on the first attempt and after connect-phase retries (through the hostile
//! server's refusing proxy, whose port refuses connections at first), ends in the documented error within its
//! deadline, with the documented number of sends reaching the emulator (each fault is armed
//! for 10 sends, so a retry that should not happen would fire it again and show in its
//! hit count). The hostile-server half: core/tests/fault_matrix.rs.

use std::time::{Duration, Instant};

use hostile::matrix::{self, EmulatorRow, FaultMatrix};
use hostile::RefusingProxy;
use sms_otp::SendRequest;
use sms_otp_emulator::{Config, Emulator, FaultSpec};

/// The hostile server (tests/hostile-server/src/lib.rs), compiled in.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/hostile-server/src/lib.rs"]
mod hostile;

const PHONE: &str = "+12025550162";

async fn run_row(m: &FaultMatrix, row: &EmulatorRow, refused: bool) {
    let EmulatorRow {
        name,
        fault,
        retry_rate_limited,
        expect: want,
    } = row;
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let mut spec: FaultSpec = serde_json::from_value(fault.clone())
        .unwrap_or_else(|e| panic!("{name}: not a fault spec: {e}"));
    spec.times = Some(m.emulator_fault_times);
    emu.inject_fault(spec.clone()).expect("fault armed");
    let proxy = refused.then(|| RefusingProxy::start(emu.local_addr(), Some(m.refused_for)));
    let url = proxy.as_ref().map_or_else(|| emu.url(), |p| p.url());
    let client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(url)
        .timeout(m.timeout)
        .connect_timeout(m.emulator_connect_timeout)
        .max_retries(
            u32::try_from(if refused {
                m.max_retries_refused
            } else {
                m.max_retries_first_attempt
            })
            .expect("a small retry count"),
        )
        .retry_rate_limited(*retry_rate_limited)
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
    assert_eq!(err.status_code(), want.status_code, "{label}");
    assert_eq!(
        err.phase().map(|p| p.as_str()),
        want.phase.as_deref(),
        "{label}"
    );
    assert_eq!(err.after_send(), want.after_send, "{label}");
    assert_eq!(err.retry_after(), want.retry_after, "{label}");
    tokio::time::sleep(want.settle).await;
    let faults = emu.faults();
    assert_eq!(
        faults[0].hits as usize, want.requests,
        "{label}: sends that reached the emulator"
    );
    assert_eq!(emu.messages(None).len(), want.messages, "{label}: messages");
    if refused {
        // At least one refused connect was retried before the sends that reached it.
        assert!(
            err.attempts() as usize > want.requests,
            "{label}: {} attempts",
            err.attempts()
        );
    } else {
        assert_eq!(err.attempts() as usize, want.requests, "{label}");
    }
    let extra = if refused {
        m.refused_for + m.refused_extra
    } else {
        Duration::ZERO
    };
    assert!(
        took >= want.within.0 && took <= want.within.1 + extra,
        "{label}: took {took:?}, wanted {:?}",
        want.within
    );
    drop(proxy);
    emu.shutdown().await;
}

/// Every emulator row, once each; the count must be the file's.
async fn run_all(refused: bool) {
    let m = matrix::load();
    let mut ran = 0;
    for row in &m.emulator {
        run_row(&m, row, refused).await;
        ran += 1;
    }
    assert_eq!(ran, m.emulator.len(), "rows run vs tests/fault-matrix.json");
    assert!(ran > 0, "tests/fault-matrix.json has no emulator rows");
    println!("fault matrix (emulator, refused first: {refused}): {ran} rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_on_the_first_attempt() {
    run_all(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_after_connect_phase_retries() {
    run_all(true).await;
}

/// The proxy itself: a send through it once it is open is one send, delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_after_refused_connects_is_delivered_once() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let proxy = RefusingProxy::start(emu.local_addr(), Some(matrix::load().refused_for));
    let url = proxy.url();
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
