"""Load run (Python): one client, 64 concurrent senders against the in-process emulator for
LOAD_SECONDS (default 60) with random faults armed, then leak and consistency checks; exits 1
when any fails.

    python bindings-python/tests/load/load.py --mode async    # 64 asyncio tasks, send_async
    python bindings-python/tests/load/load.py --mode threads  # 64 threads, blocking send

tests/load/run runs it (and the Rust and Node twins); test_load.py runs it for 3 s. The
sizes, the fault mix and the bounds are tests/load/plan.json; tests/load/README.md explains
the checks. Each sender owns its phone numbers and arms a fault for one of them only right
before its own send to it (times=1), so every fault fires on exactly the send it was armed
for and every result can be judged: success, or the documented error of that fault. The run
is cut into epochs; between epochs, with nothing in flight, the emulator's inbox and fault
list are audited against what the client saw, then cleared (memory stays bounded, so RSS
measures leaks, not the inbox).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import concurrent.futures
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import procfs  # noqa: E402  (beside this file)

from sms_otp import Client, SmsOtpError  # noqa: E402
from sms_otp.testing import Emulator  # noqa: E402

PLAN: Dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[3] / "tests" / "load" / "plan.json").read_text()
)
FAULTS: List[Dict[str, Any]] = PLAN["faults"]

# One send, reduced as it ends (so an epoch's records stay small and the allocator's
# working set does not dominate RSS): (index of the number, index of the fault armed for it
# or None, class from `classify`, "ok" or the error code, what is wrong or None,
# (request_id, phone_id, user_id) of a success or None).
Sent = Tuple[int, Optional[int], str, str, Optional[str], Optional[Tuple[str, str, str]]]


def classify(fault: Optional[Dict[str, Any]], result: Any) -> Tuple[str, Optional[str]]:
    """("ok" | "faulted" | "slow", None), or (_, what is wrong) when the outcome is neither
    success nor the documented error of the armed fault. "slow": a response timeout with no
    fault armed (the machine was too slow for timeout_ms); the SMS may or may not have been
    recorded (maybe_delivered), so the audit allows either and reports the count."""
    if not isinstance(result, BaseException):
        if fault is None:
            return "ok", None
        return "", f"{fault['name']} armed, got a success ({result.request_id})"
    if not isinstance(result, SmsOtpError):
        return "", f"not an SmsOtpError: {result!r}"
    if fault is None:
        if result.code == "timeout" and result.phase == "response":
            return "slow", None
        return "", f"no fault armed, got {result.code}: {result}"
    x = fault["expect"]
    wrong = [
        f"{attr} {getattr(result, attr)!r}"
        for attr, want in [
            ("code", x["code"]),
            ("status_code", x.get("status")),
            ("retry_after", x.get("retry_after")),
            ("after_send", x.get("after_send")),
            ("phase", x.get("phase")),
            ("maybe_delivered", x["maybe_delivered"]),
        ]
        if want is not None and getattr(result, attr) != want
    ]
    if wrong:
        return "", f"{fault['name']} armed, got {', '.join(wrong)} ({result})"
    return "faulted", None


def record(number: int, fault: Optional[int], result: Any) -> Sent:
    kind, wrong = classify(None if fault is None else FAULTS[fault], result)
    if isinstance(result, BaseException):
        return number, fault, kind, str(getattr(result, "code", type(result).__name__)), wrong, None
    return number, fault, kind, "ok", wrong, (result.request_id, result.phone_id, result.user_id)


@dataclass
class Totals:
    sends: int = 0
    ok: int = 0
    codes: Dict[str, int] = field(default_factory=dict)
    faults_armed: int = 0
    faults_fired: int = 0
    recorded_by_faults: int = 0
    slow: int = 0
    slow_recorded: int = 0
    messages: int = 0
    failures: List[str] = field(default_factory=list)
    failure_count: int = 0

    def fail(self, what: str) -> None:
        self.failure_count += 1
        if len(self.failures) < 20:
            self.failures.append(what)


@dataclass
class PerNumber:
    recorded_by_faults: int = 0
    slow: int = 0
    messages: int = 0
    extra: int = 0
    active: int = 0
    last_active: bool = False


def audit(emu: Emulator, numbers: List[str], sent: List[Sent], phone_ids: Dict[str, str], t: Totals) -> None:
    """Compares one epoch's sends with the emulator's inbox and faults, then clears both."""
    per: Dict[str, PerNumber] = {}
    ok_ids: Dict[str, Tuple[int, str, str]] = {}
    armed = 0
    for number, fault_index, kind, code, wrong, ids in sent:
        t.sends += 1
        armed += fault_index is not None
        p = per.setdefault(numbers[number], PerNumber())
        if wrong is not None:
            t.fail(f"{numbers[number]}: {wrong}")
        if kind == "slow":
            t.slow += 1
            p.slow += 1
        if kind == "faulted" and fault_index is not None and FAULTS[fault_index]["expect"]["recorded"]:
            t.recorded_by_faults += 1
            p.recorded_by_faults += 1
        if ids is None:
            t.codes[code] = t.codes.get(code, 0) + 1
        else:
            t.ok += 1
            if ids[0] in ok_ids:
                t.fail(f"request_id {ids[0]} answered twice")
            ok_ids[ids[0]] = (number, ids[1], ids[2])
    t.faults_armed += armed

    # Per number (small answers); the count cleared below must equal their sum, so no
    # message went to a number nobody sent to.
    seen: Set[str] = set()
    counted = 0
    for phone, pn in per.items():
        for m in emu.messages(phone_number=phone):
            counted += 1
            rid = m["request_id"]
            if rid in seen:
                t.fail(f"two messages carry request_id {rid}")
            seen.add(rid)
            pn.messages += 1
            pn.last_active = m["status"] == "active"
            pn.active += pn.last_active
            known = phone_ids.setdefault(phone, m["phone_id"])
            if known != m["phone_id"]:
                t.fail(f"{phone}: phone_id changed from {known} to {m['phone_id']}")
            mine = ok_ids.pop(rid, None)
            if mine is None:
                pn.extra += 1
            elif (numbers[mine[0]], mine[1], mine[2]) != (phone, m["phone_id"], m["user_id"]):
                t.fail(f"message {rid} does not match the response of its send")
    for rid, (number, _, _) in ok_ids.items():
        t.fail(f"{numbers[number]}: success {rid} has no message (lost)")
    for phone, pn in per.items():
        # Extra messages: exactly those of process_then_reset, plus any slow send the
        # emulator finished after the client gave up.
        if not pn.recorded_by_faults <= pn.extra <= pn.recorded_by_faults + pn.slow:
            t.fail(
                f"{phone}: {pn.extra} messages beyond the successes, expected "
                f"{pn.recorded_by_faults} (+ up to {pn.slow} slow)"
            )
        else:
            t.slow_recorded += pn.extra - pn.recorded_by_faults
        if pn.active > 1:
            t.fail(f"{phone}: {pn.active} active codes")
        if pn.messages and not pn.last_active:
            t.fail(f"{phone}: its latest code is not active")

    faults = emu.faults()
    if len(faults) != armed:
        t.fail(f"{armed} faults armed, the emulator lists {len(faults)}")
    for f in faults:
        t.faults_fired += f["hits"]
        if f["hits"] != 1 or f["remaining"] != 0:
            t.fail(f"fault {f['fault_id']} for {f['phone_number']} fired {f['hits']} times (armed for 1 send)")
    cleared = emu.clear_messages()
    t.messages += cleared
    if cleared != counted:
        t.fail(f"the inbox held {cleared} messages, {counted} of them to numbers sent to this epoch")
    emu.clear_faults()


class Run:
    """The emulator, the one client, the numbers and the counts of one run."""

    def __init__(self, mode: str, seed: int) -> None:
        self.mode = mode
        self.rng = random.Random(seed)
        self.emu = Emulator(rate_limit=PLAN["rate_limit"])
        self.port = int(self.emu.url.rsplit(":", 1)[1])
        self.client: Optional[Client] = self.emu.client(timeout=PLAN["timeout_ms"] / 1000)
        count = PLAN["concurrency"] * PLAN["numbers_per_sender"]
        self.numbers = [f"+1202555{1000 + i:04d}" for i in range(count)]
        self.phone_ids: Dict[str, str] = {}
        # The blocking senders' threads, started once (as an application's worker pool would).
        self.threads = concurrent.futures.ThreadPoolExecutor(PLAN["concurrency"], "sender")

    def mine(self, sender: int) -> List[int]:
        per = PLAN["numbers_per_sender"]
        return list(range(sender * per, (sender + 1) * per))

    def fault_for(self, rng: random.Random, number: int) -> Tuple[Optional[int], Dict[str, Any]]:
        """Maybe picks a fault for the next send to `number`: (its index, admin spec)."""
        if rng.random() >= PLAN["fault_rate"]:
            return None, {}
        i = rng.randrange(len(FAULTS))
        return i, {**FAULTS[i]["fault"], "phone_number": self.numbers[number], "times": 1}

    async def sender_async(self, mine: List[int], until: float, rng: random.Random, out: List[Sent]) -> None:
        assert self.client is not None
        turn = 0
        while time.monotonic() < until:
            number = mine[turn % len(mine)]
            turn += 1
            fault, spec = self.fault_for(rng, number)
            if fault is not None:
                # The helper's admin calls block (urllib): off the event loop.
                await asyncio.to_thread(self.emu.inject_fault, **spec)
            try:
                result: Any = await self.client.otps.sms.send_async(phone_number=self.numbers[number])
            except Exception as e:  # classified by the audit
                result = e
            out.append(record(number, fault, result))

    def sender_blocking(self, mine: List[int], until: float, rng: random.Random, out: List[Sent], errors: List[str]) -> None:
        assert self.client is not None
        try:
            turn = 0
            while time.monotonic() < until:
                number = mine[turn % len(mine)]
                turn += 1
                fault, spec = self.fault_for(rng, number)
                if fault is not None:
                    self.emu.inject_fault(**spec)
                try:
                    result: Any = self.client.otps.sms.send(phone_number=self.numbers[number])
                except Exception as e:  # classified by the audit
                    result = e
                out.append(record(number, fault, result))
        except Exception as e:
            errors.append(f"a sender thread failed: {e!r}")

    async def epoch(self, length: float, totals: Totals) -> List[Sent]:
        """Runs every sender for `length` seconds and collects their sends."""
        until = time.monotonic() + length
        n = PLAN["concurrency"]
        outs: List[List[Sent]] = [[] for _ in range(n)]
        rngs = [random.Random(self.rng.getrandbits(64)) for _ in range(n)]
        if self.mode == "async":
            done = await asyncio.gather(
                *(self.sender_async(self.mine(s), until, rngs[s], outs[s]) for s in range(n)),
                return_exceptions=True,
            )
            for d in done:
                if isinstance(d, BaseException):
                    totals.fail(f"a sender task failed: {d!r}")
        else:
            errors: List[str] = []
            jobs = [
                self.threads.submit(self.sender_blocking, self.mine(s), until, rngs[s], outs[s], errors)
                for s in range(n)
            ]
            # Off the event loop (which runs nothing meanwhile): the senders block.
            await asyncio.to_thread(concurrent.futures.wait, jobs)
            for e in errors:
                totals.fail(e)
        return [s for out in outs for s in out]


@dataclass(frozen=True)
class Sample:
    fds: int
    conns: procfs.Conns
    rss_kib: int

    @staticmethod
    def take(port: int) -> "Sample":
        return Sample(procfs.fd_count(), procfs.conns(port), procfs.rss_kib())

    def other_fds(self) -> int:
        """Descriptors that are not connections to the emulator: these must not grow."""
        return self.fds - self.conns.fds


def settle(port: int, within: float, done: Callable[[procfs.Conns], bool]) -> procfs.Conns:
    """Waits until `done` holds for the connections to `port`, or `within` seconds passed.
    Socket state changes have no event to wait on, so this polls (every 10 ms, bounded)."""
    deadline = time.monotonic() + within
    while True:
        c = procfs.conns(port)
        if done(c) or time.monotonic() >= deadline:
            return c
        time.sleep(0.01)


async def main_async(mode: str, seconds: float, seed: int, verbose: bool) -> Tuple[str, List[str]]:
    run = Run(mode, seed)
    port = run.port
    warm = Totals()
    sent = await run.epoch(float(os.environ.get("LOAD_WARMUP_SECONDS") or PLAN["warmup_seconds"]), warm)
    audit(run.emu, run.numbers, sent, run.phone_ids, warm)
    del sent
    gc.collect()
    start = Sample.take(port)

    totals = Totals()
    began = time.monotonic()
    sending = 0.0
    epochs = 0
    while time.monotonic() - began < seconds:
        epochs += 1
        length = min(PLAN["epoch_seconds"], seconds - (time.monotonic() - began))
        t0 = time.monotonic()
        sent = await run.epoch(length, totals)
        sending += time.monotonic() - t0
        count = len(sent)
        audit(run.emu, run.numbers, sent, run.phone_ids, totals)
        del sent
        if verbose:
            s = Sample.take(port)
            print(
                f"epoch {epochs}: {count} sends, fds {s.fds}, conns {s.conns.client}/{s.conns.server}, "
                f"rss {s.rss_kib / 1024:.1f} MiB, malloc in use {procfs.heap_in_use_kib() / 1024:.1f} MiB",
                file=sys.stderr,
            )

    # Idle, client alive: the pool keeps what the senders used, plus connections its
    # background connects finished after an idle one won the race (hyper keeps those), so
    # idle_per_sender per sender at most; every server-side socket must belong to one of
    # them (no orphan left by a reset or stall).
    within = PLAN["settle_ms"] / 1000
    gc.collect()
    settle(port, within, lambda c: c.server == c.client)
    end = Sample.take(port)
    # Client dropped: every connection must close, on both sides.
    run.client = None
    gc.collect()
    dropped = settle(port, within, lambda c: c.client == 0 and c.server == 0)
    dropped_fds = procfs.fd_count()

    failures = [f"warm-up: {f}" for f in warm.failures] + totals.failures
    if totals.failure_count > len(totals.failures):
        failures.append(f"... {totals.failure_count} failures in all")
    bounds = PLAN["bounds"]
    slack = bounds["fd_slack"]
    growth = (end.rss_kib - start.rss_kib) / 1024
    # Generous: freed memory the allocator keeps (arenas of many threads) is not a leak; a
    # leak grows with the sends and passes this within a minute of load.
    rss_bound = max(bounds["rss_growth_mib"], bounds["rss_growth_ratio"] * start.rss_kib / 1024)
    accounted = totals.ok + totals.recorded_by_faults + totals.slow_recorded
    checks = [
        (totals.sends > 0, "no sends"),
        (
            end.conns.client <= PLAN["concurrency"] * bounds["idle_per_sender"],
            f"{end.conns.client} idle client connections, more than {bounds['idle_per_sender']} per sender",
        ),
        (
            end.conns.server == end.conns.client,
            f"idle: {end.conns.server} server-side sockets for {end.conns.client} client connections",
        ),
        (
            end.other_fds() <= start.other_fds() + slack,
            f"file descriptors other than connections grew from {start.other_fds()} to {end.other_fds()}",
        ),
        (dropped == procfs.Conns(), f"after the client was dropped: {dropped} still open"),
        (
            dropped_fds <= start.other_fds() + slack,
            f"after the client was dropped: {dropped_fds} fds, {start.other_fds()} at the start without connections",
        ),
        (growth <= rss_bound, f"RSS grew by {growth:.1f} MiB (bound {rss_bound:.1f} MiB)"),
        (totals.messages == accounted, f"{totals.messages} messages recorded, {accounted} accounted for"),
    ]
    failures += [what for ok, what in checks if not ok]
    codes = " ".join(f"{c}={n}" for c, n in sorted(totals.codes.items()))
    line = (
        f"load[python-{mode}] {seconds:.0f}s seed={seed} sends={totals.sends} ok={totals.ok} {codes} "
        f"slow={totals.slow} faults_fired={totals.faults_fired}/{totals.faults_armed} "
        f"messages={totals.messages} (ok {totals.ok} + process_then_reset {totals.recorded_by_faults} "
        f"+ slow {totals.slow_recorded}) sends/s={totals.sends / max(sending, 1e-9):.0f} epochs={epochs} "
        f"fds={start.fds}/{end.fds} (dropped {dropped_fds}) conns={start.conns.client}/{end.conns.client} "
        f"(dropped {dropped.client + dropped.server}) rss={start.rss_kib / 1024:.1f}/{end.rss_kib / 1024:.1f} MiB: "
        f"{'FAIL' if failures else 'PASS'}"
    )
    run.threads.shutdown()
    run.emu.stop()
    return line, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["async", "threads"], default="async")
    mode = parser.parse_args().mode
    seconds = float(os.environ.get("LOAD_SECONDS") or PLAN["seconds"])
    seed = int(os.environ.get("LOAD_SEED") or random.getrandbits(63))
    verbose = os.environ.get("LOAD_VERBOSE", "0") not in ("", "0")
    line, failures = asyncio.run(main_async(mode, seconds, seed, verbose))
    for f in failures:
        print(f"FAILED: {f}", file=sys.stderr)
    print(line, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
