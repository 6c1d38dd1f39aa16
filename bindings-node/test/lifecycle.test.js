'use strict';
// The process lifecycle: a process holding an idle client (even with pooled connections)
// exits by itself; worker_threads can each load the module; the ES module entry and the
// package's exports work.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Worker } = require('node:worker_threads');
const path = require('node:path');
const { HostileServer, answers } = require('./hostile-server.js');
const { PACKAGE_DIR, PROJECT_ID, SECRET, runNode } = require('./helpers.js');


test('a process holding an idle client exits by itself', async () => {
  const script = `
    const { Client } = require(${JSON.stringify(PACKAGE_DIR)});
    globalThis.client = new Client({ project_id: 'project-test-1', secret: 'secret-test-1' });
    console.log('made', client.project_id);
  `;
  const result = await runNode(['-e', script]);
  assert.equal(result.signal, null, `killed after ${result.ms} ms: the process did not exit by itself`);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'made project-test-1');
});

test('a process whose client holds a pooled keep-alive connection exits by itself', async () => {
  const server = await HostileServer.start();
  try {
    const script = `
      const { Client } = require(${JSON.stringify(PACKAGE_DIR)});
      const client = new Client({ project_id: ${JSON.stringify(PROJECT_ID)}, secret: ${JSON.stringify(SECRET)},
                                  base_url: process.env.SERVER_URL });
      client.otps.sms.send({ phone_number: '+12025550162' }).then((r) => {
        globalThis.keep = client;
        console.log('sent', r.status_code);
      });
    `;
    const result = await runNode(['-e', script], { env: { SERVER_URL: server.url } });
    assert.equal(result.signal, null, `killed after ${result.ms} ms: the process did not exit by itself`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'sent 200');
    assert.equal((await server.requests()).length, 1);
  } finally {
    await server.close();
  }
});

test('a pending send keeps the process alive until it settles', async () => {
  const server = await HostileServer.start();
  try {
    await server.respond(answers.stall());
    const script = `
      const { Client } = require(${JSON.stringify(PACKAGE_DIR)});
      const client = new Client({ project_id: 'project-test-1', secret: 'secret-test-1',
                                  base_url: process.env.SERVER_URL, timeout_ms: 500 });
      client.otps.sms.send({ phone_number: '+12025550162' }).catch((e) => console.log('settled', e.code, e.phase));
    `;
    const result = await runNode(['-e', script], { env: { SERVER_URL: server.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'settled timeout response');
    assert.ok(result.ms >= 450, `${result.ms} ms`);
  } finally {
    await server.close();
  }
});

test('worker threads can each load the module and send', async () => {
  const server = await HostileServer.start();
  try {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const sms = require(workerData.dir);
      const client = new sms.Client({ project_id: workerData.pid, secret: workerData.secret, base_url: workerData.url });
      client.otps.sms.send({ phone_number: '+12025550162' })
        .then((r) => parentPort.postMessage({ ok: r.status_code }))
        .catch((e) => parentPort.postMessage({ error: String(e) }));
    `;
    const runWorker = () =>
      new Promise((resolve, reject) => {
        const worker = new Worker(code, {
          eval: true,
          workerData: { dir: PACKAGE_DIR, pid: PROJECT_ID, secret: SECRET, url: server.url },
        });
        let message;
        worker.on('message', (m) => (message = m));
        worker.on('error', reject);
        worker.on('exit', (exitCode) => resolve({ exitCode, message }));
      });
    const results = await Promise.all([runWorker(), runWorker(), runWorker()]);
    for (const r of results) assert.deepEqual(r, { exitCode: 0, message: { ok: 200 } });
    // The main thread's module still works after the workers are gone.
    const sms = require(PACKAGE_DIR);
    const client = new sms.Client({ project_id: PROJECT_ID, secret: SECRET, base_url: server.url });
    assert.equal((await client.otps.sms.send({ phone_number: '+12025550162' })).status_code, 200);
    assert.equal((await server.requests()).length, 4);
  } finally {
    await server.close();
  }
});

test('terminating a worker with sends in flight leaves the process and module healthy', async () => {
  const server = await HostileServer.start();
  try {
    await server.respond(answers.stall());
    for (let i = 0; i < 3; i += 1) {
      const worker = new Worker(
        `
        const { parentPort, workerData } = require('node:worker_threads');
        const sms = require(workerData.dir);
        const client = new sms.Client({ project_id: 'project-test-1', secret: 's', base_url: workerData.url });
        for (let i = 0; i < 10; i += 1) client.otps.sms.send({ phone_number: '+12025550162' }).catch(() => {});
        parentPort.postMessage('sent');
      `,
        { eval: true, workerData: { dir: PACKAGE_DIR, url: server.url } },
      );
      await new Promise((resolve) => worker.once('message', resolve));
      await server.waitFor({ requests: 10 * (i + 1) });
      assert.equal(await worker.terminate(), 1);
    }
    await server.respond(answers.respond(200, {}, JSON.stringify({ request_id: 'r', user_id: 'u', phone_id: 'p', status_code: 200 })));
    const sms = require(PACKAGE_DIR);
    const client = new sms.Client({ project_id: PROJECT_ID, secret: SECRET, base_url: server.url });
    assert.equal((await client.otps.sms.send({ phone_number: '+12025550162' })).request_id, 'r');
  } finally {
    await server.close();
  }
});

test('the ES module entry and the CommonJS entry share one set of classes', async () => {
  const script = `
    import { Client, ValidationError, LOCALES, normalizePhoneNumber } from 'sms-otp';
    import sms from 'sms-otp';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('sms-otp');
    const client = new Client({ project_id: 'project-test-1', secret: 'secret-test-1' });
    let err;
    try { normalizePhoneNumber('nope'); } catch (e) { err = e; }
    console.log(JSON.stringify({
      same: Client === cjs.Client && sms.Client === Client,
      instance: err instanceof cjs.ValidationError && err instanceof ValidationError,
      locales: LOCALES.length,
      env: client.environment,
    }));
  `;
  const result = await runNode(['--input-type=module', '-e', script]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { same: true, instance: true, locales: 16, env: 'test' });
});

test('package.json exports resolve for require and import, with types', () => {
  const pkg = require(path.join(PACKAGE_DIR, 'package.json'));
  assert.equal(pkg.name, 'sms-otp');
  assert.equal(require.resolve('sms-otp'), path.join(PACKAGE_DIR, 'index.js'));
  assert.equal(require.resolve('sms-otp/testing'), path.join(PACKAGE_DIR, 'testing.js'));
  assert.equal(pkg.exports['.'].import.default, './index.mjs');
  assert.equal(pkg.exports['.'].import.types, './index.d.mts');
  assert.equal(pkg.exports['./testing'].import.default, './testing.mjs');
  assert.equal(pkg.types, 'index.d.ts');
  // Users get prebuilt addons from the platform packages: nothing runs at install.
  for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[hook], undefined, hook);
  assert.equal(pkg.dependencies, undefined, 'no runtime dependencies (the napi-rs CLI is a dev tool)');
  assert.ok(!pkg.files.some((f) => f.includes('.node') || f.startsWith('src')), 'no binary or Rust source in the main package');
  assert.equal(pkg.bin['sms-otp'], 'cli.js');
});
