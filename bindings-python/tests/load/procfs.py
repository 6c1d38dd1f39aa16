"""What the leak checks measure, read from /proc/self (Linux): open file descriptors,
resident memory, and this process's TCP sockets to one port. The emulator runs in the same
process, so both ends of every connection to it show up: the client's side (remote port =
the emulator's) and the emulator's side (local port = the emulator's)."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Dict


def fd_count() -> int:
    """Open file descriptors of this process (listdir's own descriptor is closed again)."""
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    """Resident set size in KiB (VmRSS)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    ]


def heap_in_use_kib() -> int:
    """Bytes malloc has handed out and not got back, in KiB (glibc mallinfo2, all arenas),
    or -1 without glibc. Unlike RSS it does not include freed memory the allocator keeps,
    so it tells a leak from fragmentation (shown with LOAD_VERBOSE=1)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return -1
    return int(info.uordblks + info.hblkhd) // 1024


@dataclass(frozen=True)
class Conns:
    client: int = 0
    """Client sockets connected to the port (any state but LISTEN): e.g. pooled connections."""
    server: int = 0
    """Sockets the emulator accepted on the port (any state but LISTEN)."""
    fds: int = 0
    """Descriptors open on those sockets (the emulator holds two per connection)."""


def conns(port: int) -> Conns:
    """This process's sockets (inodes behind /proc/self/fd) in /proc/self/net/tcp{,6} with
    `port` at either end. /proc/self/net lists the whole network namespace, hence the filter
    on our own inodes; TIME_WAIT entries own no socket (inode 0) and are not counted."""
    ours: Dict[str, int] = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inode = link[len("socket:[") : -1]
            ours[inode] = ours.get(inode, 0) + 1
    client = server = fds = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] == "0A" or fields[9] not in ours:
                continue
            local, remote = (int(a.rsplit(":", 1)[1], 16) for a in fields[1:3])
            if remote == port:
                client += 1
            elif local == port:
                server += 1
            else:
                continue
            fds += ours[fields[9]]
    return Conns(client, server, fds)
