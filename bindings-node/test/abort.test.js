'use strict';
// AbortSignal cancels promptly: the promise rejects with the signal's reason at once, and the
// Rust future is dropped (the server sees the connection close).

const test = require('node:test');
const assert = require('node:assert/strict');
const { HostileServer, answers } = require('./hostile-server.js');
const { sms, clientFor, rejection } = require('./helpers.js');

const REQUEST = { phone_number: '+12025550162' };

let server;
test.before(async () => {
  server = await HostileServer.start();
});
test.after(() => server.close());
test.beforeEach(() => server.reset());

test('abort rejects with an AbortError at once and drops the request', async () => {
  await server.respond(answers.stall());
  const client = clientFor(server, { timeout_ms: 60_000 });
  const controller = new AbortController();
  const closedBefore = (await server.state()).closed;
  const pending = client.otps.sms.send(REQUEST, { signal: controller.signal });
  await server.waitFor({ requests: 1 });
  const started = Date.now();
  controller.abort();
  const err = await rejection(pending);
  assert.ok(Date.now() - started < 200, `rejected after ${Date.now() - started} ms`);
  assert.equal(err.name, 'AbortError');
  assert.ok(err instanceof DOMException);
  assert.equal(err, controller.signal.reason);
  // The native send future was dropped: its connection is closed long before the timeout.
  await server.waitFor({ closed: closedBefore + 1 }, 2000).catch(() => {
    throw new Error('connection still open 2 s after abort');
  });
  assert.equal((await server.requests()).length, 1);
});

test('the signal reason is the rejection; an already aborted signal sends nothing', async () => {
  const client = clientFor(server);
  const reason = new Error('user went away');
  const err = await rejection(client.otps.sms.send(REQUEST, { signal: AbortSignal.abort(reason) }));
  assert.equal(err, reason);
  const plain = await rejection(client.otps.sms.send(REQUEST, { signal: AbortSignal.abort() }));
  assert.equal(plain.name, 'AbortError');
  assert.equal((await server.requests()).length, 0);
  assert.equal((await server.connections()), 0);
});

test('AbortSignal.timeout works and reports a TimeoutError', async () => {
  await server.respond(answers.stall());
  const client = clientFor(server, { timeout_ms: 60_000 });
  const started = Date.now();
  const err = await rejection(client.otps.sms.send(REQUEST, { signal: AbortSignal.timeout(150) }));
  assert.equal(err.name, 'TimeoutError');
  assert.ok(Date.now() - started < 2000);
});

test('a signal that never fires changes nothing, and aborting afterwards is harmless', async () => {
  const client = clientFor(server);
  const controller = new AbortController();
  const resp = await client.otps.sms.send(REQUEST, { signal: controller.signal });
  assert.equal(resp.status_code, 200);
  controller.abort();
  const after = await client.otps.sms.send(REQUEST, { signal: new AbortController().signal });
  assert.equal(after.status_code, 200);
  // Errors still come as library errors with a signal present.
  await server.respond(answers.error(400, 'invalid_phone_number'));
  const err = await rejection(client.otps.sms.send(REQUEST, { signal: new AbortController().signal }));
  assert.ok(err instanceof sms.BadRequestError);
});

test('one signal shared by many sends: all abort, no MaxListeners warning', async () => {
  await server.respond(answers.stall());
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const client = clientFor(server, { timeout_ms: 60_000 });
    const controller = new AbortController();
    const sends = Array.from({ length: 50 }, () => client.otps.sms.send(REQUEST, { signal: controller.signal }));
    await server.waitFor({ requests: 50 });
    controller.abort();
    const results = await Promise.allSettled(sends);
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason.name === 'AbortError'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.map(String), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('after an abort the client keeps working', async () => {
  await server.respond(answers.stall());
  const client = clientFor(server, { timeout_ms: 60_000 });
  const controller = new AbortController();
  const pending = client.otps.sms.send(REQUEST, { signal: controller.signal });
  await server.waitFor({ requests: 1 });
  controller.abort();
  await rejection(pending);
  await server.respond(answers.ok());
  const resp = await client.otps.sms.send(REQUEST);
  assert.equal(resp.status_code, 200);
});
