//! Session JWTs: the emulator's RSA-2048 signing key (made once per emulator, on first use,
//! from the OS's randomness or derived from the seed), RS256 signatures and the JWKS that
//! publishes the public half.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use rand_core::SeedableRng as _;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::api_errors::ApiError;

/// Size of the signing key, as the service's.
const KEY_BITS: usize = 2048;
/// Mixed into the seed so the key's random stream differs from the code and ID streams.
const KEY_SEED_SALT: u64 = 0x6a77_6b2d_7273_6131;
/// Lifetime of a session JWT: five minutes, whatever the session's duration.
pub(crate) const JWT_LIFETIME_SECONDS: i64 = 300;

/// The signing key with what the JWKS publishes about it.
pub(crate) struct Keys {
    signing: SigningKey<Sha256>,
    kid: String,
    n: String,
    e: String,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `jwk-test-<uuid>`: a stable ID derived from the modulus, so one key always has one kid.
fn kid_of(modulus: &[u8]) -> String {
    let digest = Sha256::digest(modulus);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "jwk-test-{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl Keys {
    /// A fresh RSA-2048 key: from the OS's randomness, or derived from `seed` (the same seed
    /// gives the same key and kid with the same version of the `rsa` crate).
    pub(crate) fn generate(seed: Option<u64>) -> Result<Keys, String> {
        let key = match seed {
            Some(seed) => {
                let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed ^ KEY_SEED_SALT);
                RsaPrivateKey::new(&mut rng, KEY_BITS)
            }
            None => RsaPrivateKey::new(&mut rand_core::OsRng, KEY_BITS),
        }
        .map_err(|e| format!("could not generate the session-JWT signing key: {e}"))?;
        let modulus = key.n().to_bytes_be();
        Ok(Keys {
            kid: kid_of(&modulus),
            n: b64(&modulus),
            e: b64(key.e().to_bytes_be()),
            signing: SigningKey::<Sha256>::new(key),
        })
    }

    /// The public key as a JWK (`kty`, `use`, `key_ops`, `alg`, `kid`, `x5c`, `x5tS256`, `n`,
    /// `e`; the fields the official SDKs' models require).
    pub(crate) fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": self.kid,
            "x5c": [],
            "x5tS256": "",
            "n": self.n,
            "e": self.e,
        })
    }

    /// `header.claims.signature`, RS256, with this key's `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"});
        let signing_input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        let signature = self.signing.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(signature.to_bytes()))
    }
}

/// The key, made on first use (generating an RSA key takes a noticeable moment, and most
/// emulators never sign a JWT), then kept for the emulator's life, resets included.
pub(crate) struct KeyCell {
    seed: Option<u64>,
    cell: OnceLock<Result<Arc<Keys>, String>>,
}

impl fmt::Debug for KeyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCell")
            .field("ready", &self.cell.get().is_some())
            .finish_non_exhaustive()
    }
}

fn unavailable(reason: &str) -> ApiError {
    let mut err = ApiError::of("internal_server_error");
    err.message = reason.to_owned();
    err
}

impl KeyCell {
    pub(crate) fn new(seed: Option<u64>) -> KeyCell {
        KeyCell {
            seed,
            cell: OnceLock::new(),
        }
    }

    /// The key, generating it on this thread if nobody has yet (others wait for it).
    pub(crate) fn get_blocking(&self) -> Result<Arc<Keys>, ApiError> {
        self.cell
            .get_or_init(|| Keys::generate(self.seed).map(Arc::new))
            .clone()
            .map_err(|reason| unavailable(&reason))
    }

    /// The key, generating it on the blocking pool if needed, so no runtime worker stalls.
    pub(crate) async fn get(self: &Arc<Self>) -> Result<Arc<Keys>, ApiError> {
        if let Some(ready) = self.cell.get() {
            return ready.clone().map_err(|reason| unavailable(&reason));
        }
        let cell = self.clone();
        tokio::task::spawn_blocking(move || cell.get_blocking())
            .await
            .unwrap_or_else(|_| Err(unavailable("the signing key could not be generated")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;
    use rsa::{BigUint, RsaPublicKey};

    fn unb64(s: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .expect("base64url")
    }

    #[test]
    fn seeded_keys_are_deterministic_and_signatures_verify() {
        let a = Keys::generate(Some(7)).expect("key");
        let b = Keys::generate(Some(7)).expect("key");
        assert_eq!(a.kid, b.kid);
        assert_eq!(a.jwk(), b.jwk());
        assert!(a.kid.starts_with("jwk-test-"));
        let claims = json!({"sub": "user-test-x", "n": 1});
        let jwt = a.sign(&claims);
        assert_eq!(
            jwt,
            b.sign(&claims),
            "PKCS#1 v1.5 signatures are deterministic"
        );
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value = serde_json::from_slice(&unb64(parts[0])).expect("header");
        assert_eq!(header, json!({"alg": "RS256", "kid": a.kid, "typ": "JWT"}));
        let jwk = a.jwk();
        let public = RsaPublicKey::new(
            BigUint::from_bytes_be(&unb64(jwk["n"].as_str().expect("n"))),
            BigUint::from_bytes_be(&unb64(jwk["e"].as_str().expect("e"))),
        )
        .expect("public key");
        let verifier = VerifyingKey::<Sha256>::new(public);
        let signature = Signature::try_from(unb64(parts[2]).as_slice()).expect("signature");
        let signed = format!("{}.{}", parts[0], parts[1]);
        verifier
            .verify(signed.as_bytes(), &signature)
            .expect("verifies");
        assert!(verifier.verify(b"tampered", &signature).is_err());
        let other = Keys::generate(Some(8)).expect("key");
        assert_ne!(other.kid, a.kid);
    }
}
