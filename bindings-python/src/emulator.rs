//! `_native.NativeEmulator`: the emulator running in-process on this process's runtime,
//! for `sms_otp.testing.Emulator`. Admin calls go over its HTTP admin API from Python.

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::args::{optional_int, optional_str, optional_str_list};
use crate::errors;
use crate::runtime::runtime;

/// An optional `int` from 0 to `max`; others are configuration errors naming `field`.
fn optional_unsigned(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
    max: u64,
) -> PyResult<Option<u64>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    // Type check (not bool, an int) and clamping come from the shared helper; the exact
    // value from pyo3, since u64 goes beyond i64.
    optional_int(Some(v), field)?;
    match v.extract::<u64>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(errors::to_py(
            py,
            sms_otp::Error::configuration(field, format!("must be an integer from 0 to {max}")),
        )),
    }
}

#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct NativeEmulator {
    running: Mutex<Option<sms_otp_emulator::Emulator>>,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    project_id: String,
    #[pyo3(get)]
    secret: String,
}

#[pymethods]
impl NativeEmulator {
    #[new]
    #[pyo3(signature = (project_id=None, secret=None, seed=None, host=None, port=None, allowed_country_codes=None, rate_limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        project_id: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        host: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        allowed_country_codes: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // The same conversions as the client's options: a wrong type is a TypeError naming
        // the option, a lone surrogate a ValidationError, an out-of-range number a
        // ConfigurationError (pyo3's own extraction raised OverflowError and
        // UnicodeEncodeError, found by the bad-input sweep).
        let project_id = optional_str(project_id, "project_id")?;
        let secret = optional_str(secret, "secret")?;
        let seed = optional_unsigned(py, seed, "seed", u64::MAX)?;
        let host = optional_str(host, "host")?;
        let port = optional_unsigned(py, port, "port", u64::from(u16::MAX))?
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0);
        let allowed_country_codes =
            optional_str_list(allowed_country_codes, "allowed_country_codes")?;
        let rate_limit = optional_unsigned(py, rate_limit, "rate_limit", u64::from(u32::MAX))?
            .and_then(|n| u32::try_from(n).ok());
        let defaults = sms_otp_emulator::Config::default();
        let config = sms_otp_emulator::Config {
            host: host.unwrap_or(defaults.host),
            port,
            project_id: project_id.unwrap_or(defaults.project_id),
            secret: secret.unwrap_or(defaults.secret),
            seed,
            allowed_country_codes: allowed_country_codes.unwrap_or(defaults.allowed_country_codes),
            rate_limit: rate_limit.unwrap_or(defaults.rate_limit),
            rate_window: defaults.rate_window,
            tls: defaults.tls,
        };
        let handle = runtime()?.handle().clone();
        let emulator = sms_otp_emulator::Emulator::start_on(&handle, config).map_err(|e| {
            let field = match &e {
                sms_otp_emulator::StartError::LiveCredentials { field, .. }
                | sms_otp_emulator::StartError::InvalidConfig { field, .. } => *field,
                _ => "emulator",
            };
            errors::to_py(py, sms_otp::Error::configuration(field, e.to_string()))
        })?;
        Ok(NativeEmulator {
            url: emulator.url(),
            project_id: emulator.project_id().to_owned(),
            secret: emulator.secret().to_owned(),
            running: Mutex::new(Some(emulator)),
        })
    }

    /// Stops the server and waits until its connections are closed. Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let emulator = self.running.lock().ok().and_then(|mut slot| slot.take());
        if let Some(emulator) = emulator {
            let rt = runtime()?;
            py.detach(|| rt.block_on(emulator.shutdown()));
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeEmulator(url={:?}, project_id={:?})",
            self.url, self.project_id
        )
    }
}
