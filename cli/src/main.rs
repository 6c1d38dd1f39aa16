//! `sms-otp`: send a one-time passcode by SMS (`send`), or run the offline emulator of
//! Stytch's endpoint (`emulator`). User mistakes end in a clear message and exit code 2,
//! API errors in exit code 1 with the error_type shown; never a panic or a backtrace.

mod emulator;
mod send;

use std::process::ExitCode;

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
}

/// How a command failed, for the exit code.
#[derive(Debug)]
pub enum Failure {
    /// A user mistake (bad argument, bad option, missing credentials): exit 2.
    Usage(String),
    /// The service (or the network) failed the call: exit 1.
    Call(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Emulator(args) => emulator::run(args).await,
            Command::Send(args) => send::run(args).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Call(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
