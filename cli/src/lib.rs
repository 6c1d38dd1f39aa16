//! The `sms-otp` command line as a library: one implementation behind the `sms-otp` binary
//! (`cargo install sms-otp-cli`), the Python console script (`sms-otp`, `python -m sms_otp`)
//! and the npm package's `npx sms-otp`, so flags and output are the same everywhere.
//!
//! User mistakes end in a clear message and exit code 2, API errors in exit code 1 with the
//! error_type shown; never a panic or a backtrace. The commands are documented in
//! `docs/cli.md`.

mod emulator;
mod login;
mod send;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "sms-otp",
    version,
    about = "Send one-time passcodes by SMS through Stytch, or emulate the endpoint offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the emulator of POST /v1/otps/sms/send until SIGINT/SIGTERM.
    Emulator(emulator::Args),
    /// Send a one-time passcode to PHONE (E.164, e.g. +12025550162).
    Send(send::Args),
    /// Send a code to PHONE, creating the user when no user has it (--emulator: a whole
    /// login against an embedded emulator, step by step).
    LoginOrCreate(login::LoginOrCreateArgs),
    /// Check CODE against METHOD_ID (the phone_id a send printed).
    Authenticate(login::AuthenticateArgs),
}

/// How a command failed, for the exit code.
#[derive(Debug)]
enum Failure {
    /// A user mistake (bad argument, bad option, missing credentials): exit 2.
    Usage(String),
    /// The service (or the network) failed the call: exit 1.
    Call(String),
}

/// Runs the command line on `args` (the first item is the program name, as in
/// `std::env::args_os()`) and returns the process exit code. Output goes to the process's
/// stdout and stderr. Blocks until the command ends: `sms-otp emulator` runs until SIGINT or
/// SIGTERM. Must not be called from inside an async runtime.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return 1;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Emulator(args) => emulator::run(args).await,
            Command::Send(args) => send::run(args).await,
            Command::LoginOrCreate(args) => login::login_or_create(args).await,
            Command::Authenticate(args) => login::authenticate(args).await,
        }
    });
    match outcome {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            2
        }
        Err(Failure::Call(message)) => {
            eprintln!("error: {message}");
            1
        }
    }
}
