//! The native part of the npm package `sms-otp`: a thin napi-rs layer over the Rust core
//! crate `sms-otp`. It converts arguments, calls the core and hands results and errors back
//! as plain objects; the JS files of the package (`index.js`, `errors.js`, `args.js`) turn
//! those into the public classes. No rule about Stytch lives here.
//!
//! The crate is tested from Node (`test/*.test.js`). napi-derive registers no export under
//! `cfg(test)`, so a test build (as `clippy --all-targets` makes) would see every export as
//! dead code.
#![cfg_attr(test, allow(dead_code))]

mod batched_settling;
mod client;
mod emulator;
mod errors;
mod value;

use napi::bindgen_prelude::Either;
use napi_derive::napi;

pub use client::{CancelToken, NativeClient};
pub use emulator::NativeEmulator;
pub use errors::ErrorPayload;

/// The package version (the workspace version).
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `normalizePhoneNumber(text, default_region?)`: E.164 or a `ValidationError` payload.
#[napi]
pub fn normalize_phone_number(
    text: String,
    default_region: Option<String>,
) -> Either<String, ErrorPayload> {
    let region = default_region.as_deref().unwrap_or(sms_otp::DEFAULT_REGION);
    match sms_otp::normalize_phone_number(&text, region) {
        Ok(e164) => Either::A(e164),
        Err(e) => Either::B(e.into()),
    }
}

/// The `sms-otp` command line (`npx sms-otp`): the same implementation as the Rust binary.
/// Blocks the calling thread until the command ends (the bin script has nothing else to do)
/// and returns the exit code.
#[napi]
pub fn run_cli(argv: Vec<String>) -> u32 {
    u32::from(sms_otp_cli::run(argv))
}

/// The core's option defaults, in the units of the Node options (for the drift check of
/// the documentation in index.d.ts).
#[napi(object)]
#[derive(Debug)]
pub struct Defaults {
    pub timeout_ms: f64,
    pub connect_timeout_ms: f64,
    pub max_retries: u32,
    pub max_max_retries: u32,
    pub retry_rate_limited: bool,
}

#[napi]
pub fn defaults() -> Defaults {
    Defaults {
        timeout_ms: sms_otp::DEFAULT_TIMEOUT.as_secs_f64() * 1000.0,
        connect_timeout_ms: sms_otp::DEFAULT_CONNECT_TIMEOUT.as_secs_f64() * 1000.0,
        max_retries: sms_otp::DEFAULT_MAX_RETRIES,
        max_max_retries: sms_otp::MAX_MAX_RETRIES,
        retry_rate_limited: false,
    }
}

/// The core's field tables as Node spells them (`Client`, `send`, `attributes`), for the
/// drift test of index.d.ts and the testing module's option check.
#[napi]
pub fn fields() -> std::collections::HashMap<String, Vec<String>> {
    sms_otp::host::CALLS
        .iter()
        .map(|(name, call)| {
            let names = sms_otp::host::field_names(call, sms_otp::host::Language::Node);
            ((*name).to_owned(), names)
        })
        .collect()
}

/// The 16 locale tags of the core, in API order (for the JS layer's drift check).
#[napi]
pub fn locales() -> Vec<String> {
    sms_otp::Locale::ALL
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect()
}

/// An error the JS layer finds while reading an argument whose type is right but whose text
/// cannot reach the core intact (a string with unpaired surrogates): built by the core like
/// every other error, so message and fields have the usual shape. `kind` is `"validation"`
/// for request fields and `"configuration"` for client options.
#[napi]
pub fn argument_error(kind: String, field: String, reason: String) -> ErrorPayload {
    if kind == "configuration" {
        sms_otp::Error::configuration(field, reason).into()
    } else {
        sms_otp::Error::validation(field, reason).into()
    }
}

/// Rust-side allocations only (N-API copies every value it hands to V8). See Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the allocator's free memory to the operating system now (mimalloc keeps freed
/// pages cached for reuse). For memory measurements only: the bad-input sweep reads RSS
/// after a garbage collection and this, so that it sees live memory, not the cache.
#[napi]
pub fn release_free_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
