//! The inbox: every SMS the emulator "sent", as the admin API shows it. A message points at
//! its code; emptying the inbox forgets the texts, not the codes (they still authenticate).

use serde::{Deserialize, Serialize};
use sms_otp::Locale;

use super::codes::CodeRecord;
use super::State;
use crate::clock::rfc3339;

/// The state of a message's code, computed when the message is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// The latest code for its number, not yet expired nor used.
    Active,
    /// A later send to the same number replaced it.
    Invalidated,
    /// Its `expires_at` has passed on the emulator's clock.
    Expired,
    /// `POST /v1/otps/authenticate` accepted it (a code is good once).
    Used,
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
    /// `active`, `invalidated`, `expired` or `used`, as of the read.
    pub status: MessageStatus,
}

#[derive(Debug)]
pub(super) struct StoredMessage {
    pub(super) seq: u64,
    pub(super) message_id: String,
    pub(super) phone_number: String,
    pub(super) phone_id: String,
    pub(super) user_id: String,
    pub(super) locale: Locale,
    pub(super) text: String,
    pub(super) request_id: String,
    pub(super) created_ms: i64,
    /// Its code, in `State::codes`.
    pub(super) code_index: usize,
}

impl StoredMessage {
    fn view(&self, code: Option<&CodeRecord>, now_ms: i64) -> Message {
        let (text_code, expires_ms, status) = match code {
            Some(code) => (code.code.clone(), code.expires_ms, code.status(now_ms)),
            None => (String::new(), self.created_ms, MessageStatus::Expired),
        };
        Message {
            message_id: self.message_id.clone(),
            phone_number: self.phone_number.clone(),
            phone_id: self.phone_id.clone(),
            user_id: self.user_id.clone(),
            code: text_code,
            locale: self.locale.as_str().to_owned(),
            text: self.text.clone(),
            request_id: self.request_id.clone(),
            created_at: rfc3339(self.created_ms),
            expires_at: rfc3339(expires_ms),
            status,
        }
    }
}

impl State {
    fn message_view(&self, m: &StoredMessage, now_ms: i64) -> Message {
        m.view(self.codes.get(m.code_index), now_ms)
    }

    /// The inbox, oldest first, optionally for one number.
    pub(crate) fn messages(&self, phone_number: Option<&str>) -> Vec<Message> {
        let now = self.clock.now_ms();
        self.messages
            .iter()
            .filter(|m| phone_number.is_none_or(|p| p == m.phone_number))
            .map(|m| self.message_view(m, now))
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
            .map(|m| self.message_view(m, self.clock.now_ms()))
    }

    /// Empties the inbox; numbers, users, codes and counters stay.
    pub(crate) fn clear_messages(&mut self) -> usize {
        std::mem::take(&mut self.messages).len()
    }
}
