//! `_native.NativeEmulator`: the emulator running in-process on this process's runtime,
//! for `sms_otp.testing.Emulator`. Admin calls go over its HTTP admin API from Python.

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::errors;
use crate::runtime::runtime;

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
    #[pyo3(signature = (project_id=None, secret=None, seed=None, host=None, port=0, allowed_country_codes=None, rate_limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        project_id: Option<String>,
        secret: Option<String>,
        seed: Option<u64>,
        host: Option<String>,
        port: u16,
        allowed_country_codes: Option<Vec<String>>,
        rate_limit: Option<u32>,
    ) -> PyResult<Self> {
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
