'use strict';
// Load run (Node): one client, 64 concurrent promise chains sending against the in-process
// emulator for LOAD_SECONDS (default 60) with random faults armed, then leak and
// consistency checks; exits 1 when any fails.
//
//   node --expose-gc test/load/load.js
//
// tests/load/run runs it (and the Rust and Python twins); test/load.test.js runs it for 3 s.
// The sizes, the fault mix and the bounds are tests/load/plan.json; tests/load/README.md
// explains the checks. Each sender owns its phone numbers and arms a fault for one of them
// only right before its own send to it (times: 1), so every fault fires on exactly the send
// it was armed for and every result can be judged: success, or the documented error of that
// fault. The run is cut into epochs; between epochs, with nothing in flight, the emulator's
// inbox and fault list are audited against what the client saw, then cleared (memory stays
// bounded, so RSS measures leaks, not the inbox).

const fs = require('node:fs');
const path = require('node:path');
const { Emulator } = require('../../testing.js');
const procfs = require('./procfs.js');

const PLAN = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'tests', 'load', 'plan.json'), 'utf8'));
const FAULTS = PLAN.faults;

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc (the client is dropped and collected at the end)');
  process.exit(2);
}

/** A small seeded generator (mulberry32), so a run can be repeated with LOAD_SEED. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * [class, what is wrong or null]: "ok", "faulted" (the documented error of the armed
 * fault) or "slow" (a response timeout with no fault armed: the machine was too slow for
 * timeout_ms; the SMS may or may not have been recorded, so the audit allows either).
 */
function classify(fault, result, failed) {
  if (!failed) {
    return fault ? ['', `${fault.name} armed, got a success (${result.request_id})`] : ['ok', null];
  }
  if (!fault) {
    if (result.code === 'timeout' && result.phase === 'response') return ['slow', null];
    return ['', `no fault armed, got ${result.code}: ${result.message}`];
  }
  const x = fault.expect;
  const wrong = [
    ['code', x.code],
    ['status_code', x.status],
    ['retry_after', x.retry_after],
    ['after_send', x.after_send],
    ['phase', x.phase],
    ['maybe_delivered', x.maybe_delivered],
  ]
    .filter(([attr, want]) => want !== undefined && result[attr] !== want)
    .map(([attr]) => `${attr} ${JSON.stringify(result[attr])}`);
  if (wrong.length > 0) return ['', `${fault.name} armed, got ${wrong.join(', ')} (${result.message})`];
  return ['faulted', null];
}

/** One send, reduced as it ends (an epoch's records stay small). */
function record(number, fault, result, failed) {
  const [kind, wrong] = classify(fault === null ? null : FAULTS[fault], result, failed);
  return {
    number,
    fault,
    kind,
    wrong,
    code: failed ? String(result.code ?? result.name) : 'ok',
    ids: failed ? null : [result.request_id, result.phone_id, result.user_id],
  };
}

class Totals {
  constructor() {
    Object.assign(this, {
      sends: 0, ok: 0, codes: {}, faults_armed: 0, faults_fired: 0, recorded_by_faults: 0,
      slow: 0, slow_recorded: 0, messages: 0, failures: [], failure_count: 0,
    });
  }

  fail(what) {
    this.failure_count += 1;
    if (this.failures.length < 20) this.failures.push(what);
  }
}

/** Compares one epoch's sends with the emulator's inbox and faults, then clears both. */
async function audit(emu, numbers, sent, phoneIds, t) {
  const per = new Map();
  const okIds = new Map();
  let armed = 0;
  for (const s of sent) {
    t.sends += 1;
    if (s.fault !== null) armed += 1;
    const phone = numbers[s.number];
    if (!per.has(phone)) per.set(phone, { recorded: 0, slow: 0, messages: 0, extra: 0, active: 0, lastActive: false });
    const p = per.get(phone);
    if (s.wrong !== null) t.fail(`${phone}: ${s.wrong}`);
    if (s.kind === 'slow') {
      t.slow += 1;
      p.slow += 1;
    }
    if (s.kind === 'faulted' && FAULTS[s.fault].expect.recorded) {
      t.recorded_by_faults += 1;
      p.recorded += 1;
    }
    if (s.ids === null) {
      t.codes[s.code] = (t.codes[s.code] ?? 0) + 1;
    } else {
      t.ok += 1;
      if (okIds.has(s.ids[0])) t.fail(`request_id ${s.ids[0]} answered twice`);
      okIds.set(s.ids[0], [s.number, s.ids[1], s.ids[2]]);
    }
  }
  t.faults_armed += armed;

  // Per number (small answers); the count cleared below must equal their sum, so no
  // message went to a number nobody sent to.
  const seen = new Set();
  let counted = 0;
  for (const [phone, p] of per) {
    for (const m of await emu.messages({ phone_number: phone })) {
      counted += 1;
      if (seen.has(m.request_id)) t.fail(`two messages carry request_id ${m.request_id}`);
      seen.add(m.request_id);
      p.messages += 1;
      p.lastActive = m.status === 'active';
      if (p.lastActive) p.active += 1;
      if (!phoneIds.has(phone)) phoneIds.set(phone, m.phone_id);
      if (phoneIds.get(phone) !== m.phone_id) t.fail(`${phone}: phone_id changed from ${phoneIds.get(phone)} to ${m.phone_id}`);
      const mine = okIds.get(m.request_id);
      if (mine === undefined) {
        p.extra += 1;
      } else {
        okIds.delete(m.request_id);
        if (numbers[mine[0]] !== phone || mine[1] !== m.phone_id || mine[2] !== m.user_id) {
          t.fail(`message ${m.request_id} does not match the response of its send`);
        }
      }
    }
  }
  for (const [rid, [number]] of okIds) t.fail(`${numbers[number]}: success ${rid} has no message (lost)`);
  for (const [phone, p] of per) {
    // Extra messages: exactly those of process_then_reset, plus any slow send the emulator
    // finished after the client gave up.
    if (p.extra < p.recorded || p.extra > p.recorded + p.slow) {
      t.fail(`${phone}: ${p.extra} messages beyond the successes, expected ${p.recorded} (+ up to ${p.slow} slow)`);
    } else {
      t.slow_recorded += p.extra - p.recorded;
    }
    if (p.active > 1) t.fail(`${phone}: ${p.active} active codes`);
    if (p.messages > 0 && !p.lastActive) t.fail(`${phone}: its latest code is not active`);
  }

  const faults = await emu.faults();
  if (faults.length !== armed) t.fail(`${armed} faults armed, the emulator lists ${faults.length}`);
  for (const f of faults) {
    t.faults_fired += f.hits;
    if (f.hits !== 1 || f.remaining !== 0) {
      t.fail(`fault ${f.fault_id} for ${f.phone_number} fired ${f.hits} times (armed for 1 send)`);
    }
  }
  const cleared = await emu.clearMessages();
  t.messages += cleared;
  if (cleared !== counted) t.fail(`the inbox held ${cleared} messages, ${counted} of them to numbers sent to this epoch`);
  await emu.clearFaults();
}

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `done` holds for the connections to `port`, or `withinMs` passed. Socket state
 * changes have no event to wait on, so this polls (every 10 ms, bounded), collecting garbage
 * each time so a dropped client's finalizer runs.
 */
async function settle(port, withinMs, done) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    global.gc();
    const c = procfs.conns(port);
    if (done(c) || Date.now() >= deadline) return c;
    await tick(10);
  }
}

function sample(port) {
  global.gc();
  const conns = procfs.conns(port);
  const fds = procfs.fdCount();
  return { fds, conns, rssKib: procfs.rssKib(), otherFds: fds - conns.fds };
}

async function main() {
  const seconds = Number(process.env.LOAD_SECONDS || PLAN.seconds);
  const warmup = Number(process.env.LOAD_WARMUP_SECONDS || PLAN.warmup_seconds);
  const seed = Number(process.env.LOAD_SEED || Math.floor(Math.random() * 2 ** 32));
  const verbose = !['', '0', undefined].includes(process.env.LOAD_VERBOSE);
  const random = rng(seed);

  const emu = await Emulator.start({ rate_limit: PLAN.rate_limit });
  const port = Number(new URL(emu.url).port);
  let client = emu.client({ timeout_ms: PLAN.timeout_ms });
  const count = PLAN.concurrency * PLAN.numbers_per_sender;
  const numbers = Array.from({ length: count }, (_, i) => `+1202555${String(1000 + i).padStart(4, '0')}`);
  const phoneIds = new Map();

  async function sender(s, until, r, out) {
    const per = PLAN.numbers_per_sender;
    let turn = 0;
    while (Date.now() < until) {
      const number = s * per + (turn % per);
      turn += 1;
      let fault = null;
      if (r() < PLAN.fault_rate) {
        fault = Math.floor(r() * FAULTS.length);
        await emu.injectFault({ ...FAULTS[fault].fault, phone_number: numbers[number], times: 1 });
      }
      try {
        out.push(record(number, fault, await client.otps.sms.send({ phone_number: numbers[number] }), false));
      } catch (e) {
        out.push(record(number, fault, e, true));
      }
    }
  }

  async function epoch(lengthMs, totals) {
    const until = Date.now() + lengthMs;
    const outs = Array.from({ length: PLAN.concurrency }, () => []);
    const done = await Promise.allSettled(
      outs.map((out, s) => sender(s, until, rng(Math.floor(random() * 2 ** 32)), out)),
    );
    for (const d of done) if (d.status === 'rejected') totals.fail(`a sender failed: ${d.reason}`);
    return outs.flat();
  }

  const warm = new Totals();
  await audit(emu, numbers, await epoch(warmup * 1000, warm), phoneIds, warm);
  const start = sample(port);

  const totals = new Totals();
  const began = Date.now();
  let sending = 0;
  let epochs = 0;
  while (Date.now() - began < seconds * 1000) {
    epochs += 1;
    const length = Math.min(PLAN.epoch_seconds * 1000, seconds * 1000 - (Date.now() - began));
    const t0 = Date.now();
    const sent = await epoch(length, totals);
    sending += Date.now() - t0;
    await audit(emu, numbers, sent, phoneIds, totals);
    if (verbose) {
      const s = sample(port);
      console.error(
        `epoch ${epochs}: ${sent.length} sends, fds ${s.fds}, conns ${s.conns.client}/${s.conns.server}, ` +
          `rss ${(s.rssKib / 1024).toFixed(1)} MiB, js heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`,
      );
    }
  }

  // Idle, client alive: the pool keeps what the senders used, plus connections its
  // background connects finished after an idle one won the race (hyper keeps those), so
  // idle_per_sender per sender at most; every server-side socket must belong to one of them
  // (no orphan left by a reset or stall).
  await settle(port, PLAN.settle_ms, (c) => c.server === c.client);
  const end = sample(port);
  // Client dropped and collected: every connection must close, on both sides.
  client = null;
  const dropped = await settle(port, PLAN.settle_ms, (c) => c.client === 0 && c.server === 0);
  const droppedFds = procfs.fdCount();

  const failures = [...warm.failures.map((f) => `warm-up: ${f}`), ...totals.failures];
  if (totals.failure_count > totals.failures.length) failures.push(`... ${totals.failure_count} failures in all`);
  const b = PLAN.bounds;
  const growth = (end.rssKib - start.rssKib) / 1024;
  // Generous: freed memory the allocator keeps (arenas of many threads) is not a leak; a leak
  // grows with the sends and passes this within a minute of load.
  const rssBound = Math.max(b.rss_growth_mib, (b.rss_growth_ratio * start.rssKib) / 1024);
  const accounted = totals.ok + totals.recorded_by_faults + totals.slow_recorded;
  const checks = [
    [totals.sends > 0, 'no sends'],
    [
      end.conns.client <= PLAN.concurrency * b.idle_per_sender,
      `${end.conns.client} idle client connections, more than ${b.idle_per_sender} per sender`,
    ],
    [end.conns.server === end.conns.client, `idle: ${end.conns.server} server-side sockets for ${end.conns.client} client connections`],
    [end.otherFds <= start.otherFds + b.fd_slack, `file descriptors other than connections grew from ${start.otherFds} to ${end.otherFds}`],
    [dropped.client === 0 && dropped.server === 0, `after the client was dropped: ${JSON.stringify(dropped)} still open`],
    [droppedFds <= start.otherFds + b.fd_slack, `after the client was dropped: ${droppedFds} fds, ${start.otherFds} at the start without connections`],
    [growth <= rssBound, `RSS grew by ${growth.toFixed(1)} MiB (bound ${rssBound.toFixed(1)} MiB)`],
    [totals.messages === accounted, `${totals.messages} messages recorded, ${accounted} accounted for`],
  ];
  for (const [ok, what] of checks) if (!ok) failures.push(what);
  const codes = Object.keys(totals.codes).sort().map((c) => `${c}=${totals.codes[c]}`).join(' ');
  const line =
    `load[node] ${seconds.toFixed(0)}s seed=${seed} sends=${totals.sends} ok=${totals.ok} ${codes} ` +
    `slow=${totals.slow} faults_fired=${totals.faults_fired}/${totals.faults_armed} messages=${totals.messages} ` +
    `(ok ${totals.ok} + process_then_reset ${totals.recorded_by_faults} + slow ${totals.slow_recorded}) ` +
    `sends/s=${Math.round(totals.sends / Math.max(sending / 1000, 1e-9))} epochs=${epochs} ` +
    `fds=${start.fds}/${end.fds} (dropped ${droppedFds}) conns=${start.conns.client}/${end.conns.client} ` +
    `(dropped ${dropped.client + dropped.server}) rss=${(start.rssKib / 1024).toFixed(1)}/${(end.rssKib / 1024).toFixed(1)} MiB: ` +
    (failures.length ? 'FAIL' : 'PASS');
  await emu.stop();
  for (const f of failures) console.error(`FAILED: ${f}`);
  console.log(line);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error('load run could not run:', e);
    process.exitCode = 1;
  },
);
