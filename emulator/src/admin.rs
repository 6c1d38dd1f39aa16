//! The admin API under `/_emulator/v1/`: inbox, long-poll, users, sessions, faults, clock,
//! reset and health. No authentication; loopback clients only.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Method, Request};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::watch;

use crate::api_errors::ApiError;
use crate::authenticate::SESSION_DURATION_MINUTES;
use crate::clock::rfc3339;
use crate::ids::is_uuid;
use crate::query::query_param;
use crate::server::{self, method_not_allowed, BodyError, ConnCtl, Resp, Shared};
use crate::state::DEFAULT_SEEDED_SESSION_MINUTES;
use crate::state::{FaultInfo, FaultSpec, Message, SessionInfo, UserInfo};

/// Default `timeout_ms` of `GET /messages/next`.
pub const DEFAULT_NEXT_TIMEOUT_MS: u64 = 10_000;
/// Largest `timeout_ms` of `GET /messages/next`.
pub const MAX_NEXT_TIMEOUT_MS: u64 = 600_000;
/// Largest `seconds` of `POST /clock/advance` (about 100 years).
pub(crate) const MAX_ADVANCE_SECONDS: f64 = 3.2e9;

fn bad(reason: impl Into<String>) -> ApiError {
    ApiError::admin(400, "bad_request", reason)
}

/// Parses an admin body: empty means `{}`; otherwise a JSON object whose fields match `T`.
fn body_as<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(bad("the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| bad(format!("invalid body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersBody {
    #[serde(default)]
    phone_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsBody {
    user_id: String,
    #[serde(default)]
    session_duration_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

/// `{"messages": [...]}`, fields in the struct's order.
#[derive(Debug, Serialize)]
struct MessagesBody {
    messages: Vec<Message>,
}

/// `{"sessions": [...]}`.
#[derive(Debug, Serialize)]
struct SessionsList {
    sessions: Vec<SessionInfo>,
}

/// `{"users": [...]}`.
#[derive(Debug, Serialize)]
struct UsersList {
    users: Vec<UserInfo>,
}

/// `{"faults": [...]}`.
#[derive(Debug, Serialize)]
struct FaultsBody {
    faults: Vec<FaultInfo>,
}

/// The answer of `POST /clock/advance` and `GET /clock`.
#[derive(Debug, Serialize)]
struct ClockView {
    now: String,
    now_ms: i64,
    offset_seconds: f64,
}

fn clock_view(shared: &Shared) -> ClockView {
    let state = shared.state();
    let now_ms = state.now_ms();
    ClockView {
        now: rfc3339(now_ms),
        now_ms,
        // Offsets stay far below 2^53 ms, so this is exact.
        #[allow(clippy::cast_precision_loss)]
        offset_seconds: state.clock_offset_ms() as f64 / 1000.0,
    }
}

/// The methods each admin path answers to.
fn allowed_methods(path: &str) -> Option<&'static str> {
    Some(match path {
        "health" | "messages/next" | "clock" => "GET",
        "messages" => "GET, DELETE",
        "faults" => "GET, POST, DELETE",
        "users" | "sessions" => "GET, POST",
        "clock/advance" | "reset" => "POST",
        _ => return None,
    })
}

/// Outcome of waiting for the next message.
#[derive(Debug)]
pub(crate) enum Next {
    Message(Box<Message>),
    TimedOut,
    ShuttingDown,
}

/// Waits for the first message created after this call started (optionally to one number),
/// on a watch channel bumped by every send: no polling.
pub(crate) async fn next_message(
    shared: &Shared,
    phone_number: Option<&str>,
    timeout: Duration,
) -> Next {
    let (changes, from) = watch_messages(shared);
    wait_for_message(shared, changes, from, phone_number, timeout).await
}

/// Where a wait for the next message starts: call it when the wait starts (not when its
/// future is first polled).
pub(crate) fn watch_messages(shared: &Shared) -> (watch::Receiver<u64>, u64) {
    // Subscribe before reading the sequence number, so no message can slip in between.
    let changes = shared.new_message.subscribe();
    (changes, shared.state().next_seq())
}

/// The first message from sequence number `from` on (see [`watch_messages`]).
pub(crate) async fn wait_for_message(
    shared: &Shared,
    mut changes: watch::Receiver<u64>,
    from: u64,
    phone_number: Option<&str>,
    timeout: Duration,
) -> Next {
    let now = tokio::time::Instant::now();
    // A timeout too long to represent waits "forever" (30 years).
    let deadline = now
        .checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 86_400));
    loop {
        if let Some(message) = shared.state().message_since(from, phone_number) {
            return Next::Message(Box::new(message));
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return Next::ShuttingDown },
            () = tokio::time::sleep_until(deadline) => return Next::TimedOut,
            () = shared.shutting_down() => return Next::ShuttingDown,
        }
    }
}

/// The duration of a seeded session: 5..=527040 minutes, default 60.
pub(crate) fn seeded_session_minutes(minutes: Option<i64>) -> Result<i64, ApiError> {
    let minutes = minutes.unwrap_or(DEFAULT_SEEDED_SESSION_MINUTES);
    if SESSION_DURATION_MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(bad(format!(
            "session_duration_minutes must be from 5 to 527040, got {minutes}"
        )))
    }
}

pub(crate) async fn handle(
    req: Request<Incoming>,
    path: &str,
    shared: &Arc<Shared>,
    ctl: &ConnCtl,
) -> Resp {
    if !ctl.peer.ip().to_canonical().is_loopback() {
        return server::error(
            shared,
            &ApiError::admin(
                403,
                "forbidden",
                "the emulator's admin API only answers clients on the loopback interface",
            ),
        );
    }
    let Some(allowed) = allowed_methods(path) else {
        return server::error(shared, &ApiError::of("not_found"));
    };
    let method = req.method().clone();
    if !allowed.split(", ").any(|m| m == method.as_str()) {
        return method_not_allowed(shared, allowed);
    }
    let query = req.uri().query().map(str::to_owned);
    let bytes = match server::read_body(req.into_body()).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            return server::error(
                shared,
                &ApiError::admin(
                    413,
                    "bad_request",
                    "the request body is larger than 1 MiB (1048576 bytes)",
                ),
            )
        }
        Err(BodyError::Broken) => {
            return server::error(shared, &bad("the request body could not be read"))
        }
    };
    match answer(&method, path, query.as_deref(), &bytes, shared).await {
        Ok(resp) => resp,
        Err(err) => server::error(shared, &err),
    }
}

async fn answer(
    method: &Method,
    path: &str,
    query: Option<&str>,
    bytes: &[u8],
    shared: &Arc<Shared>,
) -> Result<Resp, ApiError> {
    let phone_filter = || query_param(query, "phone_number").map_err(bad);
    let user_filter = || query_param(query, "user_id").map_err(bad);
    Ok(match (method.as_str(), path) {
        ("GET", "health") => server::json(200, &json!({"status": "ok"})),
        ("GET", "messages") => {
            let phone = phone_filter()?;
            let messages = shared.state().messages(phone.as_deref());
            server::json(200, &MessagesBody { messages })
        }
        ("DELETE", "messages") => {
            let deleted = shared.state().clear_messages();
            server::json(200, &json!({ "deleted": deleted }))
        }
        ("GET", "messages/next") => {
            let phone = phone_filter()?;
            let timeout_ms = match query_param(query, "timeout_ms").map_err(bad)? {
                None => DEFAULT_NEXT_TIMEOUT_MS,
                Some(text) => text
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| *ms <= MAX_NEXT_TIMEOUT_MS)
                    .ok_or_else(|| {
                        bad(format!(
                            "timeout_ms must be an integer from 0 to {MAX_NEXT_TIMEOUT_MS}"
                        ))
                    })?,
            };
            match next_message(shared, phone.as_deref(), Duration::from_millis(timeout_ms)).await {
                Next::Message(message) => server::json(200, &message),
                Next::TimedOut => {
                    let whom = phone.map_or(String::new(), |p| format!(" for {p}"));
                    return Err(ApiError::admin(
                        408,
                        "timeout",
                        format!("no message{whom} arrived within {timeout_ms} ms"),
                    ));
                }
                Next::ShuttingDown => {
                    return Err(ApiError::admin(
                        503,
                        "shutting_down",
                        "the emulator is shutting down",
                    ))
                }
            }
        }
        ("POST", "users") => {
            let body: UsersBody = body_as(bytes)?;
            if let Some(phone) = &body.phone_number {
                sms_otp::validate_phone_number(phone)
                    .map_err(|e| ApiError::admin(400, "invalid_phone_number", e.to_string()))?;
            }
            let user = shared.state().create_user(body.phone_number)?;
            server::json(200, &user)
        }
        ("GET", "users") => {
            let (user_id, phone) = (user_filter()?, phone_filter()?);
            let users = shared.state().users(user_id.as_deref(), phone.as_deref());
            server::json(200, &UsersList { users })
        }
        ("POST", "sessions") => {
            let body: SessionsBody = body_as(bytes)?;
            if !body.user_id.strip_prefix("user-test-").is_some_and(is_uuid) {
                return Err(ApiError::of("invalid_user_id"));
            }
            let minutes = seeded_session_minutes(body.session_duration_minutes)?;
            let keys = shared.keys.get().await?;
            let session = shared
                .state()
                .create_session(&body.user_id, minutes, &keys)?;
            server::json(200, &session)
        }
        ("GET", "sessions") => {
            let user_id = user_filter()?;
            let sessions = shared.state().sessions(user_id.as_deref());
            server::json(200, &SessionsList { sessions })
        }
        ("POST", "faults") => {
            let spec: FaultSpec = body_as(bytes)?;
            let fault = shared.state().add_fault(spec).map_err(bad)?;
            server::json(200, &fault)
        }
        ("GET", "faults") => {
            let faults = shared.state().faults();
            server::json(200, &FaultsBody { faults })
        }
        ("DELETE", "faults") => {
            let deleted = shared.state().clear_faults();
            server::json(200, &json!({ "deleted": deleted }))
        }
        ("POST", "clock/advance") => {
            let body: AdvanceBody = body_as(bytes)?;
            let seconds = body.seconds;
            if !(0.0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
                return Err(bad(format!(
                    "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS} (the clock only \
                     moves forward), got {seconds}"
                )));
            }
            // In range by the check above.
            #[allow(clippy::cast_possible_truncation)]
            let ms = (seconds * 1000.0).round() as i64;
            shared.state().advance_clock_ms(ms);
            server::json(200, &clock_view(shared))
        }
        ("GET", "clock") => server::json(200, &clock_view(shared)),
        ("POST", "reset") => {
            let _: NoFields = body_as(bytes)?;
            shared.state().reset();
            server::json(200, &json!({ "reset": true }))
        }
        _ => return Err(ApiError::of("not_found")),
    })
}
