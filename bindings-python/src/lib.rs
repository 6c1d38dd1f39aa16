//! `sms_otp._native`: the pyo3 module behind the `sms_otp` package. It converts Python
//! arguments, calls the Rust core and converts results and errors; every rule lives in
//! the core.

mod args;
mod asyncio_wakeup;
mod client;
mod emulator;
mod errors;
mod future;
mod response;

use pyo3::prelude::*;

/// Turns what people type into E.164, or raises `ValidationError`.
#[pyfunction]
#[pyo3(signature = (text, default_region = None))]
fn normalize_phone_number(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    default_region: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let text = args::optional_str(Some(text), "text")?.ok_or_else(|| {
        pyo3::exceptions::PyTypeError::new_err("text must be a str, not NoneType")
    })?;
    let region = args::optional_str(default_region, "default_region")?;
    let region = region.as_deref().unwrap_or(sms_otp::DEFAULT_REGION);
    sms_otp::normalize_phone_number(&text, region).map_err(|e| errors::to_py(py, e))
}

/// The `sms-otp` command line (the console script and `python -m sms_otp`): the same
/// implementation as the Rust binary, run with the GIL released. Returns the exit code.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(|| sms_otp_cli::run(argv))
}

/// For the test suite only: a send whose future panics, through the blocking path or (with
/// `asynchronous`) the asyncio path, to prove a panic becomes `internal_error`, not an abort.
#[pyfunction]
fn _panicking_send_for_tests(py: Python<'_>, asynchronous: bool) -> PyResult<Py<PyAny>> {
    let work = sms_otp::host::panicking_call_for_tests();
    if asynchronous {
        future::spawn_for_asyncio(py, work).map(Bound::unbind)
    } else {
        client::wait_blocking(py, work)
    }
}

/// The core's lists as Python spells them (`errors`, `locales`, `fields`…): `sms_otp._errors`
/// makes its classes from them, the drift tests compare the stubs with them.
#[pyfunction]
fn tables(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    response::to_python(py, sms_otp::host::tables(sms_otp::host::Language::Python))
}

/// Fills every process-wide once-cell of the module, called by `sms_otp/__init__.py` at
/// import. Filled lazily, the first send of a process would fill them while other threads
/// may fork: a fork taken while one is being filled leaves it "being filled" forever in the
/// child, whose first asyncio send then waits on it for ever (found by the fork stress test).
#[pyfunction]
fn _warm_up(py: Python<'_>) -> PyResult<()> {
    errors::warm_up(py)?;
    response::warm_up(py);
    future::warm_up(py)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // One interpreter per process (its runtimes, cached objects and atexit hook belong to the
    // first): pyo3 0.30 does not refuse a subinterpreter, and one that imported the module
    // hung the exit. Each interpreter has its own `builtins` module object.
    static FIRST_INTERPRETER: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let builtins = m.py().import("builtins")?.as_ptr() as usize;
    if *FIRST_INTERPRETER.get_or_init(|| builtins) != builtins {
        return Err(pyo3::exceptions::PyImportError::new_err(
            "sms_otp does not support subinterpreters: it was already imported by another \
             interpreter of this process; import it in one interpreter only",
        ));
    }
    m.add_class::<client::NativeClient>()?;
    m.add_class::<emulator::NativeEmulator>()?;
    m.add_class::<response::SendResponse>()?;
    m.add_class::<future::CancelOnDone>()?;
    m.add_class::<asyncio_wakeup::Completions>()?;
    m.add_function(wrap_pyfunction!(response::response_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(future::resolve, m)?)?;
    m.add_function(wrap_pyfunction!(asyncio_wakeup::abandon, m)?)?;
    m.add_function(wrap_pyfunction!(future::shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_phone_number, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(tables, m)?)?;
    m.add_function(wrap_pyfunction!(_panicking_send_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(_warm_up, m)?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
