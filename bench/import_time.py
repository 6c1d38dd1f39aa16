"""Start-up as a user measures it, each figure from fresh processes:

(a) `python -X importtime -c "import sms_otp"`: the package's cumulative import time and the
    five largest self costs among the modules importing it brings in;
(b) whole-process wall time of `python -c "import sms_otp"` minus `python -c pass` (median of
    `--runs` fresh processes, interleaved), in ms and as a ratio, and the same for the official
    `stytch` package when the interpreter can import it;
(c) the first `normalize_phone_number("(202) 555-0162")` of a process against the second one,
    then the first of another country; and the first `send` (to an emulator in another
    process) against the second one, followed by a first normalize, which shows whether the
    send already paid for the phone-number metadata.

Usage: `python bench/import_time.py [--python LABEL=PYTHON]... [--runs N]`. Every LABEL is an
interpreter with sms_otp installed (by default the one running this script), e.g. one venv
with a release wheel of main and one with this branch's, so that before/after ratios come
from one run. `bench/startup` builds the release wheel and the venv and runs this. Stdlib
only; prints Markdown. The machine is shared and noisy: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

HAVE_TASKSET = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
CLIENT_CPU = "1"
PID = "project-test-00000000-0000-0000-0000-000000000000"
SECRET = "secret-test-emulator"


def pinned(argv: List[str]) -> List[str]:
    return ["taskset", "-c", CLIENT_CPU, *argv] if HAVE_TASKSET else argv


def wall_ms(argv: List[str]) -> float:
    started = time.perf_counter()
    subprocess.run(pinned(argv), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def importtime(python: str, statement: str) -> List[Tuple[str, int, int]]:
    """(module, self µs, cumulative µs) for every line of `-X importtime`, in order."""
    out = subprocess.run(pinned([python, "-X", "importtime", "-c", statement]), check=True, capture_output=True, text=True)
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((m.group(4), int(m.group(1)), int(m.group(2))))
    return rows


def importtime_report(python: str, package: str, runs: int) -> Tuple[float, List[Tuple[str, float]], List[str]]:
    """Median cumulative ms of `import package`, the five largest median self costs (ms) of
    the modules it brings in beyond those of `python -c pass`, and those modules."""
    bare = {name for name, _, _ in importtime(python, "pass")}
    cumulative: List[float] = []
    selfs: Dict[str, List[float]] = {}
    brought: List[str] = []
    for _ in range(runs):
        rows = importtime(python, f"import {package}")
        cumulative.append(next(cum for name, _, cum in rows if name == package) / 1000)
        for name, own, _ in rows:
            if name not in bare:
                selfs.setdefault(name, []).append(own / 1000)
                if name not in brought:
                    brought.append(name)
    top = sorted(((name, statistics.median(v)) for name, v in selfs.items()), key=lambda kv: -kv[1])[:5]
    return statistics.median(cumulative), top, brought


def can_import(python: str, package: str) -> bool:
    return subprocess.run([python, "-c", f"import {package}"], capture_output=True).returncode == 0


FIRST_CALL = """
import json, time
t0 = time.perf_counter()
import sms_otp
t1 = time.perf_counter()
sms_otp.normalize_phone_number("(202) 555-0162")
t2 = time.perf_counter()
sms_otp.normalize_phone_number("(202) 555-0162")
t3 = time.perf_counter()
sms_otp.normalize_phone_number("+44 20 7946 0958")
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first normalize (US)": t2 - t1, "second normalize (US)": t3 - t2,
                  "first normalize of +44 after US": t4 - t3}))
"""

FIRST_SEND = """
import json, sys, time
import sms_otp
url, number = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
client = sms_otp.Client("%s", "%s", base_url=url)
t1 = time.perf_counter()
client.otps.sms.send(phone_number=number + "1")
t2 = time.perf_counter()
client.otps.sms.send(phone_number=number + "2")
t3 = time.perf_counter()
sms_otp.normalize_phone_number("(202) 555-0162")
t4 = time.perf_counter()
print(json.dumps({"Client()": t1 - t0, "first send": t2 - t1, "second send": t3 - t2,
                  "first normalize after sends": t4 - t3}))
""" % (PID, SECRET)


def run_probe(python: str, code: str, *args: str) -> Dict[str, float]:
    out = subprocess.run(pinned([python, "-c", code, *args]), check=True, capture_output=True, text=True)
    return {k: v * 1000 for k, v in json.loads(out.stdout.splitlines()[-1]).items()}


def start_emulator(python: str) -> Tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([python, "-m", "sms_otp", "emulator"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"listening on (\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return proc, m.group(1)


def fmt(values: List[float], digits: int = 1) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", action="append", default=[], metavar="LABEL=PYTHON")
    ap.add_argument("--runs", type=int, default=40, help="fresh processes per wall-time figure")
    ap.add_argument("--importtime-runs", type=int, default=10)
    ap.add_argument("--call-runs", type=int, default=10, help="fresh processes per first-call figure")
    args = ap.parse_args()
    pythons: List[Tuple[str, str]] = [tuple(p.split("=", 1)) for p in args.python] or [("sms-otp", sys.executable)]  # type: ignore[misc]

    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        + ("each process pinned to CPU " + CLIENT_CPU if HAVE_TASKSET else "not pinned (no taskset)")
        + f". Medians (min–max) of fresh processes. Command: `{' '.join(['python', *sys.argv])}`.",
        "",
    ]

    # (a) -X importtime.
    lines += ["## `python -X importtime -c \"import sms_otp\"`", ""]
    official: Optional[str] = next((py for _, py in pythons if can_import(py, "stytch")), None)
    for label, python in pythons:
        cum, top, brought = importtime_report(python, "sms_otp", args.importtime_runs)
        costs = ", ".join(f"`{name}` {ms:.2f}" for name, ms in top)
        lines.append(f"- **{label}**: cumulative {cum:.2f} ms (median of {args.importtime_runs}); largest self costs (ms): {costs}.")
        lines.append(f"  Modules it brings in beyond `python -c pass`: {', '.join(brought)}.")
    if official:
        cum, top, _ = importtime_report(official, "stytch", max(3, args.importtime_runs // 3))
        costs = ", ".join(f"`{name}` {ms:.1f}" for name, ms in top)
        lines.append(f"- **official stytch**: cumulative {cum:.1f} ms; largest self costs (ms): {costs}.")
    else:
        lines.append("- official stytch: not importable by any of the interpreters given (pip install stytch), skipped.")

    # (b) whole-process wall time, all probes interleaved.
    probes: Dict[str, List[str]] = {}
    for label, python in pythons:
        probes[f"{label}: python -c pass"] = [python, "-c", "pass"]
        probes[f"{label}: import sms_otp"] = [python, "-c", "import sms_otp"]
    if official:
        probes["official: python -c pass"] = [official, "-c", "pass"]
        probes["official: import stytch"] = [official, "-c", "import stytch"]
    walls: Dict[str, List[float]] = {k: [] for k in probes}
    for _ in range(3):  # warm the page cache
        for argv in probes.values():
            wall_ms(argv)
    for _ in range(args.runs):
        for key, argv in probes.items():
            walls[key].append(wall_ms(argv))
    lines += ["", f"## Whole process: `python -c \"import X\"` vs `python -c pass` ({args.runs} fresh processes each, interleaved)", ""]
    lines += ["| interpreter | `-c pass` ms | `-c \"import X\"` ms | difference ms | ratio |", "|---|---|---|---|---|"]
    groups = [(label, "sms_otp") for label, _ in pythons] + ([("official", "stytch")] if official else [])
    for label, package in groups:
        bare = walls[f"{label}: python -c pass"]
        imported = walls[f"{label}: import {package}"]
        diff = statistics.median(imported) - statistics.median(bare)
        ratio = statistics.median(imported) / statistics.median(bare)
        lines.append(f"| {label} (`import {package}`) | {fmt(bare)} | {fmt(imported)} | {diff:.1f} | {ratio:.3f}× |")

    # (c) first calls.
    lines += ["", f"## First calls ({args.call_runs} fresh processes each, interleaved)", ""]
    calls: Dict[str, Dict[str, List[float]]] = {label: {} for label, _ in pythons}
    emulator, url = start_emulator(pythons[0][1])
    try:
        for run in range(args.call_runs):
            for i, (label, python) in enumerate(pythons):
                number = f"+1202555{run % 100:02d}{i % 10}"  # + 1 digit: 5 sends per number per hour
                for probe in (run_probe(python, FIRST_CALL), run_probe(python, FIRST_SEND, url, number)):
                    for key, value in probe.items():
                        calls[label].setdefault(key, []).append(value)
    finally:
        emulator.kill()
    keys = list(next(iter(calls.values())).keys())
    lines += ["| ms | " + " | ".join(label for label, _ in pythons) + " |", "|---" * (len(pythons) + 1) + "|"]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(fmt(calls[label][key], 2) for label, _ in pythons) + " |")
    if len(pythons) > 1:
        base = pythons[0][0]
        lines += ["", f"Ratios of medians, each against **{base}** (same run):", ""]
        for label, _ in pythons[1:]:
            for key in keys:
                a, b = statistics.median(calls[base][key]), statistics.median(calls[label][key])
                lines.append(f"- {key}: {label} / {base} = {b / a:.3f} ({a:.2f} → {b:.2f} ms)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
