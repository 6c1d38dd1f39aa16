'use strict';
// The rest of an SMS login from Node: client.otps.sms.loginOrCreate and
// client.otps.authenticate against the real emulator over loopback.

const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const { Emulator } = require('sms-otp/testing');
const { sms } = require('./helpers.js');

const PHONE = '+12025550162';
const UNKNOWN_METHOD = 'phone-number-test-00000000-0000-0000-0000-000000000000';

async function withEmulator(body) {
  const emu = await Emulator.start();
  try {
    await body(emu, emu.client());
  } finally {
    await emu.stop();
  }
}

async function codeFor(emu, phone = PHONE) {
  const messages = await emu.messages({ phone_number: phone });
  return messages[messages.length - 1].code;
}

test('a whole login with a session', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE, create_user_as_pending: true });
    assert.equal(sent.user_created, true);
    assert.equal(sent.status_code, 200);
    assert.match(sent.phone_id, /^phone-number-test-/);
    const resp = await client.otps.authenticate({
      method_id: sent.phone_id,
      code: await codeFor(emu),
      session_duration_minutes: 60,
    });
    assert.equal(resp.user_id, sent.user_id);
    assert.equal(resp.method_id, sent.phone_id);
    assert.equal(resp.user.status, 'active');
    assert.equal(resp.user.phone_numbers[0].verified, true);
    assert.equal(resp.session.authentication_factors[0].phone_number_factor.phone_id, sent.phone_id);
    assert.ok(resp.session.expires_at);
    assert.equal(resp.session_jwt.split('.').length, 3);
    // A plain object with the wire names: spreads and serializes as the body.
    assert.equal(Object.getPrototypeOf(resp), Object.prototype);
    assert.equal(JSON.parse(JSON.stringify(resp)).session_token, resp.session_token);
    const again = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    assert.equal(again.user_created, false);
    assert.equal(again.user_id, sent.user_id);
  }));

test('util.inspect and console.log never show the session token or JWT', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    const code = await codeFor(emu);
    const resp = await client.otps.authenticate({ method_id: sent.phone_id, code, session_duration_minutes: 5 });
    const shown = util.inspect(resp, { depth: 10 });
    assert.ok(!shown.includes(resp.session_token) && !shown.includes(resp.session_jwt), shown);
    assert.match(shown, /session_token: '\[redacted\]'/);
    assert.ok(shown.includes(resp.user_id));
  }));

test('without a session the tokens are empty and there is no session', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    const resp = await client.otps.authenticate({ method_id: sent.phone_id, code: await codeFor(emu) });
    assert.equal(resp.session ?? null, null);
    assert.equal(resp.session_token, '');
    assert.equal(resp.session_jwt, '');
  }));

test('a wrong code and a used code are InvalidCodeError, told apart by error_type', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    const code = await codeFor(emu);
    const wrong = code === '000001' ? '000002' : '000001';
    await assert.rejects(client.otps.authenticate({ method_id: sent.phone_id, code: wrong }), (e) => {
      assert.ok(e instanceof sms.InvalidCodeError && e instanceof sms.ApiError);
      assert.equal(e.code, 'invalid_code');
      assert.equal(e.error_type, 'otp_code_not_found');
      assert.equal(e.status_code, 404);
      assert.ok(!e.message.includes(wrong));
      return true;
    });
    await client.otps.authenticate({ method_id: sent.phone_id, code });
    await assert.rejects(client.otps.authenticate({ method_id: sent.phone_id, code }), (e) => {
      assert.ok(e instanceof sms.InvalidCodeError);
      assert.equal(e.error_type, 'unable_to_auth_otp_code');
      assert.equal(e.status_code, 401);
      return true;
    });
  }));

test('bad values are ValidationErrors naming the field, before any request', () =>
  withEmulator(async (emu, client) => {
    const cases = [
      [{ code: '12345' }, 'code'],
      [{ code: '١٢٣٤٥٦' }, 'code'],
      [{ method_id: 'phone-number-live-00000000-0000-0000-0000-000000000000' }, 'method_id'],
      [{ session_duration_minutes: 4 }, 'session_duration_minutes'],
      [{ session_duration_minutes: 30.5 }, 'session_duration_minutes'],
      [{ session_duration_minutes: 527041n }, 'session_duration_minutes'],
      [{ session_token: 't', session_jwt: 'j' }, 'session_jwt'],
      [{ session_custom_claims: { iss: 'x' } }, 'session_custom_claims'],
      [{ session_custom_claims: { big: 'x'.repeat(5000) } }, 'session_custom_claims'],
      [{ session_custom_claims: { x: NaN } }, 'session_custom_claims.x'],
    ];
    for (const [fields, field] of cases) {
      await assert.rejects(
        client.otps.authenticate({ method_id: UNKNOWN_METHOD, code: '123456', ...fields }),
        (e) => e instanceof sms.ValidationError && e.field === field && !e.message.includes('x'.repeat(100)),
        util.inspect(fields),
      );
    }
    await assert.rejects(client.otps.sms.loginOrCreate({ phone_number: '12' }), (e) => e.field === 'phone_number');
    await assert.rejects(client.otps.sms.loginOrCreate({ phone_number: PHONE, expiration_minutes: 2.5 }), (e) => e.field === 'expiration_minutes');
    assert.deepEqual(await emu.messages(), []);
  }));

test('wrong types are TypeErrors naming the field', () =>
  withEmulator(async (_emu, client) => {
    const cases = [
      [{ code: 123456 }, /code must be a string, got number/],
      [{ session_custom_claims: ['a'] }, /session_custom_claims must be an object, got array/],
      [{ session_custom_claims: { a: () => 1 } }, /session_custom_claims\.a must be JSON data/],
      [{ options: { ip_match_required: 'yes' } }, /options\.ip_match_required must be a boolean, got string/],
      [{ sessionDurationMinutes: 5 }, /unknown key "sessionDurationMinutes".*did you mean session_duration_minutes\?/],
    ];
    for (const [fields, message] of cases) {
      await assert.rejects(client.otps.authenticate({ method_id: UNKNOWN_METHOD, code: '123456', ...fields }), (e) => e instanceof TypeError && message.test(e.message));
    }
    await assert.rejects(client.otps.authenticate({ method_id: UNKNOWN_METHOD }), /code is required, got undefined/);
    await assert.rejects(client.otps.authenticate(undefined), /request must be an object with method_id and code, got undefined/);
    await assert.rejects(client.otps.sms.loginOrCreate({ phone_number: PHONE }, { signall: 1 }), /loginOrCreate options has an unknown key "signall"/);
  }));

test('custom claims reach the session as given', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    const claims = { plan: 'pro', n: 3, nested: { list: [1, 2.5, null, true] } };
    const resp = await client.otps.authenticate({
      method_id: sent.phone_id,
      code: await codeFor(emu),
      session_duration_minutes: 5,
      session_custom_claims: claims,
    });
    assert.deepEqual(resp.session.custom_claims, claims);
  }));

test('an aborted authenticate rejects with the reason and drops the request', () =>
  withEmulator(async (emu, client) => {
    const sent = await client.otps.sms.loginOrCreate({ phone_number: PHONE });
    const code = await codeFor(emu);
    await emu.injectFault({ kind: 'stall', path: '/v1/otps/authenticate' });
    const controller = new AbortController();
    const pending = client.otps.authenticate({ method_id: sent.phone_id, code }, { signal: controller.signal });
    controller.abort(new Error('user left'));
    await assert.rejects(pending, /user left/);
  }));
