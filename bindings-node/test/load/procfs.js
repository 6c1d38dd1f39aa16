'use strict';
// What the leak checks measure, read from /proc/self (Linux): open file descriptors,
// resident memory, and this process's TCP sockets to one port. The emulator runs in the
// same process, so both ends of every connection to it show up: the client's side (remote
// port = the emulator's) and the emulator's side (local port = the emulator's).

const fs = require('node:fs');

/** Open file descriptors of this process (readdir's own descriptor is closed again). */
function fdCount() {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Resident set size in KiB (VmRSS). */
function rssKib() {
  const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/**
 * This process's sockets (inodes behind /proc/self/fd) in /proc/self/net/tcp{,6} with
 * `port` at either end: `client` (remote port = port; e.g. pooled connections), `server`
 * (local port = port: the emulator's side), `fds` (descriptors open on them; the emulator
 * holds two per connection). /proc/self/net lists the whole network namespace, hence the
 * filter on our own inodes; LISTEN sockets and TIME_WAIT entries (inode 0) are not counted.
 */
function conns(port) {
  const ours = new Map();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let link;
    try {
      link = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) ours.set(m[1], (ours.get(m[1]) ?? 0) + 1);
  }
  const out = { client: 0, server: 0, fds: 0 };
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] === '0A' || !ours.has(f[9])) continue;
      const portOf = (a) => parseInt(a.slice(a.lastIndexOf(':') + 1), 16);
      if (portOf(f[2]) === port) out.client += 1;
      else if (portOf(f[1]) === port) out.server += 1;
      else continue;
      out.fds += ours.get(f[9]);
    }
  }
  return out;
}

module.exports = { fdCount, rssKib, conns };
