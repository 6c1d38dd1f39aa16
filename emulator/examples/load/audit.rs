//! The consistency audit run after each epoch, when no send is in flight: every send
//! classified, the emulator's inbox and fault list compared with what the client saw, then
//! both cleared so the emulator's memory stays bounded however long the run.

use std::collections::{BTreeMap, HashMap, HashSet};

use sms_otp::{Error, SendResponse};
use sms_otp_emulator::{Emulator, MessageStatus};

use super::plan::{classify, Class, Plan};

/// One send, reduced as it ends (an epoch's records stay small, so the allocator's working
/// set does not dominate RSS): to `numbers[number]`, with `plan.faults[fault]` armed for it
/// (or none), its class or what is wrong, and the IDs of a success or the error code.
#[derive(Debug)]
pub struct Sent {
    pub number: usize,
    pub fault: Option<usize>,
    pub class: Result<Class, String>,
    pub outcome: Result<Ids, &'static str>,
}

/// `request_id`, `phone_id`, `user_id` of a success.
#[derive(Debug)]
pub struct Ids(pub String, pub String, pub String);

impl Sent {
    pub fn new(
        plan: &Plan,
        number: usize,
        fault: Option<usize>,
        result: Result<SendResponse, Error>,
    ) -> Sent {
        let class = classify(fault.map(|i| &plan.faults[i]), &result);
        let outcome = match result {
            Ok(r) => Ok(Ids(r.request_id, r.phone_id, r.user_id)),
            Err(e) => Err(e.code()),
        };
        Sent {
            number,
            fault,
            class,
            outcome,
        }
    }
}

/// Counts over the run, and what went wrong.
#[derive(Debug, Default)]
pub struct Totals {
    pub sends: u64,
    pub ok: u64,
    /// Error code → count.
    pub codes: BTreeMap<String, u64>,
    pub faults_armed: u64,
    pub faults_fired: u64,
    /// Messages recorded by faults that record before failing (process_then_reset).
    pub recorded_by_faults: u64,
    pub slow: u64,
    /// Slow (unfaulted, timed-out) sends the emulator did record.
    pub slow_recorded: u64,
    pub messages: u64,
    pub failures: Vec<String>,
    pub failure_count: u64,
}

impl Totals {
    pub fn fail(&mut self, what: String) {
        self.failure_count += 1;
        if self.failures.len() < 20 {
            self.failures.push(what);
        }
    }
}

#[derive(Default)]
struct PerNumber {
    recorded_by_faults: usize,
    slow: usize,
    messages: usize,
    /// Messages not created by a send the client saw succeed.
    extra: usize,
    active: usize,
    last_active: bool,
}

/// Audits one epoch's sends against the emulator, then clears its inbox and faults.
/// `phone_ids` remembers each number's phone_id across epochs: it must never change.
pub fn audit(
    plan: &Plan,
    emu: &Emulator,
    numbers: &[String],
    sent: Vec<Sent>,
    phone_ids: &mut HashMap<String, String>,
    totals: &mut Totals,
) {
    let mut per: HashMap<&str, PerNumber> = HashMap::new();
    // request_id → (number, phone_id, user_id) of each success.
    let mut ok_ids: HashMap<String, (usize, String, String)> = HashMap::new();
    let mut armed = 0usize;
    for s in sent {
        totals.sends += 1;
        let fault = s.fault.map(|i| &plan.faults[i]);
        armed += usize::from(fault.is_some());
        let p = per.entry(numbers[s.number].as_str()).or_default();
        match s.class {
            Ok(class) => {
                if class == Class::Slow {
                    totals.slow += 1;
                    p.slow += 1;
                }
                if class == Class::Faulted && fault.is_some_and(|f| f.expect.recorded) {
                    totals.recorded_by_faults += 1;
                    p.recorded_by_faults += 1;
                }
            }
            Err(what) => totals.fail(format!("{}: {what}", numbers[s.number])),
        }
        match s.outcome {
            Ok(Ids(request_id, phone_id, user_id)) => {
                totals.ok += 1;
                if let Some(_twice) =
                    ok_ids.insert(request_id.clone(), (s.number, phone_id, user_id))
                {
                    totals.fail(format!("request_id {request_id} answered twice"));
                }
            }
            Err(code) => *totals.codes.entry(code.to_owned()).or_default() += 1,
        }
    }
    totals.faults_armed += armed as u64;

    // Per number (small answers); the count cleared below must equal their sum, so no
    // message went to a number nobody sent to.
    let mut seen = HashSet::new();
    let mut counted = 0;
    for (&number, p) in per.iter_mut() {
        for m in emu.messages(Some(number)) {
            counted += 1;
            if !seen.insert(m.request_id.clone()) {
                totals.fail(format!("two messages carry request_id {}", m.request_id));
            }
            p.messages += 1;
            let is_active = m.status == MessageStatus::Active;
            p.active += usize::from(is_active);
            p.last_active = is_active;
            let known = phone_ids
                .entry(m.phone_number.clone())
                .or_insert_with(|| m.phone_id.clone());
            if *known != m.phone_id {
                totals.fail(format!(
                    "{number}: phone_id changed from {known} to {}",
                    m.phone_id
                ));
            }
            match ok_ids.remove(&m.request_id) {
                Some((n, phone_id, user_id)) => {
                    if numbers[n] != m.phone_number
                        || phone_id != m.phone_id
                        || user_id != m.user_id
                    {
                        totals.fail(format!(
                            "message {} does not match the response of its send",
                            m.request_id
                        ));
                    }
                }
                None => p.extra += 1,
            }
        }
    }
    for (request_id, (number, ..)) in ok_ids {
        totals.fail(format!(
            "{}: success {request_id} has no message (lost)",
            numbers[number]
        ));
    }
    for (number, p) in &per {
        // Extra messages: exactly those of process_then_reset, plus any slow send the
        // emulator finished after the client gave up.
        if p.extra < p.recorded_by_faults || p.extra > p.recorded_by_faults + p.slow {
            totals.fail(format!(
                "{number}: {} messages beyond the successes, expected {} (+ up to {} slow)",
                p.extra, p.recorded_by_faults, p.slow
            ));
        } else {
            totals.slow_recorded += (p.extra - p.recorded_by_faults) as u64;
        }
        if p.active > 1 {
            totals.fail(format!("{number}: {} active codes", p.active));
        }
        if p.messages > 0 && !p.last_active {
            totals.fail(format!("{number}: its latest code is not active"));
        }
    }

    let faults = emu.faults();
    if faults.len() != armed {
        totals.fail(format!(
            "{armed} faults armed, the emulator lists {}",
            faults.len()
        ));
    }
    for f in &faults {
        totals.faults_fired += u64::from(f.hits);
        if f.hits != 1 || f.remaining != 0 {
            totals.fail(format!(
                "fault {} for {:?} fired {} times (armed for 1 send)",
                f.fault_id, f.phone_number, f.hits
            ));
        }
    }
    let cleared = emu.clear_messages();
    totals.messages += cleared as u64;
    if cleared != counted {
        totals.fail(format!(
            "the inbox held {cleared} messages, {counted} of them to numbers sent to this epoch"
        ));
    }
    emu.clear_faults();
}
