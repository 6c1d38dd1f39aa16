//! Checking a code: `POST /v1/otps/authenticate` against the phone's one active code, with
//! the failed-attempt limit, then the phone verified, the user active and the session.

use serde_json::{Map, Value};
use sms_otp::SANDBOX_PHONE_NUMBER;

use super::sessions::SessionRequest;
use super::users::UserStatus;
use super::{State, SANDBOX_CODE};
use crate::api_errors::ApiError;
use crate::jwt::Keys;

/// Wrong codes accepted against one code: after this many, every attempt for the phone
/// (the right code included) answers 429 `too_many_requests` until a new code is sent.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// An `authenticate` that passed every check that needs no state.
#[derive(Debug)]
pub(crate) struct AuthenticateParams {
    pub(crate) method_id: String,
    pub(crate) code: String,
    pub(crate) ip_address: Option<String>,
    pub(crate) user_agent: Option<String>,
    pub(crate) ip_match_required: bool,
    pub(crate) user_agent_match_required: bool,
    pub(crate) session_token: Option<String>,
    pub(crate) session_jwt: Option<String>,
    pub(crate) session_duration_minutes: Option<i64>,
    pub(crate) session_custom_claims: Option<Map<String, Value>>,
}

impl AuthenticateParams {
    /// Whether a successful answer signs a JWT (so the key must be ready first).
    pub(crate) fn wants_session(&self) -> bool {
        self.session_duration_minutes.is_some()
            || self.session_token.is_some()
            || self.session_jwt.is_some()
    }
}

/// What a successful `authenticate` answers.
#[derive(Debug)]
pub(crate) struct Authenticated {
    pub(crate) user_id: String,
    pub(crate) method_id: String,
    pub(crate) user: Value,
    pub(crate) session: Option<Value>,
    pub(crate) session_token: String,
    pub(crate) session_jwt: String,
}

impl State {
    /// Checks, in order: the phone (`phone_number_not_found`), the session
    /// (`session_not_found`, or `bad_request` when it belongs to another user), the
    /// failed-attempt limit (`too_many_requests`), the code (`otp_code_not_found` for a code
    /// the phone never had, which counts as a failed attempt; `unable_to_auth_otp_code` for
    /// one that was used, replaced or has expired), then the request attributes
    /// (`attribute_mismatch`). `keys` must be given when `p.wants_session()`.
    pub(crate) fn authenticate(
        &mut self,
        p: AuthenticateParams,
        keys: Option<&Keys>,
    ) -> Result<Authenticated, ApiError> {
        let now = self.clock.now_ms();
        let number = self
            .phone_ids
            .get(&p.method_id)
            .cloned()
            .ok_or_else(|| ApiError::of("phone_number_not_found"))?;
        let Some(phone) = self.phones.get(&number) else {
            return Err(ApiError::of("phone_number_not_found"));
        };
        let user_id = phone.user_id.clone();
        let existing = match (&p.session_token, &p.session_jwt) {
            (Some(token), _) => Some(self.find_session(token, false)?),
            (None, Some(jwt)) => Some(self.find_session(jwt, true)?),
            (None, None) => None,
        };
        if existing.is_some_and(|i| self.sessions[i].user_id != user_id) {
            return Err(ApiError::of("bad_request"));
        }
        let sandbox = number == SANDBOX_PHONE_NUMBER;
        if !sandbox && phone.failed_attempts >= MAX_FAILED_ATTEMPTS {
            return Err(ApiError::of("too_many_requests"));
        }
        let latest = phone.codes.last().copied();
        let sandbox_ok = sandbox && p.code == SANDBOX_CODE;
        if !sandbox_ok {
            let current = latest
                .and_then(|i| self.codes.get(i))
                .filter(|c| c.code == p.code);
            match current {
                Some(c) if !c.used && !c.invalidated && now < c.expires_ms => {
                    let ip_ok = !p.ip_match_required || p.ip_address == c.ip_address;
                    let agent_ok = !p.user_agent_match_required || p.user_agent == c.user_agent;
                    if !(ip_ok && agent_ok) {
                        return Err(ApiError::of("attribute_mismatch"));
                    }
                }
                Some(_) => return Err(ApiError::of("unable_to_auth_otp_code")),
                None => {
                    let known = phone
                        .codes
                        .iter()
                        .any(|&i| self.codes.get(i).is_some_and(|c| c.code == p.code));
                    if known {
                        return Err(ApiError::of("unable_to_auth_otp_code"));
                    }
                    if !sandbox {
                        if let Some(phone) = self.phones.get_mut(&number) {
                            phone.failed_attempts += 1;
                        }
                    }
                    return Err(ApiError::of("otp_code_not_found"));
                }
            }
        }
        let wants_session = p.wants_session();
        if wants_session && keys.is_none() {
            return Err(ApiError::of("internal_server_error"));
        }

        // Accepted: from here on nothing fails.
        if let Some(code) = latest.and_then(|i| self.codes.get_mut(i)) {
            if code.code == p.code {
                code.used = true;
            }
        }
        let phone_id = p.method_id;
        if let Some(phone) = self.phones.get_mut(&number) {
            phone.verified = true;
        }
        if let Some(user) = self.users.get_mut(&user_id) {
            user.status = UserStatus::Active;
        }
        let (session, session_token, session_jwt) = match keys {
            Some(keys) if wants_session => {
                let request = SessionRequest {
                    existing,
                    duration_minutes: p.session_duration_minutes,
                    custom_claims: p.session_custom_claims,
                    ip_address: p.ip_address,
                    user_agent: p.user_agent,
                };
                let (index, token, jwt) =
                    self.authenticated_session(&user_id, &number, &phone_id, request, keys);
                (self.sessions.get(index).map(|s| s.object()), token, jwt)
            }
            _ => (None, String::new(), String::new()),
        };
        Ok(Authenticated {
            user: self.user_object(&user_id),
            user_id,
            method_id: phone_id,
            session,
            session_token,
            session_jwt,
        })
    }
}
