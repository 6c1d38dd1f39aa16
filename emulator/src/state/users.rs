//! Users and their phone numbers: who a number belongs to, whether it is verified, whether a
//! user is still pending, and the user object the API answers with.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::State;
use crate::api_errors::ApiError;
use crate::clock::rfc3339;

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

/// Whether a user has authenticated yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Made by a send, by the admin API, by `login_or_create`, or a pending user that has
    /// authenticated since.
    Active,
    /// Made by `login_or_create` with `create_user_as_pending`, not yet authenticated.
    Pending,
}

/// A phone number of a user, as `GET /_emulator/v1/users` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneInfo {
    /// `phone-number-test-<uuid>`: the `method_id` of `POST /v1/otps/authenticate`.
    pub phone_id: String,
    /// The E.164 number.
    pub phone_number: String,
    /// Whether a code sent to it has been authenticated.
    pub verified: bool,
}

/// A user as `GET /_emulator/v1/users` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// `user-test-<uuid>`.
    pub user_id: String,
    /// `active` or `pending`.
    pub status: UserStatus,
    /// Its numbers, in the order they were attached.
    pub phone_numbers: Vec<PhoneInfo>,
    /// When it was made (RFC 3339, emulator clock).
    pub created_at: String,
}

#[derive(Debug)]
pub(super) struct UserRecord {
    pub(super) status: UserStatus,
    pub(super) created_ms: i64,
    /// Its numbers (E.164), in the order they were attached.
    pub(super) phone_numbers: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Phone {
    pub(super) phone_id: String,
    pub(super) user_id: String,
    pub(super) verified: bool,
    /// Its codes in `State::codes`, oldest first; the last one is the only one that can be
    /// active, since every send invalidates the earlier ones.
    pub(super) codes: Vec<usize>,
    /// Wrong codes tried against the latest code (a new code starts again from 0).
    pub(super) failed_attempts: u32,
}

impl State {
    pub(super) fn new_user(&mut self, status: UserStatus) -> String {
        let user_id = self.id("user-test-");
        self.users.insert(
            user_id.clone(),
            UserRecord {
                status,
                created_ms: self.clock.now_ms(),
                phone_numbers: Vec::new(),
            },
        );
        self.user_order.push(user_id.clone());
        user_id
    }

    /// Attaches a number the emulator does not know yet to `user_id`; returns its `phone_id`.
    pub(super) fn attach_phone(&mut self, phone_number: &str, user_id: &str) -> String {
        let phone_id = self.id("phone-number-test-");
        self.phones.insert(
            phone_number.to_owned(),
            Phone {
                phone_id: phone_id.clone(),
                user_id: user_id.to_owned(),
                verified: false,
                codes: Vec::new(),
                failed_attempts: 0,
            },
        );
        self.phone_ids
            .insert(phone_id.clone(), phone_number.to_owned());
        if let Some(user) = self.users.get_mut(user_id) {
            user.phone_numbers.push(phone_number.to_owned());
        }
        phone_id
    }

    pub(crate) fn create_user(&mut self, phone_number: Option<String>) -> Result<User, ApiError> {
        if phone_number
            .as_ref()
            .is_some_and(|p| self.phones.contains_key(p))
        {
            return Err(ApiError::of("duplicate_phone_number"));
        }
        let user_id = self.new_user(UserStatus::Active);
        let phone_id = phone_number
            .as_deref()
            .map(|number| self.attach_phone(number, &user_id));
        Ok(User {
            user_id,
            phone_number,
            phone_id,
        })
    }

    fn phone_infos(&self, user: &UserRecord) -> Vec<PhoneInfo> {
        user.phone_numbers
            .iter()
            .filter_map(|number| {
                let phone = self.phones.get(number)?;
                Some(PhoneInfo {
                    phone_id: phone.phone_id.clone(),
                    phone_number: number.clone(),
                    verified: phone.verified,
                })
            })
            .collect()
    }

    /// Every user, oldest first, optionally only the one with this ID or owning this number.
    pub(crate) fn users(&self, user_id: Option<&str>, phone_number: Option<&str>) -> Vec<UserInfo> {
        let owner = phone_number.map(|p| self.phones.get(p).map(|phone| phone.user_id.as_str()));
        self.user_order
            .iter()
            .filter(|id| user_id.is_none_or(|wanted| wanted == id.as_str()))
            .filter(|id| owner.is_none_or(|o| o == Some(id.as_str())))
            .filter_map(|id| {
                let user = self.users.get(id)?;
                Some(UserInfo {
                    user_id: id.clone(),
                    status: user.status,
                    phone_numbers: self.phone_infos(user),
                    created_at: rfc3339(user.created_ms),
                })
            })
            .collect()
    }

    /// The service's user object (every field the official SDKs' models require).
    pub(super) fn user_object(&self, user_id: &str) -> Value {
        let Some(user) = self.users.get(user_id) else {
            return Value::Null;
        };
        let status = match user.status {
            UserStatus::Active => "active",
            UserStatus::Pending => "pending",
        };
        json!({
            "user_id": user_id,
            "emails": [],
            "status": status,
            "phone_numbers": self.phone_infos(user),
            "webauthn_registrations": [],
            "providers": [],
            "totps": [],
            "crypto_wallets": [],
            "biometric_registrations": [],
            "is_locked": false,
            "roles": [],
            "name": {"first_name": "", "middle_name": "", "last_name": ""},
            "created_at": rfc3339(user.created_ms),
            "trusted_metadata": {},
            "untrusted_metadata": {},
            "external_id": "",
            "lock_created_at": null,
            "lock_expires_at": null,
        })
    }
}
