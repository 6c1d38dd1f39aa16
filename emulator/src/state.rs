//! Everything the emulator remembers, behind one mutex: users, phone numbers, codes, the
//! inbox, sessions, rate-limit counters, faults and the virtual clock. Every method runs to
//! completion under the lock (nothing here awaits), so concurrent requests stay consistent.

mod authenticate;
mod codes;
mod faults;
mod inbox;
mod sessions;
mod users;

use std::collections::HashMap;

pub(crate) use authenticate::AuthenticateParams;
pub use authenticate::MAX_FAILED_ATTEMPTS;
pub(crate) use codes::{CodeParams, LoginParams, SendParams};
pub use faults::{FaultInfo, FaultKind, FaultSpec, MAX_FAULT_DELAY_MS};
pub use inbox::{Message, MessageStatus};
pub use sessions::{
    AuthenticationFactor, PhoneNumberFactor, Session, SessionAttributes, SessionInfo,
    SessionStatus, DEFAULT_SEEDED_SESSION_MINUTES,
};
pub use users::{PhoneInfo, User, UserInfo, UserStatus};

use codes::CodeRecord;
use inbox::StoredMessage;
use sessions::SessionRecord;
use users::{Phone, UserRecord};

use crate::clock::Clock;
use crate::ids::uuid;

/// The code every send to the sandbox number gets.
pub const SANDBOX_CODE: &str = "000000";

/// Limits that do not change while the emulator runs.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) project_id: String,
    pub(crate) seed: Option<u64>,
    pub(crate) rate_limit: u32,
    pub(crate) rate_window_ms: i64,
}

#[derive(Debug)]
pub(crate) struct State {
    limits: Limits,
    clock: Clock,
    code_rng: fastrand::Rng,
    id_rng: fastrand::Rng,
    users: HashMap<String, UserRecord>,
    /// User IDs, oldest first.
    user_order: Vec<String>,
    /// By E.164 number.
    phones: HashMap<String, Phone>,
    /// phone_id to E.164 number.
    phone_ids: HashMap<String, String>,
    /// Every code ever sent (until reset); phones and messages point into it.
    codes: Vec<CodeRecord>,
    messages: Vec<StoredMessage>,
    next_seq: u64,
    sessions: Vec<SessionRecord>,
    sessions_by_token: HashMap<String, usize>,
    /// Every JWT issued for a session.
    sessions_by_jwt: HashMap<String, usize>,
    /// Per number: (window index, sends counted in it).
    rate: HashMap<String, (i64, u32)>,
    faults: Vec<FaultInfo>,
}

fn rngs(seed: Option<u64>) -> (fastrand::Rng, fastrand::Rng) {
    match seed {
        // Codes and IDs come from separate streams, so the sequence of codes depends only on
        // the sequence of successful sends.
        Some(seed) => (
            fastrand::Rng::with_seed(seed),
            fastrand::Rng::with_seed(seed ^ 0x9e37_79b9_7f4a_7c15),
        ),
        None => (fastrand::Rng::new(), fastrand::Rng::new()),
    }
}

impl State {
    pub(crate) fn new(limits: Limits) -> State {
        let (code_rng, id_rng) = rngs(limits.seed);
        State {
            limits,
            clock: Clock::new(),
            code_rng,
            id_rng,
            users: HashMap::new(),
            user_order: Vec::new(),
            phones: HashMap::new(),
            phone_ids: HashMap::new(),
            codes: Vec::new(),
            messages: Vec::new(),
            next_seq: 1,
            sessions: Vec::new(),
            sessions_by_token: HashMap::new(),
            sessions_by_jwt: HashMap::new(),
            rate: HashMap::new(),
            faults: Vec::new(),
        }
    }

    /// Forgets everything: users, sessions, numbers, codes, inbox, counters, faults; the
    /// clock goes back to real time and a seeded emulator restarts its sequences.
    pub(crate) fn reset(&mut self) {
        let next_seq = self.next_seq;
        *self = State::new(self.limits.clone());
        // Sequence numbers keep growing so a long-poll started before the reset still only
        // sees messages created after it started.
        self.next_seq = next_seq;
    }

    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", uuid(&mut self.id_rng))
    }

    pub(crate) fn request_id(&mut self) -> String {
        self.id("request-id-test-")
    }

    pub(crate) fn advance_clock_ms(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) fn clock_offset_ms(&self) -> i64 {
        self.clock.offset_ms()
    }
}
