//! Sessions over real loopback HTTP: started and extended by authenticate, their session
//! object, JWTs verified independently against `GET /v1/sessions/jwks/<project_id>`, custom
//! claims, expiry on the virtual clock, the admin API's seeded sessions (accepted by
//! authenticate and send) and listing.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::*;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha256;
use sms_otp_emulator::{Config, Emulator, SessionStatus};

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap_or_else(|e| panic!("{s:?} is base64url without padding: {e}"))
}

async fn jwks(emu: &Emulator) -> Value {
    let reply = get(emu, &format!("/v1/sessions/jwks/{}", emu.project_id())).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// Verifies `jwt` against the emulator's JWKS (RS256, by kid) and answers (header, claims).
async fn verify(emu: &Emulator, jwt: &str) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let header: Value = serde_json::from_slice(&unb64(parts[0])).expect("header JSON");
    let claims: Value = serde_json::from_slice(&unb64(parts[1])).expect("claims JSON");
    let keys = jwks(emu).await;
    let jwk = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("no key {} in {keys}", header["kid"]))
        .clone();
    let public = RsaPublicKey::new(
        BigUint::from_bytes_be(&unb64(jwk["n"].as_str().expect("n"))),
        BigUint::from_bytes_be(&unb64(jwk["e"].as_str().expect("e"))),
    )
    .expect("an RSA public key");
    let signature = Signature::try_from(unb64(parts[2]).as_slice()).expect("signature");
    VerifyingKey::<Sha256>::new(public)
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the signature verifies against the JWKS");
    (header, claims)
}

fn now_s(emu: &Emulator) -> i64 {
    let _ = emu;
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs(),
    )
    .expect("fits")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_is_public_and_has_the_sdk_fields() {
    let emu = start().await;
    let body = jwks(&emu).await;
    assert_eq!(body["status_code"], 200);
    assert_id(&body["request_id"], "request-id-test-");
    let keys = body["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    for (field, value) in [
        ("kty", json!("RSA")),
        ("alg", json!("RS256")),
        ("use", json!("sig")),
        ("key_ops", json!(["verify"])),
        ("x5c", json!([])),
        ("x5tS256", json!("")),
        ("e", json!("AQAB")),
    ] {
        assert_eq!(key[field], value, "{field}");
    }
    assert_id(&key["kid"], "jwk-test-");
    let n = unb64(key["n"].as_str().expect("n"));
    assert_eq!(n.len(), 256, "RSA-2048");
    assert!(!key["n"].as_str().expect("n").contains('='));

    // Percent-encoded project IDs (the Rust SDK encodes '-'), other projects, methods.
    let encoded = emu.project_id().replace('-', "%2D");
    let reply = get(&emu, &format!("/v1/sessions/jwks/{encoded}")).await;
    assert_eq!(reply.json()["keys"], body["keys"]);
    let reply = get(
        &emu,
        "/v1/sessions/jwks/project-test-11111111-1111-4111-8111-111111111111",
    )
    .await;
    assert_error(&reply, 404, "project_not_found");
    let path = format!("/v1/sessions/jwks/{}", emu.project_id());
    let reply = raw(emu.local_addr(), &request("POST", &path, &[], b"{}"))
        .await
        .expect("answered");
    assert_error(&reply, 405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
    // Credentials, right or wrong, change nothing; a body is ignored (the Rust SDK sends one).
    let req = request(
        "GET",
        &format!("{path}?project_id=x"),
        &[("Authorization", &basic("who", "ever"))],
        b"null",
    );
    let reply = raw(emu.local_addr(), &req).await.expect("answered");
    assert_eq!(reply.json()["keys"], body["keys"]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_fixes_the_key() {
    let config = Config {
        seed: Some(3),
        ..Config::default()
    };
    let a = start_with(config.clone()).await;
    let b = start_with(config).await;
    let c = start().await;
    let (ka, kb, kc) = (jwks(&a).await, jwks(&b).await, jwks(&c).await);
    assert_eq!(ka["keys"], kb["keys"]);
    assert_ne!(ka["keys"], kc["keys"]);
    a.reset();
    assert_eq!(jwks(&a).await["keys"], ka["keys"], "a reset keeps the key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticate_starts_a_session_with_a_verifiable_jwt() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let reply = authenticate(
        &emu,
        &json!({
            "method_id": phone_id, "code": code, "session_duration_minutes": 60,
            "attributes": {"ip_address": "203.0.113.7", "user_agent": "tests"},
            "session_custom_claims": {"plan": "pro", "nested": {"a": 1}},
        }),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let token = body["session_token"].as_str().expect("token");
    assert_eq!(token.len(), 44);
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let session = &body["session"];
    assert_id(&session["session_id"], "session-test-");
    assert_eq!(session["user_id"], body["user_id"]);
    assert_eq!(session["roles"], json!([]));
    assert_eq!(
        session["attributes"],
        json!({"ip_address": "203.0.113.7", "user_agent": "tests"})
    );
    assert_eq!(
        session["custom_claims"],
        json!({"plan": "pro", "nested": {"a": 1}})
    );
    let factors = session["authentication_factors"]
        .as_array()
        .expect("factors");
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0]["type"], "otp");
    assert_eq!(factors[0]["delivery_method"], "sms");
    assert_eq!(
        factors[0]["phone_number_factor"],
        json!({"phone_id": phone_id, "phone_number": PHONE})
    );
    for t in ["started_at", "last_accessed_at", "expires_at"] {
        assert!(session[t].as_str().is_some_and(|s| s.ends_with('Z')), "{t}");
    }

    let jwt = body["session_jwt"].as_str().expect("jwt");
    let (header, claims) = verify(&emu, jwt).await;
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["aud"], json!([emu.project_id()]));
    assert_eq!(claims["iss"], format!("stytch.com/{}", emu.project_id()));
    assert_eq!(claims["sub"], body["user_id"]);
    let iat = claims["iat"].as_i64().expect("iat");
    assert!((iat - now_s(&emu)).abs() <= 2, "iat {iat} is now");
    assert_eq!(claims["nbf"], iat);
    assert_eq!(claims["exp"], iat + 300, "five minutes");
    assert_eq!(claims["plan"], "pro", "custom claims at the top level");
    assert_eq!(claims["nested"], json!({"a": 1}));
    let inner = &claims["https://stytch.com/session"];
    assert_eq!(inner["id"], session["session_id"]);
    for field in [
        "started_at",
        "last_accessed_at",
        "expires_at",
        "attributes",
        "authentication_factors",
        "roles",
    ] {
        assert_eq!(inner[field], session[field], "{field}");
    }

    let listed = emu.sessions(None);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].session_token, token);
    assert_eq!(listed[0].status, SessionStatus::Active);
    let admin = admin_json(&emu, "GET", "sessions", None).await;
    assert_eq!(admin["sessions"][0]["session_id"], session["session_id"]);
    assert_eq!(admin["sessions"][0]["status"], "active");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticate_extends_a_session_by_token_or_jwt() {
    let emu = start().await;
    let (phone_id, code) = code_for(&emu, PHONE).await;
    let first = authenticate(
        &emu,
        &json!({"method_id": phone_id, "code": code, "session_duration_minutes": 10,
                "session_custom_claims": {"a": 1, "b": 2}}),
    )
    .await
    .json();
    let session_id = first["session"]["session_id"].clone();
    let token = first["session_token"].as_str().expect("token").to_owned();

    emu.advance_clock(Duration::from_secs(60));
    let (_, code) = code_for(&emu, PHONE).await;
    let second = authenticate(
        &emu,
        &json!({"method_id": phone_id, "code": code, "session_token": token,
                "session_custom_claims": {"a": null, "c": 3}}),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text());
    let second = second.json();
    assert_eq!(
        second["session"]["session_id"], session_id,
        "the same session"
    );
    assert_eq!(second["session_token"], token.as_str(), "the same token");
    assert_ne!(second["session_jwt"], first["session_jwt"], "a fresh JWT");
    assert_eq!(
        second["session"]["expires_at"], first["session"]["expires_at"],
        "no duration: the expiry stays"
    );
    assert_ne!(
        second["session"]["last_accessed_at"],
        first["session"]["last_accessed_at"]
    );
    assert_eq!(second["session"]["custom_claims"], json!({"b": 2, "c": 3}));
    assert_eq!(
        second["session"]["authentication_factors"]
            .as_array()
            .expect("factors")
            .len(),
        1,
        "the same phone is one factor"
    );

    // By JWT (an old one is still accepted while the session lives), with a new duration.
    let (_, code) = code_for(&emu, PHONE).await;
    let third = authenticate(
        &emu,
        &json!({"method_id": phone_id, "code": code,
                "session_jwt": first["session_jwt"], "session_duration_minutes": 600}),
    )
    .await;
    assert_eq!(third.status, 200, "{}", third.text());
    let third = third.json();
    assert_eq!(third["session"]["session_id"], session_id);
    assert_ne!(
        third["session"]["expires_at"],
        first["session"]["expires_at"]
    );
    let (_, claims) = verify(&emu, third["session_jwt"].as_str().expect("jwt")).await;
    assert_eq!(claims["c"], 3);
    let iat = claims["iat"].as_i64().expect("iat");
    assert!(iat >= now_s(&emu) + 59, "claims follow the virtual clock");
    assert_eq!(emu.sessions(None).len(), 1);

    // Another user's session is refused.
    let (other_id, other_code) = code_for(&emu, PHONE_2).await;
    let reply = authenticate(
        &emu,
        &json!({"method_id": other_id, "code": other_code, "session_token": token}),
    )
    .await;
    assert_error(&reply, 400, "bad_request");

    // Expired on the virtual clock: its token and JWTs are gone.
    emu.advance_clock(Duration::from_secs(601 * 60));
    assert_eq!(emu.sessions(None)[0].status, SessionStatus::Expired);
    let (_, code) = code_for(&emu, PHONE).await;
    for (kind, value) in [
        ("session_token", json!(token)),
        ("session_jwt", third["session_jwt"].clone()),
    ] {
        let reply = authenticate(
            &emu,
            &json!({"method_id": phone_id, "code": code, kind: value}),
        )
        .await;
        assert_error(&reply, 404, "session_not_found");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_sessions_work_everywhere_a_session_is_taken() {
    let emu = start().await;
    let user = emu.create_user(Some(PHONE)).expect("user");
    let phone_id = user.phone_id.clone().expect("phone");
    let seeded = admin_json(
        &emu,
        "POST",
        "sessions",
        Some(&json!({"user_id": user.user_id}).to_string()),
    )
    .await;
    assert_id(&seeded["session_id"], "session-test-");
    assert_eq!(seeded["session_token"].as_str().map(str::len), Some(44));
    let (_, claims) = verify(&emu, seeded["session_jwt"].as_str().expect("jwt")).await;
    assert_eq!(claims["sub"], user.user_id.as_str());
    assert_eq!(
        claims["https://stytch.com/session"]["id"],
        seeded["session_id"]
    );

    // send takes it (by token and by JWT) ...
    for kind in ["session_token", "session_jwt"] {
        let reply = send(&emu, &json!({"phone_number": PHONE, kind: seeded[kind]})).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["user_id"], user.user_id.as_str());
    }
    // ... and authenticate extends it.
    let code = messages(&emu, PHONE).last().expect("message").code.clone();
    let reply = authenticate(
        &emu,
        &json!({"method_id": phone_id, "code": code, "session_jwt": seeded["session_jwt"]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["session"]["session_id"], seeded["session_id"]);
    assert_eq!(body["session_token"], seeded["session_token"]);

    // Listing, filtered by user; durations; errors.
    let other = emu.create_user(None).expect("user");
    let short = emu.create_session_for(&other.user_id, 5).expect("session");
    let all = admin_json(&emu, "GET", "sessions", None).await;
    assert_eq!(all["sessions"].as_array().map(Vec::len), Some(2));
    let mine = admin_json(
        &emu,
        "GET",
        &format!("sessions?user_id={}", other.user_id),
        None,
    )
    .await;
    assert_eq!(mine["sessions"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["sessions"][0]["session_id"], short.session_id.as_str());
    assert_eq!(mine["sessions"][0]["authentication_factors"], json!([]));
    emu.advance_clock(Duration::from_secs(5 * 60));
    let reply = send(
        &emu,
        &json!({"phone_number": PHONE_2, "session_token": short.session_token}),
    )
    .await;
    assert_error(&reply, 404, "session_not_found");
    for body in [
        json!({"user_id": user.user_id, "session_duration_minutes": 4}),
        json!({"user_id": user.user_id, "session_duration_minutes": "60"}),
        json!({"user_id": user.user_id, "extra": 1}),
    ] {
        let reply = admin(&emu, "POST", "sessions", Some(&body.to_string())).await;
        assert_error(&reply, 400, "bad_request");
    }
    assert!(emu.create_session_for(&user.user_id, 527_041).is_err());
    let reply = admin(&emu, "GET", "sessions?user_id=%zz", None).await;
    assert_eq!(reply.status, 400);
    emu.reset();
    assert!(emu.sessions(None).is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_users_listing() {
    let emu = start().await;
    let body = login_or_create(
        &emu,
        &json!({"phone_number": PHONE, "create_user_as_pending": true}),
    )
    .await
    .json();
    emu.create_user(None).expect("user");
    let all = admin_json(&emu, "GET", "users", None).await;
    assert_eq!(all["users"].as_array().map(Vec::len), Some(2));
    let by_phone = admin_json(&emu, "GET", "users?phone_number=+12025550162", None).await;
    let users = by_phone["users"].as_array().expect("users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["user_id"], body["user_id"]);
    assert_eq!(users[0]["status"], "pending");
    assert_eq!(
        users[0]["phone_numbers"],
        json!([{"phone_id": body["phone_id"], "phone_number": PHONE, "verified": false}])
    );
    let none = admin_json(&emu, "GET", "users?phone_number=+12025550199", None).await;
    assert_eq!(none["users"], json!([]));
    emu.shutdown().await;
}
