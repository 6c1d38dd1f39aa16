//! Faults: what `POST /_emulator/v1/faults` arms, and which request each one fires on.

use serde::{Deserialize, Serialize};

use super::State;

/// What a fault does to the request it fires on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with `status` (default 500) and the matching Stytch error body.
    #[default]
    Error,
    /// Reset the TCP connection (RST) before anything is processed or recorded.
    ResetBeforeProcessing,
    /// Process the request (a send records its SMS), then reset the connection instead of
    /// answering.
    ProcessThenReset,
    /// Answer with an HTML error page (status 502 unless `status` says otherwise).
    MalformedBody,
    /// Do not answer: until the client gives up or the emulator shuts down, or, with
    /// `delay_ms`, process the request normally after that delay (if the client is still
    /// there).
    Stall,
}

impl FaultKind {
    fn as_str(self) -> &'static str {
        match self {
            FaultKind::Error => "error",
            FaultKind::ResetBeforeProcessing => "reset_before_processing",
            FaultKind::ProcessThenReset => "process_then_reset",
            FaultKind::MalformedBody => "malformed_body",
            FaultKind::Stall => "stall",
        }
    }
}

/// A fault to inject (`POST /_emulator/v1/faults`). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What happens (default [`FaultKind::Error`]).
    #[serde(default)]
    pub kind: Option<FaultKind>,
    /// HTTP status: 400..=599 for `error` (default 500), 200..=599 for `malformed_body`
    /// (default 502). Not allowed for other kinds.
    #[serde(default)]
    pub status: Option<u16>,
    /// Stytch `error_type` of an `error` fault (default: the usual type of `status`).
    #[serde(default)]
    pub error_type: Option<String>,
    /// `Retry-After` header, in seconds, of an `error` fault.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long before acting (at most 600000). For `stall`, the stall's length.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many matching requests it fires on (default 1).
    #[serde(default)]
    pub times: Option<u32>,
    /// Fire only on requests whose body's `phone_number` is this number (default: any).
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Fire only on requests to this path, such as `/v1/otps/authenticate` (default: every
    /// endpoint of the API; never the admin API).
    #[serde(default)]
    pub path: Option<String>,
}

/// A fault as `GET /_emulator/v1/faults` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultInfo {
    /// `fault-<uuid>`.
    pub fault_id: String,
    /// What it does.
    pub kind: FaultKind,
    /// The status it answers with (`error` and `malformed_body` only).
    pub status: Option<u16>,
    /// The error type it answers with (`error` only).
    pub error_type: Option<String>,
    /// Its `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// Its delay.
    pub delay_ms: Option<u64>,
    /// Only requests whose body names this number trigger it.
    pub phone_number: Option<String>,
    /// Only requests to this path trigger it.
    pub path: Option<String>,
    /// How many requests it was armed for.
    pub times: u32,
    /// How many requests it fired on so far.
    pub hits: u32,
    /// `times - hits`.
    pub remaining: u32,
}

/// Longest accepted `delay_ms` of a fault.
pub const MAX_FAULT_DELAY_MS: u64 = 600_000;

impl FaultSpec {
    /// Checks the fields and fills the defaults.
    fn resolve(self, fault_id: String) -> Result<FaultInfo, String> {
        let kind = self.kind.unwrap_or_default();
        let status = match (kind, self.status) {
            (FaultKind::Error, None) => Some(500),
            (FaultKind::Error, Some(s @ 400..=599)) => Some(s),
            (FaultKind::Error, Some(s)) => {
                return Err(format!(
                    "status of an error fault must be from 400 to 599, got {s}"
                ))
            }
            (FaultKind::MalformedBody, None) => Some(502),
            (FaultKind::MalformedBody, Some(s @ 200..=599)) => Some(s),
            (FaultKind::MalformedBody, Some(s)) => {
                return Err(format!(
                    "status of a malformed_body fault must be from 200 to 599, got {s}"
                ))
            }
            (_, None) => None,
            (kind, Some(_)) => {
                return Err(format!(
                    "status applies only to kinds error and malformed_body, not {}",
                    kind.as_str()
                ))
            }
        };
        let only_error =
            |field: &str| format!("{field} applies only to kind error, not {}", kind.as_str());
        let error_type = match (kind, self.error_type) {
            (FaultKind::Error, Some(t)) if t.trim().is_empty() => {
                return Err("error_type must not be empty".into())
            }
            (FaultKind::Error, t) => Some(t.unwrap_or_else(|| {
                crate::api_errors::default_error_type(status.unwrap_or(500)).to_owned()
            })),
            (_, None) => None,
            (_, Some(_)) => return Err(only_error("error_type")),
        };
        if kind != FaultKind::Error && self.retry_after.is_some() {
            return Err(only_error("retry_after"));
        }
        if let Some(delay) = self.delay_ms {
            if delay > MAX_FAULT_DELAY_MS {
                return Err(format!(
                    "delay_ms must be at most {MAX_FAULT_DELAY_MS}, got {delay}"
                ));
            }
        }
        let times = self.times.unwrap_or(1);
        if times == 0 {
            return Err("times must be at least 1".into());
        }
        if self
            .phone_number
            .as_deref()
            .is_some_and(|p| p.trim().is_empty())
        {
            return Err("phone_number must not be empty when given".into());
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') || path.starts_with(crate::server::ADMIN_PREFIX) {
                return Err(format!(
                    "path must be an API path such as /v1/otps/authenticate (not the admin \
                     API's), got {path:?}"
                ));
            }
        }
        Ok(FaultInfo {
            fault_id,
            kind,
            status,
            error_type,
            retry_after: self.retry_after,
            delay_ms: self.delay_ms,
            phone_number: self.phone_number,
            path: self.path,
            times,
            hits: 0,
            remaining: times,
        })
    }
}

impl State {
    /// Finds the first armed fault matching a request to `path` whose body names
    /// `phone_number`, counts the hit and returns it.
    pub(crate) fn take_fault(
        &mut self,
        path: &str,
        phone_number: Option<&str>,
    ) -> Option<FaultInfo> {
        let fault = self.faults.iter_mut().find(|f| {
            f.remaining > 0
                && f.path.as_deref().is_none_or(|wanted| wanted == path)
                && f.phone_number
                    .as_deref()
                    .is_none_or(|wanted| Some(wanted) == phone_number)
        })?;
        fault.hits += 1;
        fault.remaining -= 1;
        Some(fault.clone())
    }

    pub(crate) fn add_fault(&mut self, spec: FaultSpec) -> Result<FaultInfo, String> {
        let id = self.id("fault-");
        let fault = spec.resolve(id)?;
        self.faults.push(fault.clone());
        Ok(fault)
    }

    pub(crate) fn faults(&self) -> Vec<FaultInfo> {
        self.faults.clone()
    }

    pub(crate) fn clear_faults(&mut self) -> usize {
        std::mem::take(&mut self.faults).len()
    }
}
