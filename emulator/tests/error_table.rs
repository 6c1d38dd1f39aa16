//! tests/emulator-errors.json against the emulator: every row, injected as a fault, is
//! answered with its status, its error type and its message. The secret sweeps of all three
//! languages inject the same rows, so the table exists once.

use serde_json::Value;
use sms_otp::SendRequest;
use sms_otp_emulator::{Config, Emulator, FaultSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_of_the_error_table_is_what_the_emulator_answers() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/emulator-errors.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    let rows = doc["rows"].as_array().expect("rows");
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let client = sms_otp::Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .max_retries(0)
        .build()
        .expect("client");
    let mut ran = 0;
    for row in rows {
        let status = u16::try_from(row["status"].as_u64().expect("status")).expect("status");
        let error_type = row["error_type"].as_str().expect("error_type");
        let message = row["message"].as_str().expect("message");
        emu.inject_fault(FaultSpec {
            status: Some(status),
            error_type: Some(error_type.to_owned()),
            ..FaultSpec::default()
        })
        .expect("fault");
        let err = client
            .otps
            .sms
            .send(SendRequest {
                phone_number: "+12025550162".into(),
                ..SendRequest::default()
            })
            .await
            .expect_err("the fault answers");
        assert_eq!(err.status_code(), Some(status), "{row}");
        assert_eq!(err.error_type(), Some(error_type), "{row}");
        assert_eq!(err.error_message(), Some(message), "{row}");
        ran += 1;
    }
    assert_eq!(ran, rows.len());
    assert!(ran > 20, "only {ran} rows in tests/emulator-errors.json");
    emu.shutdown().await;
}
