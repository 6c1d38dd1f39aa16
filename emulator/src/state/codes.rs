//! Sending codes: `send` and `login_or_create` (who the number belongs to, the rate limit,
//! the new code that replaces the number's previous one, the inbox message).

use sms_otp::{Locale, SANDBOX_PHONE_NUMBER};

use super::inbox::{MessageStatus, StoredMessage};
use super::users::UserStatus;
use super::{State, SANDBOX_CODE};
use crate::api_errors::ApiError;
use crate::sms_text::sms_text;

/// One code sent to a number.
#[derive(Debug)]
pub(crate) struct CodeRecord {
    pub(crate) code: String,
    pub(crate) expires_ms: i64,
    /// A later send to the same number replaced it before it expired.
    pub(crate) invalidated: bool,
    /// `authenticate` accepted it.
    pub(crate) used: bool,
    /// The `attributes` of the send, for `options.ip_match_required` and
    /// `options.user_agent_match_required`.
    pub(crate) ip_address: Option<String>,
    pub(crate) user_agent: Option<String>,
}

impl CodeRecord {
    pub(crate) fn status(&self, now_ms: i64) -> MessageStatus {
        if self.used {
            MessageStatus::Used
        } else if self.invalidated {
            MessageStatus::Invalidated
        } else if now_ms >= self.expires_ms {
            MessageStatus::Expired
        } else {
            MessageStatus::Active
        }
    }
}

/// What every code-sending request carries, checked by the stateless parsers.
#[derive(Debug)]
pub(crate) struct CodeParams {
    pub(crate) phone_number: String,
    pub(crate) expiration_minutes: i64,
    pub(crate) locale: Locale,
    pub(crate) ip_address: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// A send that passed every check that needs no state.
#[derive(Debug)]
pub(crate) struct SendParams {
    pub(crate) code: CodeParams,
    pub(crate) user_id: Option<String>,
    pub(crate) session_token: Option<String>,
    pub(crate) session_jwt: Option<String>,
}

/// A `login_or_create` that passed every check that needs no state.
#[derive(Debug)]
pub(crate) struct LoginParams {
    pub(crate) code: CodeParams,
    pub(crate) create_user_as_pending: bool,
}

/// What a successful send or `login_or_create` answers.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) user_id: String,
    pub(crate) phone_id: String,
    pub(crate) user_created: bool,
}

impl State {
    /// The state-dependent part of a send: who the number belongs to, the rate limit, then
    /// the new code.
    pub(crate) fn send(&mut self, p: SendParams, request_id: &str) -> Result<Sent, ApiError> {
        let mut user = None;
        if let Some(user_id) = p.user_id {
            if !self.users.contains_key(&user_id) {
                return Err(ApiError::of("user_not_found"));
            }
            user = Some(user_id);
        }
        for (token, is_jwt) in [(&p.session_token, false), (&p.session_jwt, true)] {
            if let Some(token) = token {
                let index = self.find_session(token, is_jwt)?;
                let owner = &self.sessions[index].user_id;
                if user.as_ref().is_some_and(|u| u != owner) {
                    // user_id and the session name different users.
                    return Err(ApiError::of("bad_request"));
                }
                user = Some(owner.clone());
            }
        }
        let number = &p.code.phone_number;
        if let (Some(phone), Some(user)) = (self.phones.get(number), &user) {
            if &phone.user_id != user {
                return Err(ApiError::of("duplicate_phone_number"));
            }
        }
        self.count_send(number)?;
        let mut user_created = false;
        if !self.phones.contains_key(number) {
            let owner = match user {
                Some(user) => user,
                None => {
                    user_created = true;
                    self.new_user(UserStatus::Active)
                }
            };
            self.attach_phone(number, &owner);
        }
        self.issue_code(&p.code, request_id, user_created)
    }

    /// The state-dependent part of `login_or_create`: the rate limit, the user (made, pending
    /// when asked, if no user has the number), then the new code.
    pub(crate) fn login_or_create(
        &mut self,
        p: LoginParams,
        request_id: &str,
    ) -> Result<Sent, ApiError> {
        let number = &p.code.phone_number;
        self.count_send(number)?;
        let mut user_created = false;
        if !self.phones.contains_key(number) {
            let status = if p.create_user_as_pending {
                UserStatus::Pending
            } else {
                UserStatus::Active
            };
            let user_id = self.new_user(status);
            self.attach_phone(number, &user_id);
            user_created = true;
        }
        self.issue_code(&p.code, request_id, user_created)
    }

    /// Counts a send to `number` in its rate-limit window, or refuses it (429 with the
    /// seconds to the next window). The sandbox number is exempt.
    fn count_send(&mut self, number: &str) -> Result<(), ApiError> {
        if number == SANDBOX_PHONE_NUMBER {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let window_ms = self.limits.rate_window_ms;
        let window = now.div_euclid(window_ms);
        let counter = self.rate.entry(number.to_owned()).or_insert((window, 0));
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
        Ok(())
    }

    /// A new code for a known number: the previous one is invalidated (when still
    /// unexpired), the failed-attempt count starts again, and the SMS lands in the inbox.
    fn issue_code(
        &mut self,
        p: &CodeParams,
        request_id: &str,
        user_created: bool,
    ) -> Result<Sent, ApiError> {
        let now = self.clock.now_ms();
        let sandbox = p.phone_number == SANDBOX_PHONE_NUMBER;
        let code = if sandbox {
            SANDBOX_CODE.to_owned()
        } else {
            format!("{:06}", self.code_rng.u32(0..1_000_000))
        };
        let message_id = self.id("message-test-");
        let code_index = self.codes.len();
        let Some(phone) = self.phones.get_mut(&p.phone_number) else {
            return Err(ApiError::of("internal_server_error"));
        };
        if let Some(old) = phone.codes.last().and_then(|&i| self.codes.get_mut(i)) {
            if now < old.expires_ms && !old.used {
                old.invalidated = true;
            }
        }
        phone.codes.push(code_index);
        phone.failed_attempts = 0;
        let (phone_id, user_id) = (phone.phone_id.clone(), phone.user_id.clone());
        self.messages.push(StoredMessage {
            seq: self.next_seq,
            message_id,
            phone_number: p.phone_number.clone(),
            phone_id: phone_id.clone(),
            user_id: user_id.clone(),
            locale: p.locale,
            text: sms_text(p.locale, &code, p.expiration_minutes),
            request_id: request_id.to_owned(),
            created_ms: now,
            code_index,
        });
        self.next_seq += 1;
        self.codes.push(CodeRecord {
            code,
            expires_ms: now.saturating_add(p.expiration_minutes.saturating_mul(60_000)),
            invalidated: false,
            used: false,
            ip_address: p.ip_address.clone(),
            user_agent: p.user_agent.clone(),
        });
        Ok(Sent {
            user_id,
            phone_id,
            user_created,
        })
    }
}
