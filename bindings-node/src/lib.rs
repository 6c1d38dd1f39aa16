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

/// The core's lists as Node spells them, as JSON text (`errors`, `error_attributes`,
/// `locales`, `defaults`, `fields`): `lib/errors.js` makes its classes from them, the drift
/// tests compare index.d.ts with them.
#[napi]
pub fn tables() -> String {
    sms_otp::host::tables(sms_otp::host::Language::Node).to_string()
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
