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

test('nextMessage long-polls for the next text; null on timeout', async () => {
  const emu = await Emulator.start();
  try {
    const next = emu.nextMessage({ phone_number: PHONE, timeout_ms: 5000 });
    setTimeout(() => emu.client().otps.sms.send({ phone_number: PHONE }), 50);
    const message = await next;
    assert.equal(message.phone_number, PHONE);
    assert.equal(await emu.nextMessage({ timeout_ms: 50 }), null);
  } finally {
    await emu.stop();
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

    // An hour later the code has expired and the rate-limit window has moved on.
    await emu.advanceClock(3600);
    assert.equal((await emu.messages({ phone_number: PHONE }))[1].status, 'expired');
    await client.otps.sms.send({ phone_number: PHONE });
    assert.equal((await emu.messages({ phone_number: PHONE }))[2].status, 'active');

    const user = await emu.createUser({ phone_number: '+12025550100' });
    assert.match(user.user_id, /^user-test-/);
    const session = await emu.createSession({ user_id: user.user_id });
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
  assert.throws(() => new Emulator({}), TypeError);
});

test('stop is idempotent and later calls say the emulator stopped', async () => {
  const emu = await Emulator.start();
  const client = emu.client({ max_retries: 0 });
  await emu.stop();
  await emu.stop();
  const stopped = await rejection(emu.messages());
  assert.equal(stopped.kind, 'stopped');
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
