//! Everything the emulator remembers, behind one mutex: users, sessions, phone numbers, the
//! inbox, rate-limit counters, faults and the virtual clock. Every method runs to completion
//! under the lock (nothing here awaits), so concurrent sends stay consistent.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sms_otp::{Locale, SANDBOX_PHONE_NUMBER};

use crate::api_errors::ApiError;
use crate::clock::{rfc3339, Clock};
use crate::ids::{is_uuid, uuid};
use crate::sms_text::sms_text;

/// The code every send to the sandbox number gets.
pub const SANDBOX_CODE: &str = "000000";

/// The state of a message's code, computed when the message is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// The latest code for its number, not yet expired.
    Active,
    /// A later send to the same number replaced it.
    Invalidated,
    /// Its `expires_at` has passed on the emulator's clock.
    Expired,
}

/// One SMS the emulator "sent", as `GET /_emulator/v1/messages` serialises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `message-test-<uuid>`.
    pub message_id: String,
    /// The E.164 number it was sent to.
    pub phone_number: String,
    /// The number's stable `phone-number-test-<uuid>`.
    pub phone_id: String,
    /// The user the number belongs to.
    pub user_id: String,
    /// The 6-digit code.
    pub code: String,
    /// The locale tag the text is in (`en` when the request gave none).
    pub locale: String,
    /// The SMS body.
    pub text: String,
    /// The `request_id` of the send that created it.
    pub request_id: String,
    /// When it was sent (RFC 3339, emulator clock).
    pub created_at: String,
    /// When the code expires (RFC 3339, emulator clock).
    pub expires_at: String,
    /// `active`, `invalidated` or `expired`, as of the read.
    pub status: MessageStatus,
}

/// What a fault does to the send it fires on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with `status` (default 500) and the matching Stytch error body.
    #[default]
    Error,
    /// Reset the TCP connection (RST) before anything is processed or recorded.
    ResetBeforeProcessing,
    /// Process the send (the SMS is recorded), then reset the connection instead of answering.
    ProcessThenReset,
    /// Answer with an HTML error page (status 502 unless `status` says otherwise).
    MalformedBody,
    /// Do not answer: until the client gives up or the emulator shuts down, or, with
    /// `delay_ms`, process the send normally after that delay (if the client is still there).
    Stall,
}

impl FaultKind {
    fn as_str(self) -> &'static str {
        match self {
            FaultKind::Error => "error",
            FaultKind::ResetBeforeProcessing => "reset_before_processing",
            FaultKind::ProcessThenReset => "process_then_reset",
            FaultKind::MalformedBody => "malformed_body",
            FaultKind::Stall => "stall",
        }
    }
}

/// A fault to inject (`POST /_emulator/v1/faults`). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What happens (default [`FaultKind::Error`]).
    #[serde(default)]
    pub kind: Option<FaultKind>,
    /// HTTP status: 400..=599 for `error` (default 500), 200..=599 for `malformed_body`
    /// (default 502). Not allowed for other kinds.
    #[serde(default)]
    pub status: Option<u16>,
    /// Stytch `error_type` of an `error` fault (default: the usual type of `status`).
    #[serde(default)]
    pub error_type: Option<String>,
    /// `Retry-After` header, in seconds, of an `error` fault.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long before acting (at most 600000). For `stall`, the stall's length.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many matching sends it fires on (default 1).
    #[serde(default)]
    pub times: Option<u32>,
    /// Fire only on sends to this number (default: any send).
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// A fault as `GET /_emulator/v1/faults` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultInfo {
    /// `fault-<uuid>`.
    pub fault_id: String,
    /// What it does.
    pub kind: FaultKind,
    /// The status it answers with (`error` and `malformed_body` only).
    pub status: Option<u16>,
    /// The error type it answers with (`error` only).
    pub error_type: Option<String>,
    /// Its `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// Its delay.
    pub delay_ms: Option<u64>,
    /// Only sends to this number trigger it.
    pub phone_number: Option<String>,
    /// How many sends it was armed for.
    pub times: u32,
    /// How many sends it fired on so far.
    pub hits: u32,
    /// `times - hits`.
    pub remaining: u32,
}

/// Longest accepted `delay_ms` of a fault.
pub const MAX_FAULT_DELAY_MS: u64 = 600_000;

impl FaultSpec {
    /// Checks the fields and fills the defaults.
    fn resolve(self, fault_id: String) -> Result<FaultInfo, String> {
        let kind = self.kind.unwrap_or_default();
        let status = match (kind, self.status) {
            (FaultKind::Error, None) => Some(500),
            (FaultKind::Error, Some(s @ 400..=599)) => Some(s),
            (FaultKind::Error, Some(s)) => {
                return Err(format!(
                    "status of an error fault must be from 400 to 599, got {s}"
                ))
            }
            (FaultKind::MalformedBody, None) => Some(502),
            (FaultKind::MalformedBody, Some(s @ 200..=599)) => Some(s),
            (FaultKind::MalformedBody, Some(s)) => {
                return Err(format!(
                    "status of a malformed_body fault must be from 200 to 599, got {s}"
                ))
            }
            (_, None) => None,
            (kind, Some(_)) => {
                return Err(format!(
                    "status applies only to kinds error and malformed_body, not {}",
                    kind.as_str()
                ))
            }
        };
        let only_error =
            |field: &str| format!("{field} applies only to kind error, not {}", kind.as_str());
        let error_type = match (kind, self.error_type) {
            (FaultKind::Error, Some(t)) if t.trim().is_empty() => {
                return Err("error_type must not be empty".into())
            }
            (FaultKind::Error, t) => Some(t.unwrap_or_else(|| {
                crate::api_errors::default_error_type(status.unwrap_or(500)).to_owned()
            })),
            (_, None) => None,
            (_, Some(_)) => return Err(only_error("error_type")),
        };
        if kind != FaultKind::Error && self.retry_after.is_some() {
            return Err(only_error("retry_after"));
        }
        if let Some(delay) = self.delay_ms {
            if delay > MAX_FAULT_DELAY_MS {
                return Err(format!(
                    "delay_ms must be at most {MAX_FAULT_DELAY_MS}, got {delay}"
                ));
            }
        }
        let times = self.times.unwrap_or(1);
        if times == 0 {
            return Err("times must be at least 1".into());
        }
        if self
            .phone_number
            .as_deref()
            .is_some_and(|p| p.trim().is_empty())
        {
            return Err("phone_number must not be empty when given".into());
        }
        Ok(FaultInfo {
            fault_id,
            kind,
            status,
            error_type,
            retry_after: self.retry_after,
            delay_ms: self.delay_ms,
            phone_number: self.phone_number,
            times,
            hits: 0,
            remaining: times,
        })
    }
}

/// A user made by `POST /_emulator/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// `user-test-<uuid>`.
    pub user_id: String,
    /// The number attached to it, when one was given.
    pub phone_number: Option<String>,
    /// That number's `phone_id`.
    pub phone_id: Option<String>,
}

/// A session made by `POST /_emulator/v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `session-test-<uuid>`.
    pub session_id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// An opaque 44-character token.
    pub session_token: String,
    /// A JWT-shaped token (its signature is random: nothing verifies it).
    pub session_jwt: String,
}

/// A send that passed every check that needs no state.
#[derive(Debug)]
pub(crate) struct SendParams {
    pub(crate) phone_number: String,
    pub(crate) expiration_minutes: i64,
    pub(crate) locale: Locale,
    pub(crate) user_id: Option<String>,
    pub(crate) session_token: Option<String>,
    pub(crate) session_jwt: Option<String>,
}

/// What a successful send answers.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) user_id: String,
    pub(crate) phone_id: String,
}

#[derive(Debug)]
struct Phone {
    phone_id: String,
    user_id: String,
    /// Index in `messages` of the latest message to this number: the only one that can
    /// still be active, since every send invalidates the earlier ones.
    last_message: Option<usize>,
}

#[derive(Debug)]
struct StoredMessage {
    seq: u64,
    message_id: String,
    phone_number: String,
    phone_id: String,
    user_id: String,
    code: String,
    locale: Locale,
    text: String,
    request_id: String,
    created_ms: i64,
    expires_ms: i64,
    invalidated: bool,
}

impl StoredMessage {
    fn view(&self, now_ms: i64) -> Message {
        let status = if self.invalidated {
            MessageStatus::Invalidated
        } else if now_ms >= self.expires_ms {
            MessageStatus::Expired
        } else {
            MessageStatus::Active
        };
        Message {
            message_id: self.message_id.clone(),
            phone_number: self.phone_number.clone(),
            phone_id: self.phone_id.clone(),
            user_id: self.user_id.clone(),
            code: self.code.clone(),
            locale: self.locale.as_str().to_owned(),
            text: self.text.clone(),
            request_id: self.request_id.clone(),
            created_at: rfc3339(self.created_ms),
            expires_at: rfc3339(self.expires_ms),
            status,
        }
    }
}

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
    users: HashSet<String>,
    sessions_by_token: HashMap<String, String>,
    sessions_by_jwt: HashMap<String, String>,
    phones: HashMap<String, Phone>,
    messages: Vec<StoredMessage>,
    next_seq: u64,
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
            users: HashSet::new(),
            sessions_by_token: HashMap::new(),
            sessions_by_jwt: HashMap::new(),
            phones: HashMap::new(),
            messages: Vec::new(),
            next_seq: 1,
            rate: HashMap::new(),
            faults: Vec::new(),
        }
    }

    /// Forgets everything: users, sessions, numbers, inbox, counters, faults; the clock goes
    /// back to real time and a seeded emulator restarts its sequences.
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

    /// Finds the first armed fault matching a send to `phone_number`, counts the hit and
    /// returns it.
    pub(crate) fn take_fault(&mut self, phone_number: Option<&str>) -> Option<FaultInfo> {
        let fault = self.faults.iter_mut().find(|f| {
            f.remaining > 0
                && f.phone_number
                    .as_deref()
                    .is_none_or(|wanted| Some(wanted) == phone_number)
        })?;
        fault.hits += 1;
        fault.remaining -= 1;
        Some(fault.clone())
    }

    pub(crate) fn add_fault(&mut self, spec: FaultSpec) -> Result<FaultInfo, String> {
        let id = self.id("fault-");
        let fault = spec.resolve(id)?;
        self.faults.push(fault.clone());
        Ok(fault)
    }

    pub(crate) fn faults(&self) -> Vec<FaultInfo> {
        self.faults.clone()
    }

    pub(crate) fn clear_faults(&mut self) -> usize {
        std::mem::take(&mut self.faults).len()
    }

    /// The state-dependent part of a send: who the number belongs to, the rate limit, then
    /// the new code, which invalidates the number's earlier active one.
    pub(crate) fn send(&mut self, p: SendParams, request_id: &str) -> Result<Sent, ApiError> {
        let now = self.clock.now_ms();
        let mut user = None;
        if let Some(user_id) = p.user_id {
            if !self.users.contains(&user_id) {
                return Err(ApiError::of("user_not_found"));
            }
            user = Some(user_id);
        }
        for (token, table) in [
            (&p.session_token, &self.sessions_by_token),
            (&p.session_jwt, &self.sessions_by_jwt),
        ] {
            if let Some(token) = token {
                let owner = table
                    .get(token)
                    .ok_or_else(|| ApiError::of("session_not_found"))?;
                if user.as_ref().is_some_and(|u| u != owner) {
                    // user_id and the session name different users.
                    return Err(ApiError::of("bad_request"));
                }
                user = Some(owner.clone());
            }
        }
        if let (Some(phone), Some(user)) = (self.phones.get(&p.phone_number), &user) {
            if &phone.user_id != user {
                return Err(ApiError::of("duplicate_phone_number"));
            }
        }
        let sandbox = p.phone_number == SANDBOX_PHONE_NUMBER;
        if !sandbox {
            let window_ms = self.limits.rate_window_ms;
            let window = now.div_euclid(window_ms);
            let counter = self
                .rate
                .entry(p.phone_number.clone())
                .or_insert((window, 0));
            if counter.0 != window {
                *counter = (window, 0);
            }
            if counter.1 >= self.limits.rate_limit {
                let next_window_ms = (window + 1).saturating_mul(window_ms);
                let wait_ms = next_window_ms.saturating_sub(now).max(0);
                let seconds = u64::try_from(wait_ms.saturating_add(999) / 1000)
                    .unwrap_or(1)
                    .max(1);
                return Err(ApiError::of("too_many_requests").retry_after(Some(seconds)));
            }
            counter.1 += 1;
        }

        if !self.phones.contains_key(&p.phone_number) {
            let user_id = match &user {
                Some(user) => user.clone(),
                None => {
                    let user_id = self.id("user-test-");
                    self.users.insert(user_id.clone());
                    user_id
                }
            };
            let phone_id = self.id("phone-number-test-");
            self.phones.insert(
                p.phone_number.clone(),
                Phone {
                    phone_id,
                    user_id,
                    last_message: None,
                },
            );
        }
        let Some(phone) = self.phones.get(&p.phone_number) else {
            return Err(ApiError::of("internal_server_error"));
        };
        let (phone_id, user_id, previous) = (
            phone.phone_id.clone(),
            phone.user_id.clone(),
            phone.last_message,
        );
        if let Some(old) = previous.and_then(|i| self.messages.get_mut(i)) {
            if now < old.expires_ms {
                old.invalidated = true;
            }
        }
        let code = if sandbox {
            SANDBOX_CODE.to_owned()
        } else {
            format!("{:06}", self.code_rng.u32(0..1_000_000))
        };
        let message_id = self.id("message-test-");
        let seq = self.next_seq;
        self.next_seq += 1;
        let index = self.messages.len();
        self.messages.push(StoredMessage {
            seq,
            message_id,
            phone_number: p.phone_number.clone(),
            phone_id: phone_id.clone(),
            user_id: user_id.clone(),
            text: sms_text(p.locale, &code, p.expiration_minutes),
            code,
            locale: p.locale,
            request_id: request_id.to_owned(),
            created_ms: now,
            expires_ms: now.saturating_add(p.expiration_minutes.saturating_mul(60_000)),
            invalidated: false,
        });
        if let Some(phone) = self.phones.get_mut(&p.phone_number) {
            phone.last_message = Some(index);
        }
        Ok(Sent { user_id, phone_id })
    }

    /// The inbox, oldest first, optionally for one number.
    pub(crate) fn messages(&self, phone_number: Option<&str>) -> Vec<Message> {
        let now = self.clock.now_ms();
        self.messages
            .iter()
            .filter(|m| phone_number.is_none_or(|p| p == m.phone_number))
            .map(|m| m.view(now))
            .collect()
    }

    /// The sequence number the next message will get.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The oldest message with a sequence number of at least `from_seq`, optionally for one
    /// number.
    pub(crate) fn message_since(
        &self,
        from_seq: u64,
        phone_number: Option<&str>,
    ) -> Option<Message> {
        self.messages
            .iter()
            .rev()
            .take_while(|m| m.seq >= from_seq)
            .filter(|m| phone_number.is_none_or(|p| p == m.phone_number))
            .last()
            .map(|m| m.view(self.clock.now_ms()))
    }

    /// Empties the inbox; numbers, users and counters stay.
    pub(crate) fn clear_messages(&mut self) -> usize {
        for phone in self.phones.values_mut() {
            phone.last_message = None;
        }
        std::mem::take(&mut self.messages).len()
    }

    pub(crate) fn create_user(&mut self, phone_number: Option<String>) -> Result<User, ApiError> {
        if phone_number
            .as_ref()
            .is_some_and(|p| self.phones.contains_key(p))
        {
            return Err(ApiError::of("duplicate_phone_number"));
        }
        let user_id = self.id("user-test-");
        self.users.insert(user_id.clone());
        let phone_id = match &phone_number {
            Some(number) => {
                let phone_id = self.id("phone-number-test-");
                self.phones.insert(
                    number.clone(),
                    Phone {
                        phone_id: phone_id.clone(),
                        user_id: user_id.clone(),
                        last_message: None,
                    },
                );
                Some(phone_id)
            }
            None => None,
        };
        Ok(User {
            user_id,
            phone_number,
            phone_id,
        })
    }

    pub(crate) fn create_session(&mut self, user_id: &str) -> Result<Session, ApiError> {
        if !user_id.strip_prefix("user-test-").is_some_and(is_uuid) {
            return Err(ApiError::of("invalid_user_id"));
        }
        if !self.users.contains(user_id) {
            return Err(ApiError::of("user_not_found"));
        }
        let session_id = self.id("session-test-");
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let random = |rng: &mut fastrand::Rng, n: usize| -> Vec<u8> {
            std::iter::repeat_with(|| rng.u8(..)).take(n).collect()
        };
        let session_token = b64.encode(random(&mut self.id_rng, 33));
        let kid = uuid(&mut self.id_rng);
        let now_s = self.clock.now_ms().div_euclid(1000);
        let header =
            serde_json::json!({"alg": "RS256", "kid": format!("jwk-test-{kid}"), "typ": "JWT"});
        let project_id = &self.limits.project_id;
        let claims = serde_json::json!({
            "aud": [project_id],
            "exp": now_s + 300,
            "https://stytch.com/session": {"id": session_id},
            "iat": now_s,
            "iss": format!("stytch.com/{project_id}"),
            "nbf": now_s,
            "sub": user_id,
        });
        let session_jwt = format!(
            "{}.{}.{}",
            b64.encode(header.to_string()),
            b64.encode(claims.to_string()),
            b64.encode(random(&mut self.id_rng, 64)),
        );
        self.sessions_by_token
            .insert(session_token.clone(), user_id.to_owned());
        self.sessions_by_jwt
            .insert(session_jwt.clone(), user_id.to_owned());
        Ok(Session {
            session_id,
            user_id: user_id.to_owned(),
            session_token,
            session_jwt,
        })
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
