'use strict';
// Testing a login flow offline with node --test and the in-process emulator:
//   node --test examples/login-flow.test.js
const test = require('node:test');
const assert = require('node:assert/strict');
const { ServerError } = require('sms-otp');
const { Emulator } = require('sms-otp/testing');

/** The application code under test: sends a code, returns the phone_id to verify against. */
async function startLogin(client, phone_number) {
  return (await client.otps.sms.send({ phone_number, expiration_minutes: 5 })).phone_id;
}

let emu;
test.beforeEach(async () => {
  emu = await Emulator.start();
});
test.afterEach(async () => {
  await emu.stop();
});

test('the user receives a code', async () => {
  const phoneId = await startLogin(emu.client(), '+12025550162');
  const [message] = await emu.messages({ phone_number: '+12025550162' });
  assert.equal(message.phone_id, phoneId);
  assert.match(message.code, /^\d{6}$/);
});

test('a second request invalidates the first code', async () => {
  const client = emu.client();
  await startLogin(client, '+12025550162');
  await startLogin(client, '+12025550162');
  const statuses = (await emu.messages({ phone_number: '+12025550162' })).map((m) => m.status);
  assert.deepEqual(statuses, ['invalidated', 'active']);
});

test('an outage is reported as maybe delivered', async () => {
  await emu.injectFault({ status: 503, error_type: 'server_unavailable' });
  await assert.rejects(startLogin(emu.client(), '+12025550162'), (e) => e instanceof ServerError && e.maybe_delivered);
});
