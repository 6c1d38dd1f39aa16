'use strict';
// Process shutdown and worker_threads with sends in flight. Each scenario runs in a child
// process (killed after a limit) so that a hang, an abort, a segfault or a napi fatal error at
// exit shows as what it is. What lifecycle.test.js already covers (an idle client, a pending
// send keeping the process alive until its timeout, three terminated workers) is not repeated.
//
// Decided behaviour (like any pending I/O in Node): a send in flight keeps the process (or the
// worker) alive until it settles, at the latest when its timeout fires; `process.exit()`, an
// uncaught exception and `worker.terminate()` end the process or worker at once, dropping the
// sends in flight without any crash, and the module keeps working in the threads that remain.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { HostileServer, answers } = require('./hostile-server.js');
const { PACKAGE_DIR, PROJECT_ID, SECRET, runNode } = require('./helpers.js');

/** Text that means the process died badly, whatever the exit code. */
const FATAL = /FATAL ERROR|Abort(ed)?\b|Segmentation fault|core dumped|napi_fatal|panicked|SIGSEGV|SIGABRT|double free|free\(\)/;

/** Runs `node -e script` (see helpers.js `runNode`). */
const run = (script, { limitMs = 20_000, env = {} } = {}) => runNode(['-e', script], { limitMs, env });

function assertExit(result, code, boundMs) {
  const how = result.signal === 'SIGKILL' ? 'killed at the limit (hang)' : `died of ${result.signal} (crash)`;
  assert.equal(result.signal, null, `${how} after ${result.ms} ms\n${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, code, `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, FATAL);
  assert.ok(result.ms < boundMs, `took ${result.ms} ms, bound ${boundMs} ms`);
}

/** Prelude of every child: the package, a client on SERVER_URL, and `inFlight(n)`, which
 * starts n sends and resolves once the server (in this test process) has them all. */
const PRELUDE = `
  const sms = require(${JSON.stringify(PACKAGE_DIR)});
  const client = new sms.Client({ project_id: ${JSON.stringify(PROJECT_ID)}, secret: ${JSON.stringify(SECRET)},
                                  base_url: process.env.SERVER_URL });
  const settled = [];
  const seen = () => fetch(process.env.SEEN_URL).then((r) => r.json()).then((s) => s.requests.length);
  async function inFlight(n) {
    const base = await seen();
    for (let i = 0; i < n; i += 1) {
      client.otps.sms.send({ phone_number: '+12025550162' })
        .then(() => settled.push('ok'), (e) => settled.push(e.code));
    }
    while ((await seen()) < base + n) await new Promise((r) => setTimeout(r, 5));
  }
`;

/** A stalling server; a child reads how many sends it holds from SEEN_URL (the hostile
 * server's control endpoint for it). `server.env` is the children's environment. */
async function stallingServer() {
  const server = await HostileServer.start(answers.stall());
  server.env = { SERVER_URL: server.url, SEEN_URL: server.stateUrl };
  return server;
}

test('process.exit() with sends in flight exits at once with its code', async () => {
  const server = await stallingServer();
  try {
    for (const code of [0, 3]) {
      const result = await run(`${PRELUDE}
        inFlight(50).then(() => { console.log('in flight', settled.length); process.exit(${code}); });`,
        { env: server.env });
      // The client's timeout is 10 s: exiting well before it means nothing waited for the sends.
      assertExit(result, code, 5_000);
      assert.equal(result.stdout.trim(), 'in flight 0');
    }
    assert.equal((await server.requests()).length, 100);
  } finally {
    await server.close();
  }
});

test('an uncaught exception or unhandled rejection with sends in flight ends the process with code 1', async () => {
  const server = await stallingServer();
  try {
    const thrown = await run(`${PRELUDE}
      inFlight(20).then(() => setImmediate(() => { throw new Error('boom while sending'); }));`,
      { env: server.env });
    assertExit(thrown, 1, 5_000);
    assert.match(thrown.stderr, /boom while sending/);

    const rejected = await run(`${PRELUDE}
      inFlight(20).then(() => Promise.reject(new Error('rejected while sending')));`,
      { env: server.env });
    assertExit(rejected, 1, 5_000);
    assert.match(rejected.stderr, /rejected while sending/);

    // An exception thrown inside a send's own callback is uncaught like any other.
    const inCallback = await run(`${PRELUDE}
      const c2 = new sms.Client({ project_id: 'project-test-1', secret: 's', base_url: process.env.SERVER_URL, timeout_ms: 200 });
      inFlight(10).then(() => c2.otps.sms.send({ phone_number: '+12025550162' }).catch(() => { throw new Error('thrown in catch'); }));`,
      { env: server.env });
    assertExit(inCallback, 1, 5_000);
    assert.match(inCallback.stderr, /thrown in catch/);
  } finally {
    await server.close();
  }
});

test('a script that ends with many sends pending stays alive until every one has settled', async () => {
  const server = await stallingServer();
  try {
    const result = await run(`${PRELUDE}
      const short = new sms.Client({ project_id: 'project-test-1', secret: 's', base_url: process.env.SERVER_URL, timeout_ms: 400 });
      for (let i = 0; i < 100; i += 1) short.otps.sms.send({ phone_number: '+12025550162' }).catch((e) => settled.push(e.code));
      process.on('exit', () => console.log('settled', settled.length, [...new Set(settled)].join()));`,
      { env: server.env });
    assertExit(result, 0, 10_000);
    assert.equal(result.stdout.trim(), 'settled 100 timeout');
    assert.ok(result.ms >= 380, `${result.ms} ms: exited before the sends timed out`);
  } finally {
    await server.close();
  }
});

/** Child script: runs `rounds` workers one after another (or `parallel` at once), each with
 * `sends` stalled sends, ending each as `how` says; then the main thread still sends. */
function workerScript({ how, rounds, parallel = 1, sends = 20 }) {
  return `
    const { Worker } = require('node:worker_threads');
    const dir = ${JSON.stringify(PACKAGE_DIR)};
    const url = process.env.SERVER_URL;
    const body = \`
      const { parentPort, workerData } = require('node:worker_threads');
      const sms = require(workerData.dir);
      const client = new sms.Client({ project_id: 'project-test-1', secret: 's', base_url: workerData.url,
                                      timeout_ms: workerData.how === 'ends' ? 300 : 10000 });
      let done = 0;
      for (let i = 0; i < workerData.sends; i += 1) {
        client.otps.sms.send({ phone_number: '+12025550162' }).catch(() => { done += 1; });
      }
      // Only when told to exit: a 'message' listener keeps a worker alive by itself.
      if (workerData.how === 'exit') parentPort.on('message', () => process.exit(7));
      process.on('exit', () => parentPort.postMessage({ settled: done }));
      parentPort.postMessage('started');
    \`;
    async function seen() {
      return (await (await fetch(process.env.SEEN_URL)).json()).requests.length;
    }
    async function one() {
      const worker = new Worker(body, { eval: true, workerData: { dir, url, how: ${JSON.stringify(how)}, sends: ${sends} } });
      const messages = [];
      worker.on('message', (m) => messages.push(m));
      const exited = new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });
      await new Promise((resolve) => worker.once('message', resolve));
      return { worker, exited, messages };
    }
    (async () => {
      const codes = [];
      let expected = 0;
      for (let round = 0; round < ${rounds}; round += 1) {
        const workers = [];
        for (let k = 0; k < ${parallel}; k += 1) workers.push(await one());
        expected += ${parallel} * ${sends};
        while ((await seen()) < expected) await new Promise((r) => setTimeout(r, 5));
        for (const w of workers) {
          if (${JSON.stringify(how)} === 'terminate') codes.push(await w.worker.terminate());
          else if (${JSON.stringify(how)} === 'exit') { w.worker.postMessage('exit'); codes.push(await w.exited); }
          else codes.push(await w.exited);
        }
        if (${JSON.stringify(how)} === 'ends') {
          for (const w of workers) if (w.messages.at(-1)?.settled !== ${sends}) throw new Error('a worker exited with sends unsettled: ' + JSON.stringify(w.messages));
        }
      }
      const sms = require(dir);
      const client = new sms.Client({ project_id: 'project-test-1', secret: 's', base_url: url, timeout_ms: 200 });
      const after = await client.otps.sms.send({ phone_number: '+12025550162' }).catch((e) => e.code);
      console.log(JSON.stringify({ codes: [...new Set(codes)], count: codes.length, after }));
    })().catch((e) => { console.error(e); process.exitCode = 2; });
  `;
}

// Found by this file: with mimalloc v3 as the addon's global allocator, the second worker to
// load the module after the first had exited crashed the process (SIGSEGV in mimalloc's
// thread initialisation), with or without sends.
test('the module loads in 30 workers one after another, each exiting before the next starts', async () => {
  const result = await run(`
    const { Worker } = require('node:worker_threads');
    (async () => {
      const codes = [];
      for (let i = 0; i < 30; i += 1) {
        const w = new Worker(\`const sms = require(\${JSON.stringify(${JSON.stringify(PACKAGE_DIR)})});
          new sms.Client({ project_id: 'project-test-1', secret: 's' });\`, { eval: true });
        codes.push(await new Promise((resolve) => w.on('exit', resolve)));
      }
      console.log(codes.join(''));
    })();`, { limitMs: 30_000 });
  assertExit(result, 0, 30_000);
  assert.equal(result.stdout.trim(), '0'.repeat(30));
});

test('20 workers terminated one after another with sends in flight: no crash, the process exits by itself', async () => {
  const server = await stallingServer();
  try {
    const result = await run(workerScript({ how: 'terminate', rounds: 20 }), { env: server.env, limitMs: 60_000 });
    assertExit(result, 0, 60_000);
    assert.deepEqual(JSON.parse(result.stdout), { codes: [1], count: 20, after: 'timeout' });
  } finally {
    await server.close();
  }
});

test('workers terminated five at a time, and 10 workers calling process.exit with sends in flight', async () => {
  const server = await stallingServer();
  try {
    const batch = await run(workerScript({ how: 'terminate', rounds: 4, parallel: 5 }), { env: server.env, limitMs: 60_000 });
    assertExit(batch, 0, 60_000);
    assert.deepEqual(JSON.parse(batch.stdout), { codes: [1], count: 20, after: 'timeout' });
    const exiting = await run(workerScript({ how: 'exit', rounds: 10 }), { env: server.env, limitMs: 60_000 });
    assertExit(exiting, 0, 60_000);
    assert.deepEqual(JSON.parse(exiting.stdout), { codes: [7], count: 10, after: 'timeout' });
  } finally {
    await server.close();
  }
});

test('20 workers (10 at a time) whose scripts end with sends pending stay alive until the sends time out, then exit 0', async () => {
  const server = await stallingServer();
  try {
    const result = await run(workerScript({ how: 'ends', rounds: 2, parallel: 10 }), { env: server.env, limitMs: 60_000 });
    assertExit(result, 0, 60_000);
    assert.deepEqual(JSON.parse(result.stdout), { codes: [0], count: 20, after: 'timeout' });
  } finally {
    await server.close();
  }
});

test('8 workers, each with 4 clients sending 12 at once to the emulator: every send succeeds, counts exact', async () => {
  const script = `
    const { Worker } = require('node:worker_threads');
    const { Emulator } = require(${JSON.stringify(path.join(PACKAGE_DIR, 'testing.js'))});
    const body = \`
      const { parentPort, workerData } = require('node:worker_threads');
      const sms = require(workerData.dir);
      const clients = Array.from({ length: 4 }, () => new sms.Client({ project_id: workerData.pid, secret: workerData.secret, base_url: workerData.url }));
      const sends = [];
      for (let i = 0; i < 48; i += 1) {
        const phone = '+1202555' + String(workerData.index * 100 + i).padStart(4, '0');
        sends.push(clients[i % 4].otps.sms.send({ phone_number: phone }).then((r) => r.status_code, (e) => e.code));
      }
      Promise.all(sends).then((codes) => parentPort.postMessage(codes));
    \`;
    (async () => {
      const emu = await Emulator.start({ rate_limit: 1000 });
      const runs = Array.from({ length: 8 }, (_, index) => new Promise((resolve, reject) => {
        const w = new Worker(body, { eval: true, workerData: { dir: ${JSON.stringify(PACKAGE_DIR)}, url: emu.url, pid: emu.project_id, secret: emu.secret, index } });
        let codes;
        w.on('message', (m) => (codes = m));
        w.on('error', reject);
        w.on('exit', (code) => resolve({ code, codes }));
      }));
      const results = await Promise.all(runs);
      const messages = await emu.messages();
      await emu.stop();
      const all = results.flatMap((r) => r.codes ?? ['missing']);
      console.log(JSON.stringify({ exits: [...new Set(results.map((r) => r.code))], sends: all.length,
        ok: all.filter((c) => c === 200).length, messages: messages.length,
        numbers: new Set(messages.map((m) => m.phone_number)).size }));
    })().catch((e) => { console.error(e); process.exitCode = 2; });
  `;
  const result = await run(script, { limitMs: 60_000 });
  assertExit(result, 0, 60_000);
  assert.deepEqual(JSON.parse(result.stdout), { exits: [0], sends: 384, ok: 384, messages: 384, numbers: 384 });
});
