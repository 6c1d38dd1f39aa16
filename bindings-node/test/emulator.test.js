'use strict';
// sms-otp/testing: the in-process emulator, driven the way an application's tests would.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { Emulator, EmulatorError } = require('sms-otp/testing');
const { sms, PACKAGE_DIR } = require('./helpers.js');

const PHONE = '+12025550162';

test('send through the emulator and read the code from its inbox', async () => {
  const emu = await Emulator.start({ seed: 7 });
  try {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emu.project_id, 'project-test-00000000-0000-0000-0000-000000000000');
    assert.equal(emu.secret, 'secret-test-emulator');
    const client = emu.client();
    const resp = await client.otps.sms.send({ phone_number: PHONE, locale: 'es', expiration_minutes: 5 });
    assert.match(resp.request_id, /^request-id-test-/);
    assert.match(resp.phone_id, /^phone-number-test-/);
    const messages = await emu.messages({ phone_number: PHONE });
    assert.equal(messages.length, 1);
    const [message] = messages;
    assert.match(message.code, /^\d{6}$/);
    assert.equal(message.locale, 'es');
    assert.equal(message.status, 'active');
    assert.equal(message.request_id, resp.request_id);
    assert.equal(message.phone_id, resp.phone_id);
    assert.ok(message.text.includes(message.code));
    // The sandbox number always gets 000000.
    await client.otps.sms.send({ phone_number: '+10000000000' });
    assert.equal((await emu.messages({ phone_number: '+10000000000' }))[0].code, '000000');
    assert.equal((await emu.messages()).length, 2);
  } finally {
    await emu.stop();
  }
});

test('the same seed gives the same codes', async () => {
  const codes = [];
  for (let i = 0; i < 2; i += 1) {
    const emu = await Emulator.start({ seed: 42n });
    await emu.client().otps.sms.send({ phone_number: PHONE });
    codes.push((await emu.messages())[0].code);
    await emu.stop();
  }
  assert.equal(codes[0], codes[1]);
});

test('nextMessage long-polls for the next text; null on timeout; stopped when the emulator stops', async () => {
  const emu = await Emulator.start();
  try {
    const next = emu.nextMessage({ phone_number: PHONE, timeout_ms: 5000 });
    setTimeout(() => emu.client().otps.sms.send({ phone_number: PHONE }), 50);
    const message = await next;
    assert.equal(message.phone_number, PHONE);
    assert.equal(await emu.nextMessage({ timeout_ms: 50 }), null);
    assert.equal(await emu.nextMessage({ timeout_ms: 0n }), null);
    // The wait starts at the call: a send right after it (no tick in between) is seen.
    const racing = emu.nextMessage({ timeout_ms: 5000 });
    await emu.client().otps.sms.send({ phone_number: PHONE });
    assert.equal((await racing).phone_number, PHONE);
    const tooLong = await rejection(emu.nextMessage({ timeout_ms: 600_001 }));
    assert.deepEqual([tooLong.kind, tooLong.status, tooLong.error_type, tooLong.field], ['admin', 400, 'bad_request', 'timeout_ms']);
    const seconds = await rejection(emu.nextMessage({ timeout: 5 }));
    assert.ok(seconds instanceof TypeError);
    assert.match(seconds.message, /did you mean timeout_ms \(milliseconds\)\?/);
    await assert.rejects(emu.nextMessage({ timeout_ms: 1.5 }), TypeError);
  } finally {
    const waiting = rejection(emu.nextMessage({ timeout_ms: 30_000 }));
    await emu.stop();
    const stopped = await waiting;
    assert.ok(stopped instanceof EmulatorError);
    assert.equal(stopped.kind, 'stopped');
  }
});

test('faults surface as the library errors, counted as the emulator saw them', async () => {
  const emu = await Emulator.start();
  try {
    const client = emu.client({ max_retries: 2, timeout_ms: 300 });
    const fault = await emu.injectFault({ status: 503, times: 1 });
    assert.match(fault.fault_id, /^fault-/);
    const server = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(server instanceof sms.ServerError);
    assert.equal(server.status_code, 503);
    assert.equal(server.maybe_delivered, true);

    await emu.injectFault({ status: 429, error_type: 'too_many_requests', retry_after: 30 });
    const limited = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(limited instanceof sms.RateLimitedError);
    assert.equal(limited.retry_after, 30);

    await emu.injectFault({ kind: 'malformed_body' });
    const html = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(html instanceof sms.UnexpectedResponseError);

    await emu.injectFault({ kind: 'process_then_reset' });
    const before = (await emu.messages()).length;
    const reset = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(reset instanceof sms.NetworkError);
    assert.equal(reset.maybe_delivered, true);
    assert.equal((await emu.messages()).length, before + 1, 'the SMS went out although the client saw a reset');

    await emu.injectFault({ kind: 'stall' });
    const stalled = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(stalled instanceof sms.RequestTimeoutError);
    assert.equal(stalled.phase, 'response');

    const faults = await emu.faults();
    assert.ok(faults.every((f) => f.hits === 1), JSON.stringify(faults));

    const bad = await rejection(emu.injectFault({ bogus: 1 }));
    assert.ok(bad instanceof EmulatorError);
    assert.equal(bad.status, 400);
    assert.equal(bad.error_type, 'bad_request');
    assert.equal((await rejection(emu.injectFault({ kind: 'no-such-kind' }))).status, 400);
    assert.equal(await emu.clearFaults(), 5);
    assert.deepEqual(await emu.faults(), []);
  } finally {
    await emu.stop();
  }
});

test('rate limits, the virtual clock, users, sessions and reset', async () => {
  const emu = await Emulator.start({ rate_limit: 2 });
  try {
    const client = emu.client();
    await client.otps.sms.send({ phone_number: PHONE });
    await client.otps.sms.send({ phone_number: PHONE });
    const limited = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(limited instanceof sms.RateLimitedError);
    assert.equal(limited.error_type, 'too_many_requests');
    assert.ok(limited.retry_after > 0);
    const [first, second] = await emu.messages({ phone_number: PHONE });
    assert.deepEqual([first.status, second.status], ['invalidated', 'active']);

    // An hour later (in milliseconds) the code has expired and the rate-limit window has moved on.
    await emu.advanceClock(3_600_000);
    assert.equal((await emu.messages({ phone_number: PHONE }))[1].status, 'expired');
    await client.otps.sms.send({ phone_number: PHONE });
    assert.equal((await emu.messages({ phone_number: PHONE }))[2].status, 'active');

    const user = await emu.createUser({ phone_number: '+12025550100' });
    assert.match(user.user_id, /^user-test-/);
    assert.deepEqual(Object.keys(user), ['user_id', 'phone_number', 'phone_id']);
    assert.equal(user.phone_number, '+12025550100');
    assert.equal((await emu.createUser()).phone_id, null);
    const duplicate = await rejection(emu.createUser({ phone_number: '+12025550100' }));
    assert.deepEqual([duplicate.kind, duplicate.status, duplicate.error_type], ['admin', 400, 'duplicate_phone_number']);
    const session = await emu.createSession({ user_id: user.user_id });
    assert.deepEqual(Object.keys(session), ['session_id', 'user_id', 'session_token', 'session_jwt']);
    // A malformed user_id is refused as the admin API refuses it; an unknown one is not found.
    const malformed = await rejection(emu.createSession({ user_id: 'bob' }));
    assert.deepEqual([malformed.kind, malformed.status, malformed.error_type, malformed.field], ['admin', 400, 'invalid_user_id', 'user_id']);
    const unknown = await rejection(emu.createSession({ user_id: 'user-test-00000000-0000-4000-8000-000000000000' }));
    assert.deepEqual([unknown.status, unknown.error_type], [404, 'user_not_found']);
    const viaSession = await client.otps.sms.send({ phone_number: '+12025550100', session_token: session.session_token });
    assert.equal(viaSession.user_id, user.user_id);
    const missing = await rejection(client.otps.sms.send({ phone_number: PHONE, user_id: 'user-test-00000000-0000-0000-0000-000000000009' }));
    assert.ok(missing instanceof sms.NotFoundError);

    assert.ok((await emu.clearMessages()) > 0);
    assert.deepEqual(await emu.messages(), []);
    await emu.reset();
    await client.otps.sms.send({ phone_number: PHONE });
  } finally {
    await emu.stop();
  }
});

test('the rate-limit window is set in milliseconds', async () => {
  const emu = await Emulator.start({ rate_limit: 1, rate_window_ms: 60_000 });
  try {
    const client = emu.client({ max_retries: 0 });
    await client.otps.sms.send({ phone_number: PHONE });
    const limited = await rejection(client.otps.sms.send({ phone_number: PHONE }));
    assert.ok(limited instanceof sms.RateLimitedError);
    assert.ok(limited.retry_after > 0 && limited.retry_after <= 60, String(limited.retry_after));
    await emu.advanceClock(60_000);
    await client.otps.sms.send({ phone_number: PHONE });
  } finally {
    await emu.stop();
  }
});

test('the emulator refuses live credentials and bad options', async () => {
  const live = await rejection(Emulator.start({ secret: 'secret-live-abc' }));
  assert.ok(live instanceof EmulatorError);
  assert.equal(live.kind, 'live_credentials');
  assert.equal(live.field, 'secret');
  const port = await rejection(Emulator.start({ port: 70000 }));
  assert.equal(port.kind, 'invalid_config');
  assert.equal(port.field, 'port');
  await assert.rejects(Emulator.start({ colour: 'blue' }), TypeError);
  await assert.rejects(Emulator.start({ seed: 1.5 }), TypeError);
  await assert.rejects(Emulator.start({ rate_window: 1000 }), /did you mean rate_window_ms/);
  const unsafe = await rejection(Emulator.start({ seed: 2 ** 60 }));
  assert.deepEqual([unsafe.kind, unsafe.field], ['invalid_config', 'seed']);
  assert.match(unsafe.message, /bigint/);
  const surrogate = await rejection(Emulator.start({ project_id: '\ud800' }));
  assert.deepEqual([surrogate.kind, surrogate.field], ['invalid_config', 'project_id']);
  const window = await rejection(Emulator.start({ rate_window_ms: 0 }));
  assert.deepEqual([window.kind, window.field], ['invalid_config', 'rate_window_ms']);
  const bind = await rejection(Emulator.start({ host: '203.0.113.7' }));
  assert.equal(bind.kind, 'bind');
  assert.throws(() => new Emulator({}), TypeError);
});

test('admin arguments: wrong types are TypeErrors, bad values EmulatorErrors', async () => {
  const emu = await Emulator.start();
  try {
    for (const call of [
      () => emu.messages({ phone_number: 1 }),
      () => emu.messages('+12025550162'),
      () => emu.createSession(),
      () => emu.createUser({ phone: '+12025550100' }),
      () => emu.injectFault('x'),
      () => emu.injectFault({ phone_number: () => 1 }),
      () => emu.advanceClock('5'),
      () => emu.advanceClock(),
    ]) {
      await assert.rejects(call(), TypeError);
    }
    const circular = {};
    circular.self = circular;
    await assert.rejects(emu.injectFault(circular), /nested too deep/);
    for (const [call, field] of [
      [() => emu.messages({ phone_number: '\ud800' }), 'phone_number'],
      [() => emu.advanceClock(-1), 'ms'],
      [() => emu.advanceClock(NaN), 'ms'],
      [() => emu.createUser({ phone_number: '2025550100' }), 'phone_number'],
    ]) {
      const e = await rejection(call());
      assert.ok(e instanceof EmulatorError, String(e));
      assert.deepEqual([e.kind, e.status, e.field], ['admin', 400, field]);
    }
    assert.equal(await emu.advanceClock(1n), undefined);
    assert.equal(await emu.reset(), undefined);
  } finally {
    await emu.stop();
  }
});

test('stop is idempotent and later calls say the emulator stopped', async () => {
  const emu = await Emulator.start();
  const client = emu.client({ max_retries: 0 });
  await emu.stop();
  await emu.stop();
  for (const call of [() => emu.messages(), () => emu.nextMessage(), () => emu.injectFault(), () => emu.reset()]) {
    const stopped = await rejection(call());
    assert.ok(stopped instanceof EmulatorError);
    assert.equal(stopped.kind, 'stopped');
    assert.equal(stopped.name, 'EmulatorError');
  }
  const refused = await rejection(client.otps.sms.send({ phone_number: PHONE }));
  assert.ok(refused instanceof sms.NetworkError);
  assert.equal(refused.maybe_delivered, false);
});

test('a process with a running emulator it forgot to stop still exits', async () => {
  const script = `
    const { Emulator } = require('sms-otp/testing');
    Emulator.start().then(async (emu) => {
      await emu.client().otps.sms.send({ phone_number: '+12025550162' });
      globalThis.emu = emu;
      console.log('ok');
    });
  `;
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
  assert.deepEqual(result, { code: 0, signal: null, out: 'ok\n' });
});

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
