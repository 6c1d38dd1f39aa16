//! `sms-otp emulator`: run the emulator until SIGINT or SIGTERM, then exit 0.

use crate::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Address to listen on (loopback by default; the admin API has no auth).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Project id clients must authenticate with (never a project-live-… id).
    #[arg(long)]
    project_id: Option<String>,
    /// Secret clients must authenticate with (never a secret-live-… secret).
    #[arg(long)]
    secret: Option<String>,
    /// Seed for the generated codes, for reproducible runs.
    #[arg(long)]
    seed: Option<u64>,
    /// Serve HTTPS (as the real service does; the official SDKs' custom_base_url must be
    /// https://) with a certificate signed by a throwaway CA generated at start.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) to this file before listening, for clients
    /// to trust (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, curl --cacert, …).
    #[arg(long, value_name = "FILE", requires = "tls")]
    tls_ca_out: Option<std::path::PathBuf>,
}

pub(crate) async fn run(args: Args) -> Result<(), Failure> {
    let mut config = sms_otp_emulator::Config {
        host: args.host,
        port: args.port,
        seed: args.seed,
        tls: args.tls,
        ..sms_otp_emulator::Config::default()
    };
    if let Some(project_id) = args.project_id {
        config.project_id = project_id;
    }
    if let Some(secret) = args.secret {
        config.secret = secret;
    }
    let emulator = sms_otp_emulator::Emulator::start(config)
        .await
        .map_err(|e| Failure::Usage(format!("could not start the emulator: {e}")))?;
    if let (Some(path), Some(pem)) = (&args.tls_ca_out, emulator.ca_certificate_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            emulator.shutdown().await;
            return Err(Failure::Usage(format!(
                "could not write the CA certificate to {}: {e}",
                path.display()
            )));
        }
    }
    // The handlers are in place before the line is printed: a supervisor (or a test) that
    // signals as soon as it reads the URL must reach them, not the default action.
    let shutdown = shutdown_signal();
    println!("listening on {}", emulator.url());
    shutdown.await;
    emulator.shutdown().await;
    Ok(())
}

/// Registers SIGINT and SIGTERM handlers now; the future completes on either.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
