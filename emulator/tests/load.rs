//! The load run (examples/load/, tests/load/run) for 3 s, so the normal suite exercises its
//! code path: 64 senders, random faults, epoch audits, fd/connection/RSS checks. It has this
//! test binary to itself, so the process-wide counts are its own.

#[path = "../examples/load/main.rs"]
mod load;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_load_run_passes_every_check() {
    let report = load::run(load::Options {
        seconds: Some(3.0),
        warmup: Some(1.0),
        seed: fastrand::u64(..),
        verbose: false,
    })
    .await
    .expect("the load run starts");
    println!("{}", report.line);
    assert!(
        report.failures.is_empty(),
        "{}\n{:#?}",
        report.line,
        report.failures
    );
}
