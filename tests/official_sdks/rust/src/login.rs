//! A whole SMS login with the official Rust SDK: `otps.sms.login_or_create`, the code from
//! the emulator's inbox, a wrong code, the right one with a 60-minute session, the session
//! JWT verified locally, then a reused and an expired code.
//!
//! stytch 11.1.0 offers no public local verification of a session JWT: its
//! `shared::jwt_helpers::authenticate_jwt` is private and only reachable through
//! `m2m.authenticate_token`, which also demands an M2M `scope` claim. So the JWT is verified
//! (1) with the SDK's public `Client::fetch_jwk` (its own JWKS fetch and kid lookup) and the
//! SDK's own `jsonwebtoken` with the validation `authenticate_jwt` uses (RS256, audience,
//! issuer, expiry), and (2) through `m2m.authenticate_token`, whose verification must pass
//! everything but the M2M-only `scope` claim, while a forged JWT fails there on its signature.

use serde_json::{json, Value};
use stytch::consumer::attribute::Attributes;
use stytch::consumer::m2m::AuthenticateTokenRequest;
use stytch::consumer::otp::AuthenticateRequest;
use stytch::consumer::otp_sms::LoginOrCreateRequest;

use super::{check, eq, expect_error, is_id, Check, Ctx, PROJECT_ID, SANDBOX};

const LOGIN_NUMBER: &str = "+14155559001";

/// What the rows hand on to each other.
#[derive(Debug, Default)]
pub(super) struct State {
    user_id: String,
    phone_id: String,
    code: String,
    session_id: String,
    session_token: String,
    session_jwt: String,
}

fn auth(method_id: &str, code: &str) -> AuthenticateRequest {
    AuthenticateRequest {
        method_id: method_id.to_owned(),
        code: code.to_owned(),
        ..Default::default()
    }
}

fn lc(phone_number: &str) -> LoginOrCreateRequest {
    LoginOrCreateRequest {
        phone_number: phone_number.to_owned(),
        ..Default::default()
    }
}

impl Ctx {
    async fn inbox_code(&self, number: &str) -> Result<String, String> {
        let inbox = self.messages(number).await?;
        inbox
            .last()
            .and_then(|m| m["code"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("no message to {number}"))
    }

    fn phone_id(&self) -> String {
        self.login.borrow().phone_id.clone()
    }

    /// Verifies a session JWT locally: the key through the SDK's `fetch_jwk`, the signature
    /// and claims through jsonwebtoken as the SDK's `authenticate_jwt` checks them.
    async fn verify_locally(&self, jwt: &str) -> Result<Value, String> {
        use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
        let kid = decode_header(jwt)
            .map_err(|e| format!("header: {e}"))?
            .kid
            .ok_or("no kid in the JWT header")?;
        let jwk = self
            .http
            .fetch_jwk(&kid)
            .await
            .map_err(|e| format!("fetch_jwk: {e}"))?;
        eq(jwk.alg.as_str(), "RS256", "jwk.alg")?;
        let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).map_err(|e| e.to_string())?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[PROJECT_ID]);
        validation.set_issuer(&[format!("stytch.com/{PROJECT_ID}")]);
        decode::<Value>(jwt, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| format!("verification: {e}"))
    }

    /// The SDK's own (private) JWT verification, reached through M2M: `Ok` when it got
    /// past the signature and the registered claims and only missed the M2M `scope` claim.
    async fn sdk_verifier(&self, jwt: &str) -> Result<(), String> {
        let outcome = self
            .client
            .m2m
            .authenticate_token(AuthenticateTokenRequest {
                access_token: jwt.to_owned(),
                ..Default::default()
            })
            .await;
        match outcome {
            Err(stytch::Error::JWTError(e)) if e.to_string() == "JWT missing 'scope' field" => {
                Ok(())
            }
            Err(e) => Err(format!("SDK verifier: {e}")),
            Ok(resp) => Err(format!("accepted as an M2M token: {resp:?}")),
        }
    }
}

pub(super) fn rows<'a>(c: &'a Ctx) -> Vec<(&'static str, Check<'a>)> {
    vec![
        (
            "login: login_or_create makes a pending user",
            Box::pin(async move {
                c.admin("POST", "/reset", Some(json!({}))).await?; // virtual clock = real
                let resp = c
                    .client
                    .otps
                    .sms
                    .login_or_create(LoginOrCreateRequest {
                        create_user_as_pending: Some(true),
                        ..lc(LOGIN_NUMBER)
                    })
                    .await
                    .map_err(|e| format!("login_or_create: {e}"))?;
                eq(resp.status_code.as_u16(), 200, "status_code")?;
                eq(resp.user_created, true, "user_created")?;
                check(is_id(&resp.user_id, "user-test-"), resp.user_id.clone())?;
                check(
                    is_id(&resp.phone_id, "phone-number-test-"),
                    resp.phone_id.clone(),
                )?;
                check(
                    is_id(&resp.request_id, "request-id-test-"),
                    resp.request_id.clone(),
                )?;
                let users = c
                    .admin("GET", &format!("/users?user_id={}", resp.user_id), None)
                    .await?;
                eq(
                    users["users"][0]["status"].as_str(),
                    Some("pending"),
                    "status",
                )?;
                let again = c
                    .client
                    .otps
                    .sms
                    .login_or_create(lc(LOGIN_NUMBER))
                    .await
                    .map_err(|e| e.to_string())?;
                eq(
                    (again.user_created, &again.user_id, &again.phone_id),
                    (false, &resp.user_id, &resp.phone_id),
                    "second login_or_create",
                )?;
                let code = c.inbox_code(LOGIN_NUMBER).await?;
                let mut login = c.login.borrow_mut();
                login.user_id = resp.user_id;
                login.phone_id = resp.phone_id;
                login.code = code;
                Ok(())
            }),
        ),
        (
            "login: wrong code -> 404 otp_code_not_found",
            Box::pin(async move {
                let code: u32 = c.login.borrow().code.parse().map_err(|_| "no code")?;
                let wrong = format!("{:06}", (code + 1) % 1_000_000);
                let outcome = c
                    .client
                    .otps
                    .authenticate(auth(&c.phone_id(), &wrong))
                    .await;
                if let Err(stytch::Error::Response(e)) = &outcome {
                    eq(
                        e.error_message.as_str(),
                        "The passcode provided was incorrect and could not be authenticated.",
                        "error_message",
                    )?;
                }
                expect_error(outcome, 404, "otp_code_not_found")
            }),
        ),
        (
            "login: right code + session_duration_minutes=60",
            Box::pin(async move {
                let code = c.login.borrow().code.clone();
                let resp = c
                    .client
                    .otps
                    .authenticate(AuthenticateRequest {
                        session_duration_minutes: Some(60),
                        session_custom_claims: Some(json!({"plan": "pro"})),
                        attributes: Some(Attributes {
                            ip_address: Some("203.0.113.7".into()),
                            user_agent: Some("official-sdk-check".into()),
                        }),
                        ..auth(&c.phone_id(), &code)
                    })
                    .await
                    .map_err(|e| format!("authenticate: {e}"))?;
                let login_user = c.login.borrow().user_id.clone();
                eq(resp.status_code.as_u16(), 200, "status_code")?;
                eq(
                    (&resp.user_id, &resp.method_id),
                    (&login_user, &c.phone_id()),
                    "ids",
                )?;
                eq(resp.user.status.as_str(), "active", "user.status")?;
                let phones: Vec<(String, String, bool)> = resp
                    .user
                    .phone_numbers
                    .iter()
                    .map(|p| (p.phone_id.clone(), p.phone_number.clone(), p.verified))
                    .collect();
                eq(
                    phones,
                    vec![(c.phone_id(), LOGIN_NUMBER.to_owned(), true)],
                    "user.phone_numbers",
                )?;
                eq(resp.reset_sessions, false, "reset_sessions")?;
                let session = resp.session.ok_or("no session")?;
                check(
                    is_id(&session.session_id, "session-test-"),
                    session.session_id.clone(),
                )?;
                eq(
                    session.custom_claims,
                    Some(json!({"plan": "pro"})),
                    "custom_claims",
                )?;
                let factor = session.authentication_factors.first().ok_or("no factor")?;
                eq(
                    serde_json::to_value(&factor.type_).ok(),
                    Some(json!("otp")),
                    "factor type",
                )?;
                let (start, end) = (session.started_at, session.expires_at);
                let minutes = match (start, end) {
                    (Some(s), Some(e)) => (e - s).num_minutes(),
                    _ => -1,
                };
                eq(minutes, 60, "session length in minutes")?;
                eq(resp.session_token.len(), 44, "session_token length")?;
                let mut login = c.login.borrow_mut();
                login.session_id = session.session_id;
                login.session_token = resp.session_token;
                login.session_jwt = resp.session_jwt;
                Ok(())
            }),
        ),
        (
            "login: session JWT verified locally against the JWKS",
            Box::pin(async move {
                use base64::Engine as _;
                let (jwt, session_id, user_id) = {
                    let l = c.login.borrow();
                    (
                        l.session_jwt.clone(),
                        l.session_id.clone(),
                        l.user_id.clone(),
                    )
                };
                let claims = c.verify_locally(&jwt).await?;
                eq(claims["sub"].as_str(), Some(user_id.as_str()), "sub")?;
                eq(
                    claims["https://stytch.com/session"]["id"].as_str(),
                    Some(session_id.as_str()),
                    "session claim id",
                )?;
                eq(claims["plan"].as_str(), Some("pro"), "custom claim")?;
                c.sdk_verifier(&jwt).await?;
                // Forged: another subject under the same signature, or a broken signature.
                let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let parts: Vec<&str> = jwt.split('.').collect();
                let mut forged_claims = claims.clone();
                forged_claims["sub"] = json!("user-test-00000000-0000-4000-8000-000000000000");
                let forged = [
                    format!(
                        "{}.{}.{}",
                        parts[0],
                        b64.encode(forged_claims.to_string()),
                        parts[2]
                    ),
                    format!(
                        "{}.{}.{}AAAA",
                        parts[0],
                        parts[1],
                        &parts[2][..parts[2].len() - 4]
                    ),
                ];
                for jwt in &forged {
                    check(
                        c.verify_locally(jwt).await.is_err(),
                        "a forged JWT verified",
                    )?;
                    check(
                        c.sdk_verifier(jwt).await.is_err(),
                        "the SDK's verifier took a forged JWT",
                    )?;
                }
                Ok(())
            }),
        ),
        (
            "login: reused code -> 401 unable_to_auth_otp_code",
            Box::pin(async move {
                let code = c.login.borrow().code.clone();
                expect_error(
                    c.client.otps.authenticate(auth(&c.phone_id(), &code)).await,
                    401,
                    "unable_to_auth_otp_code",
                )
            }),
        ),
        (
            "login: expired code -> 401 unable_to_auth_otp_code",
            Box::pin(async move {
                c.client
                    .otps
                    .sms
                    .login_or_create(LoginOrCreateRequest {
                        expiration_minutes: Some(1),
                        ..lc(LOGIN_NUMBER)
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                let code = c.inbox_code(LOGIN_NUMBER).await?;
                c.admin("POST", "/clock/advance", Some(json!({"seconds": 61})))
                    .await?;
                expect_error(
                    c.client.otps.authenticate(auth(&c.phone_id(), &code)).await,
                    401,
                    "unable_to_auth_otp_code",
                )
            }),
        ),
        (
            "login: session extended by session_token / session_jwt",
            Box::pin(async move {
                let (token, jwt, session_id) = {
                    let l = c.login.borrow();
                    (
                        l.session_token.clone(),
                        l.session_jwt.clone(),
                        l.session_id.clone(),
                    )
                };
                for (by_token, minutes) in [(true, None), (false, Some(30))] {
                    c.client
                        .otps
                        .sms
                        .login_or_create(lc(LOGIN_NUMBER))
                        .await
                        .map_err(|e| e.to_string())?;
                    let code = c.inbox_code(LOGIN_NUMBER).await?;
                    let resp = c
                        .client
                        .otps
                        .authenticate(AuthenticateRequest {
                            session_token: by_token.then(|| token.clone()),
                            session_jwt: (!by_token).then(|| jwt.clone()),
                            session_duration_minutes: minutes,
                            ..auth(&c.phone_id(), &code)
                        })
                        .await
                        .map_err(|e| format!("authenticate: {e}"))?;
                    eq(
                        resp.session.map(|s| s.session_id),
                        Some(session_id.clone()),
                        "same session",
                    )?;
                }
                expect_error(
                    c.client
                        .otps
                        .authenticate(AuthenticateRequest {
                            session_token: Some("no-such-token".into()),
                            ..auth(&c.phone_id(), "123456")
                        })
                        .await,
                    404,
                    "session_not_found",
                )
            }),
        ),
        (
            "login: sandbox +10000000000 with 000000",
            Box::pin(async move {
                let resp = c
                    .client
                    .otps
                    .sms
                    .login_or_create(lc(SANDBOX))
                    .await
                    .map_err(|e| e.to_string())?;
                let done = c
                    .client
                    .otps
                    .authenticate(auth(&resp.phone_id, "000000"))
                    .await
                    .map_err(|e| e.to_string())?;
                eq(
                    (
                        done.status_code.as_u16(),
                        done.session_token.as_str(),
                        done.session.is_none(),
                    ),
                    (200, "", true),
                    "sandbox",
                )
            }),
        ),
    ]
}
