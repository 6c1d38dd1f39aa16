//! Load run: one client, 64 concurrent senders (tokio tasks) against the in-process emulator
//! for `LOAD_SECONDS` (default 60), with random faults armed, then leak and consistency
//! checks; exits 1 when any fails. Run: `cargo run -p sms-otp-emulator --example load`
//! (tests/load/run runs all three languages). The sizes, the fault mix and the bounds are
//! tests/load/plan.json, shared with the Python and Node programs; tests/load/README.md
//! explains the checks. emulator/tests/load.rs runs it for 3 s in the normal suite.
//!
//! Each sender owns its phone numbers and arms a fault for one of them only right before
//! its own send to it (`times: 1`), so every fault fires on exactly the send it was armed
//! for and every result can be judged: success, or the documented error of that fault.
//! The run is cut into epochs; between epochs, with nothing in flight, the emulator's inbox
//! and fault list are audited against what the client saw, then cleared (so memory stays
//! bounded and RSS measures leaks, not the inbox).

mod audit;
mod plan;
mod procfs;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sms_otp::{Client, SendRequest};
use sms_otp_emulator::{Config, Emulator};

use audit::{audit, Sent, Totals};
use plan::Plan;
use procfs::Conns;

/// What the environment may change.
#[derive(Debug, Clone)]
pub struct Options {
    /// `LOAD_SECONDS` (default: the plan's 60).
    pub seconds: Option<f64>,
    /// `LOAD_WARMUP_SECONDS` (default: the plan's, one epoch).
    pub warmup: Option<f64>,
    /// `LOAD_SEED` (default: random; printed, so a run can be repeated).
    pub seed: u64,
    /// `LOAD_VERBOSE=1`: a line per epoch.
    pub verbose: bool,
}

impl Options {
    pub fn from_env() -> Result<Options, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let number = |name: &str| match var(name) {
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}={v:?} is not a number")),
            None => Ok(None),
        };
        let seconds = number("LOAD_SECONDS")?;
        let warmup = number("LOAD_WARMUP_SECONDS")?;
        let seed = match var("LOAD_SEED") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("LOAD_SEED={v:?} is not an integer"))?,
            None => fastrand::u64(..),
        };
        Ok(Options {
            seconds,
            warmup,
            seed,
            verbose: var("LOAD_VERBOSE").is_some_and(|v| v != "0"),
        })
    }
}

/// The summary line and every failed check (empty: passed).
#[derive(Debug)]
pub struct Report {
    pub line: String,
    pub failures: Vec<String>,
}

/// File descriptors, connections and memory at one moment.
#[derive(Debug, Clone, Copy)]
struct Sample {
    fds: usize,
    conns: Conns,
    rss_kib: u64,
}

impl Sample {
    fn take(port: u16) -> Sample {
        Sample {
            fds: procfs::fd_count(),
            conns: procfs::conns(port),
            rss_kib: procfs::rss_kib(),
        }
    }

    /// Descriptors that are not connections to the emulator: these must not grow.
    fn other_fds(&self) -> usize {
        self.fds.saturating_sub(self.conns.fds)
    }
}

/// Waits until `done` holds for the connections to `port`, or `within` passed. Socket state
/// changes have no event to wait on, so this polls (every 10 ms, bounded).
async fn settle(port: u16, within: Duration, done: impl Fn(Conns) -> bool) -> Conns {
    let deadline = Instant::now() + within;
    loop {
        let conns = procfs::conns(port);
        if done(conns) || Instant::now() >= deadline {
            return conns;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One sender until `until`: round-robin over its numbers, a fault armed before a send with
/// probability `fault_rate`.
async fn sender(
    client: Client,
    emu: Arc<Emulator>,
    plan: Arc<Plan>,
    numbers: Arc<Vec<String>>,
    mine: Vec<usize>,
    until: Instant,
    seed: u64,
) -> Result<Vec<Sent>, String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut sent = Vec::new();
    let mut turn = 0;
    while Instant::now() < until {
        let number = mine[turn % mine.len()];
        turn += 1;
        let fault = (rng.f64() < plan.fault_rate).then(|| rng.usize(..plan.faults.len()));
        if let Some(i) = fault {
            let mut spec = plan.faults[i].fault.clone();
            spec.phone_number = Some(numbers[number].clone());
            spec.times = Some(1);
            emu.inject_fault(spec)
                .map_err(|e| format!("arming {}: {e}", plan.faults[i].name))?;
        }
        let request = SendRequest {
            phone_number: numbers[number].clone(),
            ..Default::default()
        };
        let result = client.otps.sms.send(request).await;
        sent.push(Sent::new(&plan, number, fault, result));
    }
    Ok(sent)
}

/// Runs every sender for `length` and collects their sends.
async fn epoch(
    client: &Client,
    emu: &Arc<Emulator>,
    plan: &Arc<Plan>,
    numbers: &Arc<Vec<String>>,
    length: Duration,
    rng: &mut fastrand::Rng,
    totals: &mut Totals,
) -> Vec<Sent> {
    let until = Instant::now() + length;
    let per = plan.numbers_per_sender;
    let tasks: Vec<_> = (0..plan.concurrency)
        .map(|s| {
            let mine = (s * per..(s + 1) * per).collect();
            tokio::spawn(sender(
                client.clone(),
                emu.clone(),
                plan.clone(),
                numbers.clone(),
                mine,
                until,
                rng.u64(..),
            ))
        })
        .collect();
    let mut sent = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(s)) => sent.extend(s),
            Ok(Err(what)) => totals.fail(what),
            Err(e) => totals.fail(format!("a sender task failed: {e}")),
        }
    }
    sent
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The whole run: warm-up, epochs, audits, leak checks.
pub async fn run(opts: Options) -> Result<Report, String> {
    let plan = Arc::new(Plan::load()?);
    let seconds = opts.seconds.unwrap_or(plan.seconds);
    let emu = Emulator::start(Config {
        rate_limit: plan.rate_limit,
        ..Config::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let emu = Arc::new(emu);
    let port = emu.local_addr().port();
    let client = Client::builder(emu.project_id(), emu.secret())
        .base_url(emu.url())
        .timeout(Duration::from_millis(plan.timeout_ms))
        .build()
        .map_err(|e| e.to_string())?;
    let numbers: Arc<Vec<String>> = Arc::new(
        (0..plan.concurrency * plan.numbers_per_sender)
            .map(|i| format!("+1202555{:04}", 1000 + i))
            .collect(),
    );
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let mut phone_ids = HashMap::new();

    // Warm-up: the same load, audited, so pools, runtimes and allocator arenas reach their
    // working size before the start sample.
    let mut warm = Totals::default();
    let warmup = Duration::from_secs_f64(opts.warmup.unwrap_or(plan.warmup_seconds));
    let sent = epoch(&client, &emu, &plan, &numbers, warmup, &mut rng, &mut warm).await;
    audit(&plan, &emu, &numbers, sent, &mut phone_ids, &mut warm);
    let start = Sample::take(port);

    let mut totals = Totals::default();
    let total = Duration::from_secs_f64(seconds);
    let began = Instant::now();
    let mut sending = Duration::ZERO;
    let mut n = 0;
    while began.elapsed() < total {
        n += 1;
        let length = Duration::from_secs_f64(plan.epoch_seconds).min(total - began.elapsed());
        let t = Instant::now();
        let sent = epoch(
            &client,
            &emu,
            &plan,
            &numbers,
            length,
            &mut rng,
            &mut totals,
        )
        .await;
        sending += t.elapsed();
        let count = sent.len();
        audit(&plan, &emu, &numbers, sent, &mut phone_ids, &mut totals);
        if opts.verbose {
            let s = Sample::take(port);
            eprintln!(
                "epoch {n}: {count} sends, fds {}, conns {}/{}, rss {:.1} MiB",
                s.fds,
                s.conns.client,
                s.conns.server,
                mib(s.rss_kib)
            );
        }
    }

    // Idle, client alive: the pool keeps what the senders used, plus connections its
    // background connects finished after an idle one won the race (hyper keeps those), so
    // `idle_per_sender` per sender at most; every server-side socket must belong to one of
    // them (no orphan left by a reset or stall).
    let settle_for = Duration::from_millis(plan.settle_ms);
    settle(port, settle_for, |c| c.server == c.client).await;
    let end = Sample::take(port);
    // Client dropped: every connection must close, on both sides.
    drop(client);
    let dropped_conns = settle(port, settle_for, |c| c.client == 0 && c.server == 0).await;
    let dropped_fds = procfs::fd_count();

    let mut failures: Vec<String> = warm
        .failures
        .iter()
        .map(|f| format!("warm-up: {f}"))
        .collect();
    failures.extend(totals.failures.iter().cloned());
    if totals.failure_count > totals.failures.len() as u64 {
        failures.push(format!("... {} failures in all", totals.failure_count));
    }
    let slack = plan.bounds.fd_slack;
    let mut check = |ok: bool, what: String| {
        if !ok {
            failures.push(what);
        }
    };
    check(totals.sends > 0, "no sends".into());
    check(
        end.conns.client <= plan.concurrency * plan.bounds.idle_per_sender,
        format!(
            "{} idle client connections, more than {} per sender",
            end.conns.client, plan.bounds.idle_per_sender
        ),
    );
    check(
        end.conns.server == end.conns.client,
        format!(
            "idle: {} server-side sockets for {} client connections",
            end.conns.server, end.conns.client
        ),
    );
    check(
        end.other_fds() <= start.other_fds() + slack,
        format!(
            "file descriptors other than connections grew from {} to {}",
            start.other_fds(),
            end.other_fds()
        ),
    );
    check(
        dropped_conns == Conns::default(),
        format!("after the client was dropped: {dropped_conns:?} still open"),
    );
    check(
        dropped_fds <= start.other_fds() + slack,
        format!(
            "after the client was dropped: {dropped_fds} fds, {} at the start without connections",
            start.other_fds()
        ),
    );
    // Generous: freed memory the allocator keeps (arenas of many threads) is not a leak; a
    // leak grows with the sends and passes this within a minute of load.
    let growth = mib(end.rss_kib) - mib(start.rss_kib);
    let bound = plan
        .bounds
        .rss_growth_mib
        .max(plan.bounds.rss_growth_ratio * mib(start.rss_kib));
    check(
        growth <= bound,
        format!("RSS grew by {growth:.1} MiB (bound {bound:.1} MiB)"),
    );
    let accounted = totals.ok + totals.recorded_by_faults + totals.slow_recorded;
    check(
        totals.messages == accounted,
        format!(
            "{} messages recorded, {accounted} accounted for",
            totals.messages
        ),
    );

    let codes: Vec<String> = totals
        .codes
        .iter()
        .map(|(c, n)| format!("{c}={n}"))
        .collect();
    let line = format!(
        "load[rust] {seconds:.0}s seed={} sends={} ok={} {} slow={} faults_fired={}/{} messages={} \
         (ok {} + process_then_reset {} + slow {}) sends/s={:.0} epochs={n} fds={}/{} (dropped {}) \
         conns={}/{} (dropped {}) rss={:.1}/{:.1} MiB: {}",
        opts.seed,
        totals.sends,
        totals.ok,
        codes.join(" "),
        totals.slow,
        totals.faults_fired,
        totals.faults_armed,
        totals.messages,
        totals.ok,
        totals.recorded_by_faults,
        totals.slow_recorded,
        totals.sends as f64 / sending.as_secs_f64().max(1e-9),
        start.fds,
        end.fds,
        dropped_fds,
        start.conns.client,
        end.conns.client,
        dropped_conns.client + dropped_conns.server,
        mib(start.rss_kib),
        mib(end.rss_kib),
        if failures.is_empty() { "PASS" } else { "FAIL" },
    );
    if let Ok(emu) = Arc::try_unwrap(emu) {
        emu.shutdown().await;
    }
    Ok(Report { line, failures })
}

#[allow(dead_code)] // emulator/tests/load.rs compiles this file as a module and calls `run`
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let report = match Options::from_env() {
        Ok(opts) => run(opts).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(report) => {
            for f in &report.failures {
                eprintln!("FAILED: {f}");
            }
            println!("{}", report.line);
            if report.failures.is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("load run could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
