"""Instructions per call, counted by valgrind (callgrind): a measure of client work that the
shared machine's noise does not move, beside bench/run's throughput and CPU time. Run by
bench/instructions after bench/run has built the release clients and the bench venv.

Each client runs twice under callgrind against bench-server (which runs natively), for a short
and a long duration; (instructions of the long run - of the short one) / (calls of the long
run - of the short one) cancels start-up, warm-up and the one-time setup, and leaves the cost
of one call in the client process (user space, every thread: the runtime's too). Node is
counted in a window of one run instead (instructions_node.py): under valgrind V8 keeps
compiling for the whole run, so two runs differ by more than their calls.
Writes bench/instructions.json, which orchestrate.py adds to BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import instructions_node
from orchestrate import CALLS, CLIENT_CPU, HERE, clients, pinned, start_server

# The clients BENCHMARKS.md compares by instructions: the Rust ones and ours in Python and Node.
COUNTED = ("rust bare reqwest", "rust bare hyper", "rust sms-otp", "rust official", "python sms-otp", "node sms-otp")


def instructions(argv: List[str], url: str, seconds: float, call: str) -> Tuple[int, int]:
    """(calls made, instructions executed) of one run of `argv` under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            pinned(CLIENT_CPU, ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg", *argv, url, str(seconds), call]),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        calls = json.loads(out.strip().splitlines()[-1])["sends"]
        # One file per thread with --separate-threads; one in all otherwise: sum every summary.
        total = sum(int(line.split()[1]) for f in Path(tmp).iterdir() for line in f.read_text().splitlines() if line.startswith("summary:"))
    return calls, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust-bin", type=Path, default=HERE / "target" / "release")
    ap.add_argument("--short", type=float, default=3.0, help="seconds of the short run")
    ap.add_argument("--long", type=float, default=9.0, help="seconds of the long run")
    ap.add_argument("--warm", type=float, default=8.0, help="Node: seconds before the counted window")
    ap.add_argument("--window", type=float, default=5.0, help="Node: seconds counted")
    args = ap.parse_args()

    # orchestrate.py's clients (the Python ones run with this interpreter: the bench venv's),
    # one at a time, without the 4-thread mode, which measures overlap rather than work.
    counted = [(label, mode, call, argv) for label, mode, call, argv in clients(args.rust_bin, list(CALLS)) if label in COUNTED and mode != "threads4"]
    server, url = start_server(args.rust_bin)
    rows: Dict[str, float] = {}
    try:
        for label, mode, call, argv in counted:
            if label.startswith("node "):
                calls, total = instructions_node.window(argv, url, call, args.warm, args.window)
            else:
                short_calls, short_instructions = instructions(argv, url, args.short, call)
                long_calls, long_instructions = instructions(argv, url, args.long, call)
                calls, total = long_calls - short_calls, long_instructions - short_instructions
            per_call = total / calls
            rows["|".join((label, mode, call))] = per_call
            print(f"{call:12} {label:18} {mode:10} {per_call:10,.0f} instructions per call ({calls} calls)", flush=True)
    finally:
        server.kill()
    out = HERE / "instructions.json"
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "instructions_per_call": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
