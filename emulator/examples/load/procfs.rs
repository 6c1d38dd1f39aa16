//! What the leak checks measure, read from `/proc/self` (Linux): open file descriptors,
//! resident memory, and this process's TCP sockets to one port. The emulator runs in the
//! same process, so both ends of every connection to it show up: the client's side (remote
//! port = the emulator's) and the emulator's side (local port = the emulator's).

use std::collections::HashMap;

/// Open file descriptors of this process.
pub fn fd_count() -> usize {
    // The directory handle read_dir opens is counted too, the same way every time.
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// Resident set size in KiB (`VmRSS`).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// This process's connections to `port`, by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conns {
    /// Client sockets connected to `port` (any state but LISTEN), e.g. pooled connections.
    pub client: usize,
    /// Server sockets accepted on `port` (any state but LISTEN): the emulator's side.
    pub server: usize,
    /// File descriptors open on those sockets (the emulator holds two per connection: hyper's
    /// and a duplicate kept to reset it).
    pub fds: usize,
}

/// Counts the sockets of this process (inodes behind `/proc/self/fd`) in
/// `/proc/self/net/tcp{,6}` whose local or remote port is `port`. `/proc/self/net` lists the
/// whole network namespace, hence the filter on our own inodes; TIME_WAIT entries own no
/// socket (inode 0) and are not counted.
pub fn conns(port: u16) -> Conns {
    let mut ours: HashMap<u64, usize> = HashMap::new();
    for inode in std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            l.strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse::<u64>()
                .ok()
        })
    {
        *ours.entry(inode).or_default() += 1;
    }
    let mut out = Conns::default();
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] == "0A" {
                continue; // malformed, or LISTEN
            }
            let Ok(inode) = f[9].parse::<u64>() else {
                continue;
            };
            let Some(&fds) = ours.get(&inode) else {
                continue;
            };
            let port_of = |a: &str| {
                a.rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
            };
            if port_of(f[2]) == Some(port) {
                out.client += 1;
            } else if port_of(f[1]) == Some(port) {
                out.server += 1;
            } else {
                continue;
            }
            out.fds += fds;
        }
    }
    out
}
