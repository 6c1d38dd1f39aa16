//! `sms-otp`: send a one-time passcode by SMS (`send`), or run the offline emulator of
//! Stytch's endpoint (`emulator`). The whole command line lives in the library (`lib.rs`),
//! which the Python and Node packages call too.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(sms_otp_cli::run(std::env::args_os()))
}
