"""Instructions per call of the Node client, counted by callgrind in a window of its steady
state: the short-and-long-run difference of instructions.py does not work for Node, whose V8
keeps compiling throughout a run under valgrind, so the two runs differ by more than calls.

The client runs under callgrind with instrumentation off; once warm (V8 has compiled the
loop), `callgrind_control` turns it on for a few seconds and off again. The instructions of
that window divided by the requests written in it (callgrind records call counts; each
request is one `writev` of its headers and body) is one call's cost in the client process:
user space, every thread (the JS thread and the runtime's workers)."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from orchestrate import CLIENT_CPU, pinned

# The C library's function each request is written with (named in the profile even though the
# release addon has no symbols of its own).
PER_REQUEST = "writev"


def calls_to(profile: Path, name: str) -> int:
    """How many calls the callgrind profile records to the function `name`."""
    names: Dict[str, str] = {}
    callee = None
    total = 0
    for line in profile.read_text().splitlines():
        named = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
        if named:
            kind, ident, text = named.groups()
            if text:
                names[ident] = text.strip()
            callee = names.get(ident) if kind == "cfn" else None
        elif line.startswith("calls=") and callee is not None:
            if callee == name:
                total += int(line.split("=")[1].split()[0])
            callee = None
    return total


def window(argv: List[str], url: str, call: str, warm: float, counted: float) -> Tuple[int, int]:
    """(calls, instructions) in a `counted`-second window after `warm` seconds of `argv`."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "cg"
        seconds = warm + counted + 3  # the run outlasts the window
        client = subprocess.Popen(
            pinned(CLIENT_CPU, ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={profile}", *argv, url, str(seconds), call]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(warm)
            for state in ("on", "off"):
                subprocess.run(["callgrind_control", "-i", state, str(client.pid)], capture_output=True, check=True)
                if state == "on":
                    time.sleep(counted)
        finally:
            if client.wait(timeout=seconds + 120) != 0:
                raise RuntimeError(f"{' '.join(argv)} failed under callgrind")
        totals = [int(line.split()[1]) for line in profile.read_text().splitlines() if line.startswith("totals:")]
        return calls_to(profile, PER_REQUEST), sum(totals)
