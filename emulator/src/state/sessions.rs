//! Sessions: made by `authenticate` (or seeded by the admin API), found by token or JWT,
//! extended, expired on the virtual clock, and shown as the service's session object and
//! session JWT claims.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::State;
use crate::api_errors::ApiError;
use crate::clock::rfc3339;
use crate::jwt::{Keys, JWT_LIFETIME_SECONDS};

/// Duration of a session seeded by `POST /_emulator/v1/sessions` without
/// `session_duration_minutes`.
pub const DEFAULT_SEEDED_SESSION_MINUTES: i64 = 60;

/// A session made by `POST /_emulator/v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `session-test-<uuid>`.
    pub session_id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// An opaque 44-character token.
    pub session_token: String,
    /// A session JWT signed with the emulator's key (see `GET /v1/sessions/jwks/…`).
    pub session_jwt: String,
}

/// Whether a session can still be used, as of the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Its `expires_at` is still ahead on the emulator's clock.
    Active,
    /// Its `expires_at` has passed: its token and JWTs are refused (`session_not_found`).
    Expired,
}

/// The phone of an `otp` factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberFactor {
    /// `phone-number-test-<uuid>`.
    pub phone_id: String,
    /// The E.164 number.
    pub phone_number: String,
}

/// How a session was authenticated: an SMS code here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationFactor {
    /// `otp`.
    #[serde(rename = "type")]
    pub factor_type: String,
    /// `sms`.
    pub delivery_method: String,
    /// When a code for it was last accepted (RFC 3339).
    pub last_authenticated_at: String,
    /// When it was first added to the session (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
    /// The phone.
    pub phone_number_factor: PhoneNumberFactor,
}

/// The `attributes` a session was started or last extended with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAttributes {
    /// Empty when none was given.
    pub ip_address: String,
    /// Empty when none was given.
    pub user_agent: String,
}

/// A session as `GET /_emulator/v1/sessions` shows it: the service's session object plus
/// its token and status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// `session-test-<uuid>`.
    pub session_id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// Its opaque token.
    pub session_token: String,
    /// `active` or `expired`, as of the read.
    pub status: SessionStatus,
    /// RFC 3339, emulator clock.
    pub started_at: String,
    /// RFC 3339, emulator clock.
    pub last_accessed_at: String,
    /// RFC 3339, emulator clock.
    pub expires_at: String,
    /// Its factors, oldest first (none for a seeded session).
    pub authentication_factors: Vec<AuthenticationFactor>,
    /// Always empty.
    pub roles: Vec<String>,
    /// The request attributes.
    pub attributes: SessionAttributes,
    /// Its custom claims (also at the top level of its JWTs).
    pub custom_claims: Map<String, Value>,
}

#[derive(Debug)]
struct FactorRecord {
    phone_id: String,
    phone_number: String,
    created_ms: i64,
    last_authenticated_ms: i64,
}

#[derive(Debug)]
pub(super) struct SessionRecord {
    pub(super) session_id: String,
    pub(super) user_id: String,
    token: String,
    started_ms: i64,
    last_accessed_ms: i64,
    expires_ms: i64,
    attributes: SessionAttributes,
    factors: Vec<FactorRecord>,
    custom_claims: Map<String, Value>,
}

/// What `authenticate` asks of a session.
#[derive(Debug)]
pub(crate) struct SessionRequest {
    /// Extend this session (index in `State::sessions`) instead of starting one.
    pub(crate) existing: Option<usize>,
    pub(crate) duration_minutes: Option<i64>,
    pub(crate) custom_claims: Option<Map<String, Value>>,
    pub(crate) ip_address: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// Sets `updates` into `claims` recursively; a `null` deletes the key (the service's rule).
fn merge_claims(claims: &mut Map<String, Value>, updates: Map<String, Value>) {
    for (key, value) in updates {
        match value {
            Value::Null => {
                claims.remove(&key);
            }
            Value::Object(nested) => match claims.get_mut(&key) {
                Some(Value::Object(existing)) => merge_claims(existing, nested),
                _ => {
                    let mut fresh = Map::new();
                    merge_claims(&mut fresh, nested);
                    claims.insert(key, Value::Object(fresh));
                }
            },
            other => {
                claims.insert(key, other);
            }
        }
    }
}

impl SessionRecord {
    fn factors(&self) -> Vec<AuthenticationFactor> {
        self.factors
            .iter()
            .map(|f| AuthenticationFactor {
                factor_type: "otp".into(),
                delivery_method: "sms".into(),
                last_authenticated_at: rfc3339(f.last_authenticated_ms),
                created_at: rfc3339(f.created_ms),
                updated_at: rfc3339(f.last_authenticated_ms),
                phone_number_factor: PhoneNumberFactor {
                    phone_id: f.phone_id.clone(),
                    phone_number: f.phone_number.clone(),
                },
            })
            .collect()
    }

    fn info(&self, now_ms: i64) -> SessionInfo {
        SessionInfo {
            session_id: self.session_id.clone(),
            user_id: self.user_id.clone(),
            session_token: self.token.clone(),
            status: if now_ms < self.expires_ms {
                SessionStatus::Active
            } else {
                SessionStatus::Expired
            },
            started_at: rfc3339(self.started_ms),
            last_accessed_at: rfc3339(self.last_accessed_ms),
            expires_at: rfc3339(self.expires_ms),
            authentication_factors: self.factors(),
            roles: Vec::new(),
            attributes: self.attributes.clone(),
            custom_claims: self.custom_claims.clone(),
        }
    }

    /// The service's session object.
    pub(super) fn object(&self) -> Value {
        json!({
            "session_id": self.session_id,
            "user_id": self.user_id,
            "authentication_factors": self.factors(),
            "roles": [],
            "started_at": rfc3339(self.started_ms),
            "last_accessed_at": rfc3339(self.last_accessed_ms),
            "expires_at": rfc3339(self.expires_ms),
            "attributes": self.attributes,
            "custom_claims": self.custom_claims,
        })
    }

    /// The claims of a JWT issued now: the registered ones, the session claim, then the
    /// custom claims at the top level. It lives five minutes, never past the session.
    fn claims(&self, project_id: &str, now_ms: i64) -> Value {
        let now_s = now_ms.div_euclid(1000);
        let exp = (now_s + JWT_LIFETIME_SECONDS).min(self.expires_ms.div_euclid(1000));
        let mut claims = self.custom_claims.clone();
        let registered = json!({
            "aud": [project_id],
            "exp": exp,
            "iat": now_s,
            "iss": format!("stytch.com/{project_id}"),
            "nbf": now_s,
            "sub": self.user_id,
            "https://stytch.com/session": {
                "id": self.session_id,
                "started_at": rfc3339(self.started_ms),
                "last_accessed_at": rfc3339(self.last_accessed_ms),
                "expires_at": rfc3339(self.expires_ms),
                "attributes": self.attributes,
                "authentication_factors": self.factors(),
                "roles": [],
            },
        });
        if let Value::Object(registered) = registered {
            claims.extend(registered);
        }
        Value::Object(claims)
    }
}

impl State {
    /// The live session with this token (or JWT): 404 `session_not_found` when unknown or
    /// expired on the virtual clock.
    pub(super) fn find_session(&self, token: &str, is_jwt: bool) -> Result<usize, ApiError> {
        let table = if is_jwt {
            &self.sessions_by_jwt
        } else {
            &self.sessions_by_token
        };
        let now = self.clock.now_ms();
        table
            .get(token)
            .copied()
            .filter(|&i| self.sessions.get(i).is_some_and(|s| now < s.expires_ms))
            .ok_or_else(|| ApiError::of("session_not_found"))
    }

    /// Signs a fresh JWT for a session and remembers it (any JWT of a live session is
    /// accepted back, as the service accepts one past its `exp` while the session lives).
    fn issue_jwt(&mut self, index: usize, keys: &Keys) -> String {
        let now = self.clock.now_ms();
        let claims = match self.sessions.get(index) {
            Some(session) => session.claims(&self.limits.project_id, now),
            None => return String::new(),
        };
        let jwt = keys.sign(&claims);
        self.sessions_by_jwt.insert(jwt.clone(), index);
        jwt
    }

    fn new_token(&mut self) -> String {
        let bytes: Vec<u8> = std::iter::repeat_with(|| self.id_rng.u8(..))
            .take(33)
            .collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn new_session(&mut self, user_id: &str, duration_minutes: i64) -> usize {
        let now = self.clock.now_ms();
        let session_id = self.id("session-test-");
        let token = self.new_token();
        let index = self.sessions.len();
        self.sessions.push(SessionRecord {
            session_id,
            user_id: user_id.to_owned(),
            token: token.clone(),
            started_ms: now,
            last_accessed_ms: now,
            expires_ms: now.saturating_add(duration_minutes.saturating_mul(60_000)),
            attributes: SessionAttributes::default(),
            factors: Vec::new(),
            custom_claims: Map::new(),
        });
        self.sessions_by_token.insert(token, index);
        index
    }

    /// A session for an existing user, with no factor (`POST /_emulator/v1/sessions`).
    pub(crate) fn create_session(
        &mut self,
        user_id: &str,
        duration_minutes: i64,
        keys: &Keys,
    ) -> Result<Session, ApiError> {
        // Checked here, not only in the admin route: the native testing API seeds sessions
        // through this too, and both must answer alike.
        if !user_id
            .strip_prefix("user-test-")
            .is_some_and(crate::ids::is_uuid)
        {
            return Err(ApiError::of("invalid_user_id"));
        }
        if !self.users.contains_key(user_id) {
            return Err(ApiError::of("user_not_found"));
        }
        let index = self.new_session(user_id, duration_minutes);
        let session_jwt = self.issue_jwt(index, keys);
        let s = &self.sessions[index];
        Ok(Session {
            session_id: s.session_id.clone(),
            user_id: s.user_id.clone(),
            session_token: s.token.clone(),
            session_jwt,
        })
    }

    /// Starts or extends the session of a successful `authenticate` with its phone factor;
    /// answers the session's index, token and a fresh JWT.
    pub(super) fn authenticated_session(
        &mut self,
        user_id: &str,
        phone_number: &str,
        phone_id: &str,
        request: SessionRequest,
        keys: &Keys,
    ) -> (usize, String, String) {
        let now = self.clock.now_ms();
        let index = match request.existing {
            Some(index) => index,
            None => self.new_session(
                user_id,
                request
                    .duration_minutes
                    .unwrap_or(DEFAULT_SEEDED_SESSION_MINUTES),
            ),
        };
        if let Some(session) = self.sessions.get_mut(index) {
            session.last_accessed_ms = now;
            if let Some(minutes) = request.duration_minutes {
                session.expires_ms = now.saturating_add(minutes.saturating_mul(60_000));
            }
            if request.ip_address.is_some() || request.user_agent.is_some() {
                session.attributes = SessionAttributes {
                    ip_address: request.ip_address.unwrap_or_default(),
                    user_agent: request.user_agent.unwrap_or_default(),
                };
            }
            match session.factors.iter_mut().find(|f| f.phone_id == phone_id) {
                Some(factor) => factor.last_authenticated_ms = now,
                None => session.factors.push(FactorRecord {
                    phone_id: phone_id.to_owned(),
                    phone_number: phone_number.to_owned(),
                    created_ms: now,
                    last_authenticated_ms: now,
                }),
            }
            if let Some(updates) = request.custom_claims {
                merge_claims(&mut session.custom_claims, updates);
            }
        }
        let token = self
            .sessions
            .get(index)
            .map(|s| s.token.clone())
            .unwrap_or_default();
        let jwt = self.issue_jwt(index, keys);
        (index, token, jwt)
    }

    /// Every session, oldest first, optionally only one user's.
    pub(crate) fn sessions(&self, user_id: Option<&str>) -> Vec<SessionInfo> {
        let now = self.clock.now_ms();
        self.sessions
            .iter()
            .filter(|s| user_id.is_none_or(|u| u == s.user_id))
            .map(|s| s.info(now))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_merge_like_the_service() {
        let mut claims = Map::new();
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        merge_claims(
            &mut claims,
            obj(json!({"a": 1, "b": 2, "e": {"n1": "v1", "n2": "v2"}})),
        );
        merge_claims(
            &mut claims,
            obj(json!({"a": 9, "b": null, "e": {"n1": null, "n3": "v3"}, "z": {"q": null}})),
        );
        assert_eq!(
            Value::Object(claims),
            json!({"a": 9, "e": {"n2": "v2", "n3": "v3"}, "z": {}})
        );
    }
}
