//! The keys the service's answers carry, made once as a binding's host values (Python keeps
//! them as interned `str`): turning a login call's answer into host objects then makes no
//! string, and hashes none, for its ~50 keys. Unknown keys (custom claims, metadata) are made
//! as they come; the table never grows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::responses::RESPONSES;

/// Keys of the documented answers that no class of [`RESPONSES`] lists as a field: the
/// members of `attributes`, `name` and the user's lock.
const OTHER_KEYS: [&str; 7] = [
    "ip_address",
    "user_agent",
    "first_name",
    "middle_name",
    "last_name",
    "lock_created_at",
    "lock_expires_at",
];

/// Every key of [`RESPONSES`] and [`OTHER_KEYS`], each made once by `make`.
#[derive(Debug)]
pub struct KnownKeys<T>(HashMap<&'static str, T, BuildHasherDefault<Fnv>>);

impl<T> KnownKeys<T> {
    pub fn new(mut make: impl FnMut(&str) -> T) -> KnownKeys<T> {
        let fields = RESPONSES
            .iter()
            .flat_map(|(_, fields)| fields.iter().map(|f| f.0));
        let mut keys = HashMap::default();
        for key in fields.chain(OTHER_KEYS) {
            keys.entry(key).or_insert_with(|| make(key));
        }
        KnownKeys(keys)
    }

    /// The value made for `key`, if it is one of the table's.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.get(key)
    }
}

/// FNV-1a: keys are short and trusted (the table is fixed), so a cheap hash will do where
/// SipHash would cost about as much as making the string.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325) // FNV's offset basis
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
