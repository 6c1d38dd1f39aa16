//! The documented fields of an `authenticate` answer, checked without keeping them: a mirror
//! of [`crate::AuthenticateResponse`] whose strings are looked at and dropped, whose lists and
//! maps are walked without being built. The bindings check a body with it and then make host
//! objects from the text; the typed response allocated every string, list and map of a 3 KB
//! answer only to drop them (9k of a Python `authenticate`'s 180k instructions, callgrind;
//! the check is now about one scan of the text). A test holds it to the typed response: any
//! body one accepts, the other does.
#![allow(
    dead_code,
    reason = "a field is there for its type, which checks it; none is read"
)]

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// [`crate::AuthenticateResponse`], field by field (its `raw` is the body itself).
#[derive(serde::Deserialize)]
pub(crate) struct Shape {
    request_id: Text,
    user_id: Text,
    method_id: Text,
    #[serde(default)]
    session_token: Text,
    #[serde(default)]
    session_jwt: Text,
    user: UserShape,
    #[serde(default)]
    reset_sessions: bool,
    #[serde(default)]
    session: Option<SessionShape>,
    #[serde(default)]
    user_device: Option<IgnoredAny>,
    status_code: u16,
}

/// [`crate::User`].
#[derive(serde::Deserialize)]
struct UserShape {
    user_id: Text,
    status: Text,
    #[serde(default)]
    phone_numbers: Each<PhoneNumberShape>,
    #[serde(default)]
    created_at: Option<Text>,
}

/// [`crate::PhoneNumber`].
#[derive(serde::Deserialize)]
struct PhoneNumberShape {
    phone_id: Text,
    phone_number: Text,
    #[serde(default)]
    verified: bool,
}

/// [`crate::Session`].
#[derive(serde::Deserialize)]
struct SessionShape {
    session_id: Text,
    user_id: Text,
    started_at: Text,
    last_accessed_at: Text,
    expires_at: Text,
    #[serde(default)]
    authentication_factors: Each<FactorShape>,
    #[serde(default)]
    custom_claims: Option<Object>,
    #[serde(default)]
    attributes: Option<IgnoredAny>,
    #[serde(default)]
    roles: Each<Text>,
}

/// [`crate::AuthenticationFactor`].
#[derive(serde::Deserialize)]
struct FactorShape {
    #[serde(rename = "type")]
    factor_type: Text,
    delivery_method: Text,
    #[serde(default)]
    last_authenticated_at: Option<Text>,
    #[serde(default)]
    phone_number_factor: Option<PhoneFactorShape>,
}

/// [`crate::PhoneNumberFactor`].
#[derive(serde::Deserialize)]
struct PhoneFactorShape {
    phone_id: Text,
    phone_number: Text,
}

/// Where the typed response has a `String`: any JSON string, not kept.
#[derive(Default)]
struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(json: D) -> Result<Text, D::Error> {
        json.deserialize_str(Text)
    }
}

impl Visitor<'_> for Text {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
        Ok(Text)
    }
}

/// Where the typed response has a `Vec<T>`: a JSON array of `T`s, not kept.
struct Each<T>(PhantomData<T>);

impl<T> Default for Each<T> {
    fn default() -> Self {
        Each(PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Each<T> {
    fn deserialize<D: Deserializer<'de>>(json: D) -> Result<Each<T>, D::Error> {
        json.deserialize_seq(Each(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Each<T> {
    type Value = Each<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Each<T>, A::Error> {
        while items.next_element::<T>()?.is_some() {}
        Ok(self)
    }
}

/// Where the typed response has a `Map<String, Value>`: any JSON object, not kept.
struct Object;

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(json: D) -> Result<Object, D::Error> {
        json.deserialize_map(Object)
    }
}

impl<'de> Visitor<'de> for Object {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Object, A::Error> {
        while entries.next_entry::<Text, IgnoredAny>()?.is_some() {}
        Ok(Object)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::Shape;
    use crate::AuthenticateResponse;

    /// A full answer, every documented field present (the emulator's, and more).
    fn full() -> Value {
        json!({
            "request_id": "request-id-test-1", "user_id": "user-test-1", "method_id": "phone-number-test-1",
            "session_token": "tok", "session_jwt": "jwt", "reset_sessions": false, "status_code": 200,
            "user_device": {"ip_address": "1.2.3.4"},
            "user": {"user_id": "user-test-1", "status": "active", "created_at": "2026-01-01T00:00:00Z",
                "phone_numbers": [{"phone_id": "phone-number-test-1", "phone_number": "+15005550006", "verified": true}],
                "name": {"first_name": "A"}},
            "session": {"session_id": "session-test-1", "user_id": "user-test-1",
                "started_at": "2026-01-01T00:00:00Z", "last_accessed_at": "2026-01-01T00:00:00Z",
                "expires_at": "2026-01-01T01:00:00Z", "roles": ["stytch_user"],
                "custom_claims": {"plan": "pro", "n": 1}, "attributes": {"ip_address": "", "user_agent": ""},
                "authentication_factors": [{"type": "otp", "delivery_method": "sms",
                    "last_authenticated_at": "2026-01-01T00:00:00Z",
                    "phone_number_factor": {"phone_id": "phone-number-test-1", "phone_number": "+15005550006"}}]}
        })
    }

    /// Every place in `value` a field or an item sits, as a path of keys and indexes.
    fn places(value: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        let children: Vec<(Value, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (json!(k), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (json!(i), v))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            let mut path = at.clone();
            path.push(step);
            out.push(path.clone());
            places(child, path, out);
        }
    }

    fn at<'v>(value: &'v mut Value, path: &[Value]) -> Option<&'v mut Value> {
        path.iter().try_fold(value, |v, step| match step {
            Value::String(key) => v.get_mut(key.as_str()),
            _ => v.get_mut(step.as_u64()? as usize),
        })
    }

    /// The shape accepts exactly the bodies the typed response accepts: every field and item
    /// of a full answer replaced by each kind of JSON value, or removed.
    #[test]
    fn the_shape_accepts_what_the_typed_response_accepts() {
        let mut paths = Vec::new();
        places(&full(), Vec::new(), &mut paths);
        let kinds = [
            json!(null),
            json!(true),
            json!(7),
            json!(70000),
            json!(-1),
            json!(1.5),
            json!("s\\u00e9\n"),
            json!([]),
            json!(["x"]),
            json!({}),
            json!({"k": 1}),
        ];
        let mut checked = 0;
        for path in &paths {
            let (last, parent) = path.split_last().expect("a path has a step");
            for replacement in kinds.iter().map(Some).chain([None]) {
                let mut body = full();
                let Some(slot) = at(&mut body, parent) else {
                    continue;
                };
                match (replacement, slot, last) {
                    (Some(new), Value::Object(map), Value::String(key)) => {
                        map.insert(key.clone(), new.clone());
                    }
                    (Some(new), Value::Array(items), index) => {
                        items[index.as_u64().unwrap_or(0) as usize] = new.clone()
                    }
                    (None, Value::Object(map), Value::String(key)) => {
                        map.remove(key);
                    }
                    (None, Value::Array(items), _) => {
                        items.clear();
                    }
                    _ => continue,
                }
                let text = body.to_string();
                let typed = serde_json::from_str::<AuthenticateResponse>(&text).is_ok();
                let shape = serde_json::from_str::<Shape>(&text).is_ok();
                assert_eq!(shape, typed, "at {path:?} with {replacement:?}");
                checked += 1;
            }
        }
        assert!(checked > 500, "only {checked} bodies checked");
        assert!(serde_json::from_str::<Shape>(&full().to_string()).is_ok());
    }

    #[test]
    fn a_field_twice_is_refused_as_the_typed_response_refuses_it() {
        let body = full().to_string();
        for (within, again) in [
            ("{", r#""status_code":200,"#),
            (r#""user":{"#, r#""status":"active","#),
        ] {
            let text = body.replacen(within, &format!("{within}{again}"), 1);
            assert_ne!(text, body);
            assert!(
                serde_json::from_str::<AuthenticateResponse>(&text).is_err(),
                "{text}"
            );
            assert!(serde_json::from_str::<Shape>(&text).is_err(), "{text}");
        }
    }
}
