"""Runs every benchmark client against one loopback server, interleaved over rounds, and
writes BENCHMARKS.md (medians with min-max) and an SVG chart. Called by bench/run.

Two calls are measured: `send` (every client, every mode) and `authenticate` (every client,
sequential and 64-way only); `--calls send,authenticate` (the default) picks them."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
HAVE_TASKSET = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
SERVER_CPU, CLIENT_CPU = "0", "1"
CALLS = ("send", "authenticate")
# (label, mode, call): a row of the report.
Key = Tuple[str, str, str]
Results = Dict[Key, Dict[str, List[float]]]


def pinned(cpu: str, argv: List[str]) -> List[str]:
    return ["taskset", "-c", cpu, *argv] if HAVE_TASKSET else argv


def start_server(rust_bin: Path) -> Tuple["subprocess.Popen[str]", str]:
    """bench-server, pinned to its CPU, and its URL."""
    server = subprocess.Popen(pinned(SERVER_CPU, [str(rust_bin / "bench-server")]), stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, f"http://127.0.0.1:{server.stdout.readline().strip()}"


def clients(rust_bin: Path, calls: List[str]) -> List[Tuple[str, str, str, List[str]]]:
    """(label, mode, call, argv without URL/SECONDS/CALL). `send` runs in every mode;
    `authenticate` only sequentially and in each language's 64-way mode (not threads4), to
    keep the run short."""

    def modes(send: Tuple[str, ...], authenticate: Tuple[str, ...]) -> List[Tuple[str, str]]:
        return [(call, mode) for call, ms in (("send", send), ("authenticate", authenticate)) if call in calls for mode in ms]

    out: List[Tuple[str, str, str, List[str]]] = []
    rust = str(rust_bin / "bench-rust")
    for call, mode in modes(("seq", "inflight64"), ("seq", "inflight64")):
        out.append(("rust bare reqwest", mode, call, [rust, "bare", mode]))
        out.append(("rust bare hyper", mode, call, [rust, "hyper", mode]))
        out.append(("rust sms-otp", mode, call, [rust, "ours", mode]))
        out.append(("rust official", mode, call, [rust, "official", mode]))
    py_bench = str(HERE / "python" / "bench.py")
    for call, mode in modes(("seq", "asyncio64", "threads4"), ("seq", "asyncio64")):
        out.append(("python sms-otp", mode, call, [PY, py_bench, "ours", mode]))
        out.append(("python official", mode, call, [PY, py_bench, "official", mode]))
    node_bench = HERE / "node" / "bench.js"
    if node_bench.exists() and (ROOT / "bindings-node" / "package.json").exists():
        for call, mode in modes(("seq", "inflight64"), ("seq", "inflight64")):
            out.append(("node sms-otp", mode, call, ["node", str(node_bench), "ours", mode]))
            out.append(("node official", mode, call, ["node", str(node_bench), "official", mode]))
    return out


def run_json(argv: List[str]) -> Optional[Dict[str, float]]:
    """The numbers of the client's last JSON line (text fields such as `call` dropped)."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
    if result.returncode != 0 or not lines:
        print(f"  FAILED {' '.join(argv)}: {result.stderr[-500:]}", file=sys.stderr)
        return None
    data = json.loads(lines[-1])
    return {k: float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def startup(rounds: int) -> Dict[str, Dict[str, List[float]]]:
    """Import/require time and RSS, each in a fresh process."""
    # Python: as a user measures it (bench/import_time.py), `-X importtime` in a fresh process:
    # the package's cumulative import time, then the RSS.
    rss = "import json;print(json.dumps({'rss_mb':int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])/1024}))"
    probes = {
        "python (bare)": [PY, "-X", "importtime", "-c", rss],
        "python sms-otp": [PY, "-X", "importtime", "-c", f"import sms_otp;{rss}"],
        "python official": [PY, "-X", "importtime", "-c", f"import stytch;{rss}"],
    }
    package = {"python sms-otp": "sms_otp", "python official": "stytch"}
    node_bench = HERE / "node" / "bench.js"
    if node_bench.exists() and (ROOT / "bindings-node" / "package.json").exists():
        probes["node (bare)"] = ["node", str(node_bench), "bare", "require"]
        probes["node sms-otp"] = ["node", str(node_bench), "ours", "require"]
        probes["node official"] = ["node", str(node_bench), "official", "require"]
    results: Dict[str, Dict[str, List[float]]] = {k: {} for k in probes}
    for _ in range(rounds * 2):
        for label, argv in probes.items():
            started = time.perf_counter()
            data = run_json(pinned(CLIENT_CPU, argv))
            wall_ms = (time.perf_counter() - started) * 1000
            if data:
                data["process_ms"] = wall_ms
                if label.startswith("python"):
                    data["import_ms"] = import_ms(argv, package.get(label))
                for key, value in data.items():
                    results[label].setdefault(key, []).append(float(value))
    return results


def import_ms(argv: List[str], package: Optional[str]) -> float:
    """The cumulative `-X importtime` of `package` (ms) in a fresh run of `argv`."""
    if package is None:
        return 0.0
    err = subprocess.run(pinned(CLIENT_CPU, argv), capture_output=True, text=True).stderr
    for line in err.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == package:
            return int(parts[1]) / 1000
    return float("nan")


def fmt(values: List[float], digits: int = 0) -> str:
    if not values:
        return "—"
    med = statistics.median(values)
    return f"{med:,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def med(results: Results, label: str, mode: str, key: str = "throughput", call: str = "send") -> float:
    values = results.get((label, mode, call), {}).get(key, [])
    return statistics.median(values) if values else float("nan")


# The goals, each once: (name, ours (label, mode), against (label, mode), goal), computed for
# every measured call whose run has both rows (threads4 is run for send only).
THROUGHPUT_TARGETS = [
    ("Python blocking vs official Python", ("python sms-otp", "seq"), ("python official", "seq"), "≥ 8×"),
    ("Python blocking vs bare reqwest (Rust, seq)", ("python sms-otp", "seq"), ("rust bare reqwest", "seq"), "≥ 0.95×"),
    ("Python asyncio 64-way vs official", ("python sms-otp", "asyncio64"), ("python official", "asyncio64"), "≥ 5×"),
    ("Python asyncio 64-way vs bare reqwest (Rust, 64 in flight)", ("python sms-otp", "asyncio64"), ("rust bare reqwest", "inflight64"), "≥ 0.8×"),
    ("Python 4 threads vs our 1 thread", ("python sms-otp", "threads4"), ("python sms-otp", "seq"), "≥ 1.8×"),
    ("Rust sms-otp vs official crate (seq)", ("rust sms-otp", "seq"), ("rust official", "seq"), "≥ 1.0×"),
    ("Rust sms-otp vs official crate (64 in flight)", ("rust sms-otp", "inflight64"), ("rust official", "inflight64"), "≥ 1.0×"),
    ("Node 64-way vs official Node", ("node sms-otp", "inflight64"), ("node official", "inflight64"), "≥ 8×"),
    ("Node 64-way vs bare reqwest (Rust, 64 in flight)", ("node sms-otp", "inflight64"), ("rust bare reqwest", "inflight64"), "≥ 0.85×"),
]
# (language, label, mode, goal) of client CPU per call against the bare reqwest loop in the same
# mode; Node's sequential figure has the tighter goal of the performance issue.
CPU_TARGETS = [
    ("Python", "python sms-otp", "seq", "≤ 2×"),
    ("Rust", "rust sms-otp", "seq", "≤ 2×"),
    ("Rust", "rust sms-otp", "inflight64", "≤ 2×"),
    ("Node", "node sms-otp", "seq", "≤ 1.6×"),
    ("Node", "node sms-otp", "inflight64", "≤ 2×"),
]


def per_round(results: Results, key: Key, metric: str) -> Dict[int, float]:
    """`metric` of `key` by round number (runs saved before rounds were recorded: by position)."""
    got = results.get(key, {})
    values = got.get(metric, [])
    rounds = got.get("round", list(range(len(values))))
    return {int(r): v for r, v in zip(rounds, values)}


def paired_ratios(results: Results, ours: Key, against: Key, metric: str) -> List[float]:
    """ours / against for each round that measured both: the two ran at most about half a minute
    apart (see `measure`), so a slow patch of the shared machine moves both, where a ratio of
    the medians over rounds would set one client's good minutes against the other's bad ones."""
    a, b = per_round(results, ours, metric), per_round(results, against, metric)
    return [a[r] / b[r] for r in sorted(a) if r in b and b[r]]


def targets(results: Results, order: List[Key], call: str) -> List[Tuple[str, List[float], str]]:
    """(name, ratio of each round, goal) of every target for `call`; authenticate has no goals of
    its own, so its rows are send's ratios, marked, against send's goals."""
    run = set(order)
    suffix = "" if call == "send" else f" · {call}"
    rows = [
        (f"{name}{suffix}", paired_ratios(results, (*ours, call), (*against, call), "throughput"), goal)
        for name, ours, against, goal in THROUGHPUT_TARGETS
        if (*ours, call) in run and (*against, call) in run
    ]
    per = "send" if call == "send" else call
    for lang, label, mode, goal in CPU_TARGETS:
        bare = ("rust bare reqwest", mode, call)
        rows.append((f"{lang} CPU per {per} ({mode}) vs bare reqwest", paired_ratios(results, (label, mode, call), bare, "cpu_us_per_send"), goal))
    return rows


def chart(results: Results, order: List[Key], path: Path) -> None:
    """One bar per row, in the order of the clients (send rows, then authenticate rows)."""
    keys = [k for k in order if k[2] == "send"] + [k for k in order if k[2] != "send"]
    rows = [(f"{label} · {mode}" + ("" if call == "send" else f" · {call}"), med(results, label, mode, call=call)) for (label, mode, call) in keys]
    rows = [r for r in rows if r[1] == r[1]]
    only_send = all(call == "send" for _, _, call in keys)
    title = "Sends per second (median), higher is better" if only_send else "Calls per second (median), higher is better: send, and authenticate where marked"
    width, bar_h, left = 900, 22, 260 if only_send else 340
    top = max(v for _, v in rows) if rows else 1
    height = 40 + bar_h * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{title}</text>',
    ]
    for i, (name, value) in enumerate(rows):
        y = 30 + i * bar_h
        w = (width - left - 90) * value / top
        colour = "#2b7bb9" if "sms-otp" in name else ("#999999" if "official" in name else "#55a868")
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" fill="{colour}"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 15}">{value:,.0f}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


NOTES = """## What profiling showed, what changed, what is left

Measured with this command, `node --cpu-prof`, and per-send CPU from `getrusage` in each
client process. Before/after figures are medians of runs on this machine, same setup.

- **Python asyncio (64 in flight): 17.6k → 38.8k sends/s (2.3× → 4.0× the official client).**
  Each finished send used to take the GIL on a tokio worker to call
  `loop.call_soon_threadsafe`; the worker then waited for the loop's thread to let go of the
  GIL (up to the 5 ms switch interval) while the other requests on that worker stalled. Now
  runtime threads never touch Python: outcomes go onto a queue and one byte on a socketpair
  (watched with `loop.add_reader`) wakes the loop, which resolves every finished future in
  one pass with the GIL it already holds.
- **Python blocking: 80 → 56 µs of client CPU per send, about 9.0k → 10.5k sends/s (0.74× →
  0.86× the bare reqwest loop).** The calling thread used to block on the multi-thread
  runtime, so each send crossed to a worker thread and back (two wake-ups, a context switch
  each with the client pinned to one core). Blocking sends now run on a current-thread runtime
  that the calling thread drives itself, with its own connection pool.
- **Node: a successful send crosses N-API as one JSON string** (the four fields are read from
  it in JS) instead of a nested object: 28.7k → 30.8k sends/s at 64 in flight, 34.6 → 32.2 µs
  CPU per send.
- **Node (64 in flight): about 29k → 40–47k sends/s (0.46× → 0.7–0.8× bare reqwest), 32 →
  21–24 µs CPU per send.** `perf` showed 69% of the time on the runtime's worker and 2.2
  context switches per send: every finished send signalled the JS thread through its own napi
  threadsafe function, and with JS and the runtime on one core the woken JS thread preempted
  the worker, which woke it again for the next send. Now each client has one threadsafe
  function (referenced only while sends are in flight, so an idle process still exits),
  finished sends queue up, and the wake-up waits (`tokio::task::yield_now`) until the worker
  has no other ready work: 0.14 context switches per send. mimalloc for the addon's Rust
  allocations (a send allocates on one thread and frees on the other): about −3 µs per send.
  Positional arguments instead of a request object for the native call.
- **Client creation: 3.6 ms → 0.07 ms** (Node, release): clients without `ca_file` share one
  TLS verifier built once per process.

- **Python asyncio, session 4 (2026-11-30): no done-callback per send.** `perf record` of
  the client process at 64 in flight (release wheel, pinned): 37 % in the native module
  (reqwest/hyper/tokio), 25 % kernel (loopback TCP, futex, epoll), 21 % libc (glibc
  malloc/free: 15 %, Rust allocations freed on another thread), 17 % the interpreter. Each
  send used to add a `CancelOnDone` object and `add_done_callback`, which on completion
  schedules one more loop callback (a `Handle`) per send; now the awaiting coroutine
  abandons a cancelled call itself (`except BaseException` + `future.cancelled()`), the
  pending table holds each future with its task's abort handle, the loop's completions are
  cached per thread (no `WeakKeyDictionary` lookup per send) and method names are interned.
  A/B in one run on a busy machine: 0.73× → 0.79× the bare reqwest loop at 64 in flight.
  mimalloc for the module's Rust allocations (as Node has) measured within noise here and
  kept 50 MB more RSS after the bad-input sweep's 10 MB strings: not adopted.

- **Session 5 (2026-12-01).** `import sms_otp` no longer imports `weakref` (the asyncio
  completions registry is a list in the native module): `-X importtime` cumulative 5.8 →
  3.5 ms in one run (`bench/startup`). `authenticate` reads its answer into the typed
  response without path tracking (`serde_path_to_error` runs only to name the field of an
  answer that failed): 199.8k → 177.2k instructions per call sequentially, 188.9k → 164.7k at
  64 in flight, and 281.6k → 258.2k through Python (`bench/instructions`, before and after).
  Tried and dropped: a `Notify` in place of the `watch` channel of the per-attempt connect
  probe (0.5 % of the samples in `perf`, no change in instructions); `json.loads` of the body
  text in place of building the dict in Rust (more instructions: `import json` per call
  goes through the import machinery).

- **Session 6 (2026-12-01): the crate's own HTTP client, below reqwest.** Calls now go
  through `hyper-util`'s pooled HTTP/1.1 client with a connector of the crate's own
  (`core/src/connector.rs`: TCP, rustls, the environment's proxies through hyper-util's
  matcher, the code reqwest used for them, a `CONNECT` tunnel for `https://`, and
  `connect_timeout` over all of it). Instructions per send (`bench/instructions`, before →
  after): 74.8k → 40.2k sequentially and 73.5k → 38.5k at 64 in flight, where the bare
  reqwest loop takes 73.3k / 71.7k, the official crate 67.1k / 66.1k and a bare loop on
  hyper-util (`rust bare hyper`, new in this report: the ceiling of this transport)
  33.6k / 32.6k. Python inherits it: 95.9k → 62.5k per send sequentially, 108.5k → 73.0k
  with asyncio at 64 in flight; `authenticate` in Rust: 177.2k → 141.8k. The URL parsed
  twice (12.8k, found in session 5) was only part of what reqwest added per call: its tower
  stack, the merge of default headers and the `Url` ↔ `Uri` conversions made up the rest of
  the ~34k.
- **Session 6: the login calls hand the bindings the body's text.** The core checks the
  documented fields by reading the typed response straight from the text and hands the text
  over; before, it built a JSON map (and the typed response from it), which the binding
  converted and dropped. Node gives the text to `JSON.parse` as it came; Python makes its
  dicts from the text through the core's one JSON walk (`sms_otp::host::to_host`). Python
  `authenticate`: 225.7k → 189.6k instructions per call sequentially, 233.2k → 198.5k at 64
  in flight. Node `authenticate`, the release addon before and after, interleaved, 4 rounds
  each: 224–273 → 205–242 µs of CPU per call sequentially, 66–97 → 60–72 µs at 64 in
  flight. A finished Node call now wakes the JS thread from the end of its own task instead
  of from a task spawned for it (5 interleaved rounds: −4 % CPU per send on average,
  inside this machine's noise; kept as the simpler code).
- **Session 6: why the throughput ratios to bare reqwest do not follow the instruction
  counts.** Instructions are not time: the bare reqwest loop executes 73k instructions per
  send in about the user time of sms-otp's 40k (45 against 40 µs, `/usr/bin/time`, same run),
  because reqwest's extra work is tight loops over data in cache, while the Python client's
  extra 22k (interpreter, objects) run at a much lower rate. Both clients spend as much
  again in the kernel (loopback TCP, wake-ups). And this run was noisy: Python sequential
  sends ranged 2,498–5,745/s over the five rounds. An interleaved A/B of the Python release
  wheel of session 5 and today's, 4 rounds: 140–230 → 127–175 µs of CPU per send.
- **Session 7 (2026-12-01): a send's answer as text, and a smaller send future.** The
  bindings now read a send's four documented fields straight from the body's text (a typed
  read that skips the rest) and keep the text: Node hands it to `JSON.parse` as it came,
  Python builds `raw` from it on first access. Before, the core built a JSON map of the body,
  and for Node wrote it out again as text. And each attempt's future is boxed: a send's
  future was 4,272 bytes, copied at every move (into the task, into a box, into the awaited
  slot; `perf` put 7 % of Node's CPU at 64 in flight in `memmove`), and is now 960 bytes.
  Counted (callgrind): Python 74.1k → 68.6k instructions per send with asyncio at 64 in
  flight, 62.4k → 59.1k sequentially. Node, counted the same way with `node --jitless` (V8
  compiles nothing during the run, so the JavaScript part costs more than in production
  and the native part is exact; run by hand, not in `bench/instructions`): 104.1–104.9k →
  86.1k at 64 in flight, 117.5k → 101.5k sequentially. The Rust crate itself: 40.3k →
  40.4k (the box's allocation against the copies it saves).
- **Session 7: targets as paired ratios.** A target's two clients now run close together
  (one group per call and kind of mode, rotated every round), and each ratio is taken
  round by round and reported as the median over rounds with its range. Before, it was the
  ratio of two medians whose runs were up to a whole round (about 90 s) apart, on a machine
  whose speed changes by 2× within minutes.
- **Session 7, tried and not kept: mimalloc as the Python module's allocator.** An
  asyncio send allocates on the loop's thread and frees on a runtime thread (and back),
  which glibc's malloc pays for with the other thread's arena lock. In an interleaved A/B
  (5 rounds) mimalloc took the CPU per asyncio send from 38.9 to 32.8 µs (−16 %) and
  sequential sends were unchanged. But with it a forked child hung in 1 of about 8 runs of
  the fork stress test (a fork while a runtime thread held one of mimalloc's locks; glibc
  has fork handlers for its own), against 30 of 30 passes without it. Python servers fork
  (gunicorn, multiprocessing), so the module keeps glibc's allocator; Node does not fork and
  keeps mimalloc.
- **Session 8 (2026-12-01): a login answer's keys made once.** `callgrind` of the Python
  client at 64 in flight put 76.5k of an `authenticate`'s instructions in turning the 3 KB
  answer into dicts (and 40.8k in the core's check of its documented fields). Of the former,
  about a third went to the ~50 keys: each made as a new `str` (UTF-8 decode, allocation),
  hashed by the dict (SipHash) and freed. The keys of every documented answer are now made
  once, at import, as interned strings (`sms_otp::host::KnownKeys`; unknown keys, such as
  custom claims, are made as before), and the check reads the body as the text whose UTF-8
  was just checked instead of checking every string again. Counted (callgrind, the 2.8 KB
  answer turned into dicts alone): 85.7k → 66.6k instructions; per Python `authenticate`:
  206.3k → 178.9k at 64 in flight, 195.7k → 168.8k sequentially.
- **Session 8: Node's JS thread no longer waits for the worker's lock.** `perf` of a
  sequential Node run showed `Mutex::lock_contended` on the JS thread: the runtime's worker
  held the lock around the threadsafe function while calling it, the JS thread it woke
  preempted it (one core), and then, with no send left in flight, blocked on that same lock
  to unreference the function, so the kernel switched back to the worker and then to the JS
  thread again. The function now sits behind no lock (napi-rs's `refer`/`unref` want `&mut`
  for no other reason; the binding calls N-API's own). Interleaved release addons, 6
  rounds each, CPU per sequential send: 51.1 → 46.6 µs on a quiet machine (lower in every
  round; this build also skipped the batching wait for a send alone in flight), and
  65.5 → 62.1 µs for this change alone on a busier one (lower in 4 rounds of 6); 64 in
  flight unchanged. Skipping the batching wait by itself measured −2 % in one set of rounds
  and +2.5 % in the next: noise, not kept.
- **Session 9 (2026-12-01): an `authenticate` answer checked without building it.** The
  bindings' check of the documented fields read the whole typed response (every string,
  list and map of the 3 KB answer allocated, then dropped) before the binding made its own
  objects from the text. It now reads a mirror of the typed response whose strings are
  looked at and dropped and whose lists and maps are walked without being built
  (`core/src/authenticate_shape.rs`; a test holds the two to the same verdict for every
  field of a full answer replaced by each kind of JSON value or removed). Counted
  (callgrind, the Python client at 64 in flight): 179.6k → 170.2k instructions per
  `authenticate`; the check itself is now 23k, about one scan of the text. With this
  session's other changes, `bench/instructions`: 173.0k → 161.7k per Python `authenticate`
  at 64 in flight, 160.9k → 149.6k sequentially.
- **Session 9: the I/O threads as `SCHED_BATCH`.** `perf stat` counted 4.6 context switches
  per sequential Node send against 1.0 for the bare reqwest loop. With the client on one
  core, a runtime worker woken by the JS thread (a call started) preempted it at once, so
  the JS thread was switched back in to finish its tick and out again; the same happened
  to Python's event loop thread at 64 in flight. The runtimes' workers now run as
  `SCHED_BATCH` (Linux; the callers' threads are never changed): woken, they wait for the
  running thread to yield, with their full share of the CPU. Context switches per call
  (`perf stat`, interleaved release builds): Node sequential send 4.56 → 3.04, Node
  sequential `authenticate` 4.1 → 3.0, Python asyncio `authenticate` at 64 in flight
  0.57–0.90 → 0.07. CPU per call in the same runs: Python asyncio `authenticate` 42.8–75.3
  → 39.2–43.6 µs (throughput 13.3k–23.3k → 22.9k–25.5k/s), Python asyncio send 22.5–32.6 →
  22.1–27.5 µs, Node sequential send 43.7 → 42.1 µs (mean of 6 rounds, lower in all 6),
  Node sequential `authenticate` 62.9–90.7 → 61.1–63.6 µs, at a cost of about 4 % in
  sequential Node `authenticate` throughput (its latency). Tried first and not kept: one
  runtime worker instead of two for Node (no change in 5 rounds).
- **Session 9: a blocking Python call skips its scheduler turns right after another.** Each
  blocking call began with four turns of the blocking runtime's scheduler, so that
  connection tasks could notice a close the server made while no thread drove the runtime
  (the fault matrix's half-closed keep-alive connection). `strace -c` of sequential sends
  put them at four `epoll_wait`s and two wake-ups per send; bare reqwest makes one
  `epoll_wait`. They are now skipped when another call began on that runtime less than a
  millisecond before: back to back, the runtime was not idle long enough to have missed
  anything. Interleaved release wheels, 5 rounds: 30.7–31.9 → 27.0–29.3 µs of CPU per
  sequential send, 23.9k–25.0k → 25.3k–27.1k sends/s (better in every round); counted
  (`bench/instructions`), 59.1k → 51.6k instructions per send.
- **Session 9: a Node send finishing alone wakes the JS thread at once.** The wait for the
  runtime to run out of ready work (which lets sends finishing together share one wake-up)
  is kept for sends with others in flight; alone it cost an `epoll_wait` per send (3.2 →
  2.2 per sequential send, `strace -c`) and changed nothing else.
- **Session 10: a call's timer no longer wakes the runtime's timer driver.** `strace` of a
  sequential Node send showed the runtime's worker writing its own eventfd right after it
  woke for the call: tokio wakes its timer driver to re-plan whenever a new timer is due
  before the driver's planned wake-up, and between calls the earliest timer was the pool's
  idle sweep, tens of seconds away, so every call's response timer did it. A client now
  keeps its last attempt's timer registered until the next attempt has registered its own
  (`core/src/timer_floor.rs`); the next one is due later, so nothing is woken. Counted:
  3 → 2 `write`s per sequential Node send (`strace -c`), 70.2k → 70.3k user instructions
  (a callgrind window); the CPU difference, one system call, was inside the noise of
  interleaved A/B runs here. It holds for every runtime the client runs on (Rust's too).

Before and after the one-declaration refactor (the architecture issue: tables in core, one
native entry per binding), send, each ratio from one run: 2026-11-26 (before) → 2026-12-01,
first a quiet run of main before this session's changes, then this report's run on the same
machine an hour later, busier:

| ratio | before | after (quiet run) | after (this run) |
|---|---|---|---|
| Python asyncio 64-way / bare reqwest 64 | 0.59× | 0.76× | 0.63× |
| Python blocking / bare reqwest, sequential | 0.88× | 1.04× | 1.02× |
| Node 64-way / bare reqwest 64 | 0.74× | 0.81× | 0.72× |
| Node CPU per send / bare reqwest, sequential | 2.17× | 2.08× | 2.02× |
| Rust sms-otp / official crate, sequential | 0.95–0.99× | 0.96× | 1.13× |
| Rust sms-otp / official crate, 64 in flight | 0.95–0.99× | 0.79× | 0.70× |

The Rust 64-way ratio moves between runs by more than any change made: counted in
instructions per send (callgrind, the method of `bench/instructions`), the crate before the
refactor (commit 121f0b5) and now execute the same work: 72.3k → 73.1k at 64 in flight and
74.6k → 74.5k sequentially, against 65.6k–66.2k for the official crate and 71.8k–72.4k for
the bare reqwest loop.

Targets after session 10. This report's run (5 rounds) is of this session's build (the timer
floor below); figures: this run / session 9's three runs where they help.

- *Python asyncio ≥ 0.8× bare reqwest at 64 in flight*: `send` 1.07× (rounds 0.87–1.12×) /
  1.04×, 0.99×, 1.04×; `authenticate` 0.94× / 0.92×, 0.82×, 0.89×.
- *Python blocking ≥ 0.95× bare reqwest, sequential*: 0.99× (0.98–1.07×) / 1.00×, 0.98×,
  0.96×. `authenticate`, which has no goal of its own, 0.90×.
- *Node ≥ 0.85× bare reqwest at 64 in flight*: 1.14× / 1.11×, 1.12×, 1.10× for `send`;
  1.07× / 1.03×, 0.99×, 1.01× for `authenticate`.
- *Rust ≥ 1.0× the official crate*: 1.17× sequentially and 1.42× at 64 in flight (1.08× /
  1.10× for `authenticate`).
- *Node CPU per send ≤ 1.6× bare reqwest, sequential*: 1.61× (rounds 1.58–1.95×) / 1.69×,
  1.66×, 1.75× (session 8: 1.54×, 1.84×, 1.77×); 43.4 µs against the bare loop's 26.0 µs.
  On the line, not under it. What is left is the cost of keeping HTTP off the JS thread,
  now counted three ways on a sequential send (the release addon against one
  bench-server, both pinned):
  - *User-space instructions are the bare loop's* (`bench/instructions`, which now counts
    Node): 69.8k per send for the whole Node process against 73.3k for the bare reqwest
    loop; split by thread (callgrind `--separate-threads`, by hand), 30.7k on the JS thread
    (V8, N-API, the argument and the answer) and 39.9k on the runtime's worker, about
    the Rust crate's own 40.6k.
  - *The kernel does the rest* (`perf stat`, user and system time, 2 s and 6 s runs
    differenced, by hand): Node 23.3 µs user and 21.3 µs system per send, the bare loop
    15.8 µs and 10.3 µs. The system time is the two hand-offs: 3 context switches per
    send against 1 (`perf stat -e context-switches`) and 9 system calls against 3
    (`strace -f -c`): the JS thread writes the runtime's eventfd (the call starts), polls
    once without waiting (libuv's idle-time metrics, Node's own) and blocks, then reads the
    threadsafe function's eventfd (the call settles); the worker wakes, `writev`s, waits in
    `epoll_wait`, `recvfrom`s and writes that eventfd. Every one of these is needed while
    the HTTP work runs on another thread than the JS code that asked for it; the one that
    was not (tokio's timer driver woken by each call's timer) is gone this session. The
    user time is higher for the same instructions because two threads alternate on one
    core per send, each finding the caches as the other left them.
  - Batching removes the hand-offs once calls overlap: 0.88× the bare loop at 64 in flight.
  Below this means running the HTTP calls on the JS thread's own event loop, as the official
  SDK does through undici (611 µs per send there, 14× ours): one thread and no hand-offs,
  but all HTTP and TLS work then competes with the application's JavaScript. sms-otp keeps
  it off the JS thread.
- *Python 4 threads ≥ 1.8× our 1 thread* (an earlier goal): 1.65× / 1.63×, 1.69×, 1.75×;
  one thread sends as fast as the bare reqwest loop, so on one pinned core four threads can
  only add what one leaves idle while it waits for the server.
"""


def row_key(joined: str) -> Key:
    """A report row's key from its JSON form, `label|mode|call`."""
    label, mode, call = joined.split("|")
    return label, mode, call


def instructions_section(order: List[Key]) -> List[str]:
    """The instructions per call of bench/instructions (bench/instructions.json), if it was run,
    each beside the bare reqwest loop's for the same mode and call."""
    path = HERE / "instructions.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    counts = {row_key(k): v for k, v in data["instructions_per_call"].items()}
    lines = [
        "",
        "## Instructions per call",
        "",
        f"User-space instructions of the client process per call (all its threads), counted by valgrind from `bench/instructions` on {data['date']}: the noise of the shared machine does not move them. Node is counted in a window of a warm run (bench/instructions_node.py says why and how).",
        "",
        "| client | mode | call | instructions per call | vs bare reqwest |",
        "|---|---|---|---|---|",
    ]
    for row in [k for k in order if k in counts] + [k for k in counts if k not in order]:
        label, mode, call = row
        bare = counts.get(("rust bare reqwest", "seq" if mode == "seq" else "inflight64", call))
        versus = f"{counts[row] / bare:.2f}×" if bare else ""
        lines.append(f"| {label} | {mode} | {call} | {counts[row]:,.0f} | {versus} |")
    return lines


T = TypeVar("T")


def rotated(items: List[T], by: int) -> List[T]:
    shift = by % len(items)
    return items[shift:] + items[:shift]


def measure(args: argparse.Namespace, calls: List[str]) -> Dict[str, Any]:
    """Every client in every round, then the start-up probes: the raw figures, as JSON-able data."""
    server, url = start_server(args.rust_bin)
    results: Results = {}
    todo = clients(args.rust_bin, calls)
    order: List[Key] = [(label, mode, call) for label, mode, call, _ in todo]
    try:
        # The size of each answer, for the report (both are fixed for the server's lifetime).
        body_bytes = {
            call: len(urllib.request.urlopen(urllib.request.Request(url + path, data=b"{}", method="POST"), timeout=10).read())
            for call, path in (("send", "/v1/otps/sms/send"), ("authenticate", "/v1/otps/authenticate"))
        }
        # Clients that a target compares run close together: one group per call and kind of
        # mode (sequential, concurrent), so the two sides of a ratio are at most a group's
        # length apart (about half a minute), not a whole round's.
        groups: Dict[Tuple[str, bool], List[Tuple[str, str, str, List[str]]]] = {}
        for entry in todo:
            groups.setdefault((entry[2], entry[1] == "seq"), []).append(entry)
        for round_no in range(args.rounds):
            print(f"round {round_no + 1}/{args.rounds}", flush=True)
            # Rotate the groups and each group's order every round, so no client always runs
            # first or last, or always just after the same neighbour.
            for group in rotated(list(groups.values()), round_no):
                for label, mode, call, argv in rotated(group, round_no):
                    data = run_json(pinned(CLIENT_CPU, [*argv, url, str(args.seconds), call]))
                    if data:
                        data["round"] = round_no
                        for key, value in data.items():
                            results.setdefault((label, mode, call), {}).setdefault(key, []).append(value)
        start = startup(args.rounds)
    finally:
        server.kill()

    return {
        "rounds": args.rounds,
        "seconds": args.seconds,
        "calls": calls,
        "date": time.strftime("%Y-%m-%d"),
        "order": ["|".join(k) for k in order],
        "results": {"|".join(k): v for k, v in results.items()},
        "startup": start,
        # Every release artefact of tests/packaging/build-dist, as published.
        "sizes": {p.name: p.stat().st_size for p in args.wheel_dir.iterdir() if p.is_file()},
        "body_bytes": body_bytes,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rust-bin", type=Path, help="bench-server and bench-rust (release); needed to measure")
    ap.add_argument("--wheel-dir", type=Path, help="the release artefacts, whose sizes the report lists; needed to measure")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--chart", type=Path, required=True)
    ap.add_argument("--calls", default=",".join(CALLS), help="which calls to measure, comma-separated: send,authenticate (default both)")
    ap.add_argument("--raw", type=Path, help="where to keep every measurement as JSON (default: bench/results.json)")
    ap.add_argument("--render", type=Path, help="write the report from a --raw file of an earlier run instead of measuring")
    args = ap.parse_args()
    calls = [c.strip() for c in args.calls.split(",") if c.strip()]
    if not calls or any(c not in CALLS for c in calls):
        ap.error(f"--calls: a comma-separated subset of {','.join(CALLS)}, got {args.calls!r}")

    if args.render:
        run = json.loads(args.render.read_text())
    elif args.rust_bin is None or args.wheel_dir is None:
        ap.error("--rust-bin and --wheel-dir are needed to measure (or --render an earlier run)")
    else:
        run = measure(args, calls)
        (args.raw or HERE / "results.json").write_text(json.dumps(run, indent=1) + "\n")
    results: Results = {row_key(k): v for k, v in run["results"].items()}
    order: List[Key] = [row_key(k) for k in run["order"]]
    start, sizes, body_bytes, calls = run["startup"], run["sizes"], run["body_bytes"], run["calls"]
    args.rounds, args.seconds = run["rounds"], run["seconds"]

    checks = [check for call in CALLS if call in calls for check in targets(results, order, call)]

    lines = [
        "# Benchmarks",
        "",
        f"Generated by `bench/run` (rounds={args.rounds}, {args.seconds:g} s per run, calls: {', '.join(calls)}) on {run['date']}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}.",
        f"Server: `bench-server` (a minimal single-threaded hyper server answering the documented 200 bodies of send ({body_bytes['send']:,} bytes) and authenticate ({body_bytes['authenticate']:,} bytes: a user and a session), built once at start; the emulator keeps an inbox and rate limits, which is work we do not want to measure) pinned to CPU {SERVER_CPU}; each client process pinned to CPU {CLIENT_CPU}" + ("" if HAVE_TASKSET else " (taskset unavailable: not pinned)") + ".",
        "All clients run interleaved in every round, those a target compares close together; figures are medians with min–max over rounds. The machine is shared and noisy: compare ratios taken in the same run, not absolute numbers across runs.",
        "",
        "![throughput](bench/chart.svg)",
    ]

    def table(call: str, header: str) -> List[str]:
        rows = [header, "|---|---|---|---|---|---|"]
        for label, mode, c in order:
            got = results.get((label, mode, c))
            if c == call and got:
                rows.append(f"| {label} | {mode} | {fmt(got.get('throughput', []))} | {fmt(got.get('cpu_us_per_send', []), 1)} | {fmt(got.get('p50_us', []))} | {fmt(got.get('p99_us', []))} |")
        return rows

    if "send" in calls:
        lines += ["", "## Throughput and cost per send", ""]
        lines += table("send", "| client | mode | sends/s | client CPU µs/send | p50 µs | p99 µs |")
    if "authenticate" in calls:
        lines += [
            "",
            "## Throughput and cost per authenticate",
            "",
            "`otps.authenticate` with a test `method_id`, a six-digit code and `session_duration_minutes` 60"
            " (the answer: a user and a session), sequentially and in each language's 64-way mode.",
            "",
        ]
        lines += table("authenticate", "| client | mode | calls/s | client CPU µs/call | p50 µs | p99 µs |")
    lines += ["", "## Start-up", "", "| package | import/require ms | whole process ms | RSS MB |", "|---|---|---|---|"]
    for label, probe in start.items():
        key = "import_ms" if "import_ms" in probe else "require_ms"
        lines.append(f"| {label} | {fmt(probe.get(key, []), 1)} | {fmt(probe.get('process_ms', []), 1)} | {fmt(probe.get('rss_mb', []), 1)} |")
    lines += instructions_section(order)
    lines += ["", "## Package sizes", "", "The release artefacts of `tests/packaging/build-dist` (this machine's: linux x86_64), as published.", "", "| file | bytes |", "|---|---|"]
    lines += [f"| {name} | {size:,} |" for name, size in sorted(sizes.items())]
    lines += ["", "## Targets (ratios from this run)", ""]
    if "authenticate" in calls:
        lines += ["Authenticate has no goals of its own: the rows marked · authenticate are send's ratios computed for authenticate, next to send's goals.", ""]
    lines += [
        "Each ratio is taken round by round, between the two clients' runs of that round (which ran at most about half a minute apart), and reported as the median over rounds with the lowest and highest.",
        "",
        "| target | measured (median) | rounds (min–max) | goal |",
        "|---|---|---|---|",
    ]
    for name, ratios, goal in checks:
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "—"
        median = f"{statistics.median(ratios):.2f}×" if ratios else "—"
        lines.append(f"| {name} | {median} | {spread} | {goal} |")
    lines += ["", NOTES]
    args.out.write_text("\n".join(lines) + "\n")
    chart(results, order, HERE / args.chart)
    print(f"wrote {args.out} and {HERE / args.chart}")


if __name__ == "__main__":
    main()
