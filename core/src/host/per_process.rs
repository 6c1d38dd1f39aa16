//! The clients of a host whose process may fork: pooled connections and their runtime cannot
//! cross a fork, so a forked child builds its own from the same options. Calls the caller's
//! thread drives (blocking) get a pool of their own, on the runtime that only runs while
//! some thread blocks on it ([`super::runtime::blocking_runtime`]).

use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;

use super::runtime::run_blocking_runtime_queue;
use super::ClientOptions;
use crate::{Client, Error};

/// The clients of one process.
#[derive(Debug)]
struct Current {
    pid: u32,
    client: Client,
    blocking: OnceLock<Client>,
}

impl Drop for Current {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // In a forked child, the parent's clients are never dropped (a reference to each
            // is leaked): that would touch the parent's runtime (wake its connection tasks,
            // remove its timers), whose locks a thread of the parent may have held at the
            // moment of the fork.
            std::mem::forget(self.client.clone());
            if let Some(blocking) = self.blocking.get() {
                std::mem::forget(blocking.clone());
            }
            return;
        }
        // The blocking pool's connections close once their tasks run: run them now.
        if self.blocking.take().is_some() {
            run_blocking_runtime_queue();
        }
    }
}

/// A client per process, made from one set of options. Lock-free: a fork taken at any
/// moment leaves no lock held in the child.
#[derive(Debug)]
pub struct PerProcess {
    options: ClientOptions,
    current: ArcSwap<Current>,
}

impl PerProcess {
    /// Builds this process's client now (so bad options fail at once).
    pub fn new(options: ClientOptions) -> Result<PerProcess, Error> {
        let current = Current {
            pid: std::process::id(),
            client: options.build()?,
            blocking: OnceLock::new(),
        };
        Ok(PerProcess {
            options,
            current: ArcSwap::from_pointee(current),
        })
    }

    /// The client last built, in whichever process: for reading its settings.
    pub fn latest(&self) -> Client {
        self.current.load().client.clone()
    }

    /// This process's client, for calls on the multi-thread runtime.
    pub fn client(&self) -> Result<Client, Error> {
        let pid = std::process::id();
        let current = self.current.load();
        if current.pid == pid {
            return Ok(current.client.clone());
        }
        let client = self.options.build()?;
        let blocking = OnceLock::new();
        self.current.store(Arc::new(Current {
            pid,
            client: client.clone(),
            blocking,
        }));
        Ok(client)
    }

    /// This process's client for blocking calls (its own pool).
    pub fn blocking_client(&self) -> Result<Client, Error> {
        self.client()?;
        let current = self.current.load();
        if let Some(client) = current.blocking.get() {
            return Ok(client.clone());
        }
        let client = self.options.build()?;
        Ok(current.blocking.get_or_init(|| client).clone())
    }
}
