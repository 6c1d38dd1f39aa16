//! A minimal loopback server for the benchmarks: answers `POST /v1/otps/authenticate` with the
//! documented 200 body of `authenticate` and every other request with the documented 200 body
//! of `send`, each in one write, keep-alive, on a single thread. Both bodies are built once at
//! start; the server does no work per request, so the clients, not the server, are what is
//! measured. Prints `PORT` on stdout.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;

const SEND_BODY: &str = r#"{"request_id":"request-id-test-8b2f6b1e-1d4c-4f7e-9a8a-5b3c2d1e0f9a","user_id":"user-test-2e63d77f-ae8b-4d08-89bd-041707138b0d","phone_id":"phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6","status_code":200}"#;

const PROJECT_ID: &str = "project-test-00000000-0000-0000-0000-000000000000";
const USER_ID: &str = "user-test-2e63d77f-ae8b-4d08-89bd-041707138b0d";
/// The `phone_id` of `SEND_BODY`: the clients pass it as `method_id`.
const PHONE_ID: &str = "phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6";
const PHONE: &str = "+12025550162";
const SESSION_ID: &str = "session-test-5c0b6a3e-8d1f-4b2a-9e7c-3f4d5a6b7c8d";
const STARTED: &str = "2026-01-01T00:00:00Z";
const EXPIRES: &str = "2026-01-01T01:00:00Z";

/// Unpadded base64url, enough for a JWT-shaped string (no dependency for one use).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// The documented 200 body of `POST /v1/otps/authenticate` for a code that started a
/// 60-minute session, in the emulator's shape (every field the official SDKs' models require):
/// a user with the verified phone, and a session with its SMS factor. The JWT has the
/// emulator's header and claims and an RS256-sized signature (nobody verifies it here).
fn authenticate_body() -> Bytes {
    let factor = json!({
        "type": "otp",
        "delivery_method": "sms",
        "last_authenticated_at": STARTED,
        "created_at": STARTED,
        "updated_at": STARTED,
        "phone_number_factor": {"phone_id": PHONE_ID, "phone_number": PHONE},
    });
    let attributes = json!({"ip_address": "", "user_agent": ""});
    let header = json!({"alg": "RS256", "kid": "jwk-test-0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "typ": "JWT"});
    let claims = json!({
        "aud": [PROJECT_ID],
        "exp": 1_767_225_900,
        "iat": 1_767_225_600,
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "nbf": 1_767_225_600,
        "sub": USER_ID,
        "https://stytch.com/session": {
            "id": SESSION_ID,
            "started_at": STARTED,
            "last_accessed_at": STARTED,
            "expires_at": EXPIRES,
            "attributes": attributes,
            "authentication_factors": [factor],
            "roles": [],
        },
    });
    let signature: Vec<u8> = (0..=255u8).map(|b| b.wrapping_mul(167).wrapping_add(13)).collect();
    let jwt = format!(
        "{}.{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(claims.to_string().as_bytes()),
        base64url(&signature)
    );
    let token: Vec<u8> = (0..33u8).map(|b| b.wrapping_mul(73).wrapping_add(5)).collect();
    let body = json!({
        "request_id": "request-id-test-3a9c1f0e-7b2d-4e6f-8a1b-2c3d4e5f6a7b",
        "user_id": USER_ID,
        "method_id": PHONE_ID,
        "session_token": base64url(&token),
        "session_jwt": jwt,
        "session": {
            "session_id": SESSION_ID,
            "user_id": USER_ID,
            "authentication_factors": [factor],
            "roles": [],
            "started_at": STARTED,
            "last_accessed_at": STARTED,
            "expires_at": EXPIRES,
            "attributes": attributes,
            "custom_claims": {},
        },
        "user": {
            "user_id": USER_ID,
            "emails": [],
            "status": "active",
            "phone_numbers": [{"phone_id": PHONE_ID, "phone_number": PHONE, "verified": true}],
            "webauthn_registrations": [],
            "providers": [],
            "totps": [],
            "crypto_wallets": [],
            "biometric_registrations": [],
            "is_locked": false,
            "roles": [],
            "name": {"first_name": "", "middle_name": "", "last_name": ""},
            "created_at": STARTED,
            "trusted_metadata": {},
            "untrusted_metadata": {},
            "external_id": "",
            "lock_created_at": null,
            "lock_expires_at": null,
        },
        "reset_sessions": false,
        "status_code": 200,
    });
    Bytes::from(body.to_string())
}

async fn answer(request: Request<hyper::body::Incoming>, auth: Bytes) -> Result<Response<Full<Bytes>>, Infallible> {
    use http_body_util::BodyExt as _;
    let body = if request.uri().path().ends_with("/v1/otps/authenticate") {
        auth
    } else {
        Bytes::from_static(SEND_BODY.as_bytes())
    };
    // Read the body in full, as a real server would.
    let _ = request.into_body().collect().await;
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap_or_default())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let auth = authenticate_body();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let auth = auth.clone();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(move |r| answer(r, auth.clone())))
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::base64url;

    #[test]
    fn base64url_matches_the_rfc_4648_vectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64url(plain.as_bytes()), encoded);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
