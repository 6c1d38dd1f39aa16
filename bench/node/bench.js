'use strict';
// Node clients under load: `node bench.js CLIENT MODE URL SECONDS [CALL]`
// CLIENT: `ours` (sms-otp) or `official` (stytch 14.2.0); MODE: `seq` or `inflight64`.
// CALL: `send` (the default: `otps.sms.send`) or `authenticate` (`otps.authenticate` with a code
// and a 60-minute session). `sends` and `cpu_us_per_send` in the output count calls.
// `node bench.js CLIENT require` measures require time and RSS (CLIENT `bare`: nothing).
// Prints one JSON line.
const PID = 'project-test-00000000-0000-0000-0000-000000000000';
const SECRET = 'secret-test-emulator';
const PHONE = '+12025550162';
// A valid test method id (the phone_id bench-server's send body returns); ours validates it.
const METHOD_ID = 'phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6';
const CODE = '123456';
const SESSION_MINUTES = 60;
// The release artefacts bench/run installed here (tests/packaging/build-dist), as users get them.
const OURS = 'sms-otp';

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function rssMb() {
  return process.memoryUsage().rss / (1024 * 1024);
}

function measureRequire(kind) {
  const before = rssMb();
  const started = process.hrtime.bigint();
  if (kind === 'ours') require(OURS);
  else if (kind === 'official') require('stytch');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ require_ms: ms, require_rss_mb: rssMb() - before, rss_mb: rssMb() }));
}

function makeSend(kind, url, call) {
  let client;
  if (kind === 'ours') {
    const { Client } = require(OURS);
    client = new Client({ project_id: PID, secret: SECRET, base_url: url });
  } else {
    const stytch = require('stytch');
    // The official client takes a plain-http URL through `env` (custom_base_url must be https).
    client = new stytch.Client({ project_id: PID, secret: SECRET, env: url + '/' });
  }
  // The same call, spelt the same way, for both clients.
  if (call === 'send') return () => client.otps.sms.send({ phone_number: PHONE });
  if (call === 'authenticate') {
    return () => client.otps.authenticate({ method_id: METHOD_ID, code: CODE, session_duration_minutes: SESSION_MINUTES });
  }
  throw new Error(`unknown call ${call}`);
}

async function main() {
  const [kind, mode, url, seconds, call = 'send'] = process.argv.slice(2);
  if (mode === 'require') return measureRequire(kind);
  const send = makeSend(kind, url, call);
  for (let i = 0; i < 100; i++) await send();
  const concurrency = mode === 'inflight64' ? 64 : 1;
  const latencies = [];
  let failures = 0;
  const deadline = performance.now() + Number(seconds) * 1000;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          await send();
        } catch {
          failures += 1;
        }
        latencies.push((performance.now() - started) * 1000);
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  const pick = (p) => (n ? latencies[Math.min(Math.floor(n * p), n - 1)] : 0);
  console.log(JSON.stringify({
    sends: n, failures, seconds: wall, throughput: n / wall,
    cpu_us_per_send: (cpu * 1e6) / Math.max(n, 1), p50_us: pick(0.5), p99_us: pick(0.99), rss_mb: rssMb(), call,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
