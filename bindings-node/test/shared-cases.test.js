'use strict';
// Runs every shared case of ../tests/cases/*.json through the Node surface (the Rust and
// Python suites run the same files). No case can be skipped, and the run fails if it finds
// fewer files than exist.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { HostileServer, refusedPort } = require('./hostile-server.js');
const { Emulator } = require('sms-otp/testing');
const { sms, PACKAGE_DIR } = require('./helpers.js');

const CASES_DIR = path.join(PACKAGE_DIR, '..', 'tests', 'cases');
const CASES = fs
  .readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const DEFAULT_PROJECT_ID = 'project-test-11111111-2222-3333-4444-555555555555';
const DEFAULT_SECRET = 'secret-test-shared-cases';

/**
 * Case files name client options neutrally; Node's options are `timeout_ms` /
 * `connect_timeout_ms`, and errors about them name those options (src/client.rs).
 */
const NODE_FIELD = { timeout: 'timeout_ms', connect_timeout: 'connect_timeout_ms' };

/** The cases that ran to the end; the last test checks them against the directory. */
const RAN = [];

test('every shared case is collected', () => {
  assert.ok(CASES.length > 0, `no shared cases in ${CASES_DIR}`);
});

function makeClient(options, url, projectId, secret) {
  const o = { project_id: projectId, secret, ...options };
  if (url !== undefined && !('base_url' in o)) o.base_url = url;
  return new sms.Client(o);
}

function checkError(error, expected, label) {
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'class') {
      assert.equal(error.constructor.name, want, `${label}: class of ${error}`);
      assert.ok(error instanceof sms[want], `${label}: instanceof ${want}`);
    } else if (key === 'has_retry_after') {
      assert.equal(error.retry_after !== null, want, `${label}: retry_after ${error.retry_after}`);
    } else if (key === 'field') {
      assert.equal(error.field, NODE_FIELD[want] ?? want, `${label}: field (${error})`);
    } else {
      assert.deepEqual(error[key], want, `${label}: ${key} (${error})`);
    }
  }
}

/** The outcomes a case expects; exactly one is given. */
const OUTCOMES = ['ok', 'error', 'configuration_error', 'type_error'];

/**
 * The case's expectation for Node: `expect.by_language.node`, when given, replaces the
 * outcome (JS has one number type, so `5.5` is a value the core refuses, not a TypeError).
 */
function expectation(c) {
  const { by_language: byLanguage, ...expect } = c.expect;
  const own = byLanguage?.node;
  if (own === undefined) return expect;
  for (const outcome of OUTCOMES) delete expect[outcome];
  return { ...expect, ...own };
}

/** The client method of a case's call (`send` unless the case says otherwise). */
function method(client, name) {
  if (name === 'login_or_create') return (request) => client.otps.sms.loginOrCreate(request);
  if (name === 'authenticate') return (request) => client.otps.authenticate(request);
  assert.equal(name, 'send');
  return (request) => client.otps.sms.send(request);
}

/**
 * `$method_id`, `$code`, `$code:N` and `$wrong_code`: the `phone_id` of the last setup step
 * that returned one, and the codes delivered to that step's number, oldest first.
 */
class Placeholders {
  constructor(emu = undefined) {
    this.emu = emu;
    this.phoneNumber = undefined;
    this.phoneId = undefined;
  }

  async codes(text) {
    assert.ok(this.emu && this.phoneNumber, `${text}: no setup step returned a phone_id`);
    return (await this.emu.messages({ phone_number: this.phoneNumber })).map((m) => m.code);
  }

  async value(text) {
    if (text === '$method_id') {
      assert.ok(this.phoneId, `${text}: no setup step returned a phone_id`);
      return this.phoneId;
    }
    if (text === '$code') return (await this.codes(text)).at(-1);
    if (text === '$wrong_code') {
      return [...(await this.codes(text)).at(-1)].map((d) => String((Number(d) + 1) % 10)).join('');
    }
    const match = /^\$code:(\d+)$/.exec(text);
    return match ? (await this.codes(text))[Number(match[1])] : text;
  }

  /** `obj` with every top-level string value that is a placeholder replaced. */
  async resolve(obj) {
    const out = {};
    for (const [key, value] of Object.entries(obj)) out[key] = typeof value === 'string' ? await this.value(value) : value;
    return out;
  }
}

/** The value at a dotted path (`user.phone_numbers.0.verified`), undefined when absent. */
function atPath(body, dotted) {
  return dotted.split('.').reduce((value, step) => (value === null || typeof value !== 'object' ? undefined : value[step]), body);
}

async function checkOk(resp, want, placeholders, label) {
  assert.equal(resp.status_code, want.status_code);
  const raw = resp.raw ?? resp;
  if (want.raw_has) assert.ok(want.raw_has in raw, `${label}: raw lacks ${want.raw_has}`);
  for (const [key, value] of Object.entries(await placeholders.resolve(want.fields ?? {}))) {
    const got = key.endsWith('_empty') ? [undefined, null, ''].includes(atPath(raw, key.slice(0, -'_empty'.length))) : atPath(raw, key);
    assert.deepEqual(got, value, `${label}: field ${key}`);
  }
  if ('has_session' in want) assert.equal(raw.session != null, want.has_session, `${label}: has_session`);
}

async function call(c, request, placeholders, url, projectId, secret, label) {
  const expect = expectation(c);
  const options = c.client ?? {};
  if (expect.configuration_error) {
    let error;
    try {
      makeClient(options, url, projectId, secret);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof sms.ConfigurationError, `${label}: expected ConfigurationError, got ${error}`);
    checkError(error, expect.configuration_error, label);
    return;
  }
  const client = makeClient(options, url, projectId, secret);
  let outcome;
  try {
    outcome = { resp: await method(client, c.call ?? 'send')(request) };
  } catch (e) {
    outcome = { error: e };
  }
  if (expect.type_error) {
    assert.ok(outcome.error instanceof TypeError, `${label}: expected TypeError, got ${outcome.error ?? 'a response'}`);
    assert.ok(!(outcome.error instanceof sms.SmsOtpError));
    assert.ok(outcome.error.message.includes(expect.type_error.field), `${label}: ${outcome.error.message}`);
    return;
  }
  if (expect.error) {
    assert.ok(outcome.error instanceof sms.SmsOtpError, `${label}: expected an SmsOtpError, got ${outcome.error ?? JSON.stringify(outcome.resp)}`);
    checkError(outcome.error, expect.error, label);
    return;
  }
  assert.ok(outcome.resp, `${label}: expected a response, got ${outcome.error}`);
  await checkOk(outcome.resp, expect.ok, placeholders, label);
}

/**
 * A call through the setup client (which must succeed, or fail with the step's
 * `error_type`), or `advance_clock`.
 */
async function setupStep(step, emu, client, placeholders, label) {
  if ('advance_clock' in step) {
    await emu.advanceClock(step.advance_clock * 1000); // the case says seconds
    return;
  }
  const name = ['send', 'login_or_create', 'authenticate'].find((n) => n in step);
  const request = await placeholders.resolve(step[name]);
  let resp;
  try {
    resp = await method(client, name)(request);
  } catch (e) {
    assert.ok(step.error_type !== undefined && e.error_type === step.error_type, `${label}: setup ${name}: ${e}`);
    return;
  }
  assert.equal(step.error_type, undefined, `${label}: setup ${name} succeeded`);
  if (name !== 'authenticate') {
    placeholders.phoneNumber = request.phone_number;
    placeholders.phoneId = resp.phone_id;
  }
}

for (const file of CASES) {
  const label = path.basename(file, '.json');
  test(`shared case ${label}`, async () => {
    const c = JSON.parse(fs.readFileSync(path.join(CASES_DIR, file), 'utf8'));
    const { server } = c;
    const expect = expectation(c);
    if (server.hostile) {
      const hostile = await HostileServer.startCase(server.hostile);
      try {
        const none = new Placeholders();
        await call(c, await none.resolve(c.request), none, hostile.url, DEFAULT_PROJECT_ID, DEFAULT_SECRET, label);
        if ('requests_seen' in expect) assert.equal((await hostile.requests()).length, expect.requests_seen, `${label}: requests seen`);
      } finally {
        await hostile.close();
      }
    } else if (server.refused) {
      const none = new Placeholders();
      const url = `http://127.0.0.1:${await refusedPort()}`;
      await call(c, await none.resolve(c.request), none, url, DEFAULT_PROJECT_ID, DEFAULT_SECRET, label);
    } else {
      const emu = await Emulator.start();
      try {
        const setupClient = emu.client();
        const placeholders = new Placeholders(emu);
        for (const step of server.emulator.setup) await setupStep(step, emu, setupClient, placeholders, label);
        for (const spec of server.emulator.faults) await emu.injectFault(spec);
        const request = await placeholders.resolve(c.request);
        await call(c, request, placeholders, emu.url, emu.project_id, emu.secret, label);
        // The inbox of the request's number, or of the last setup step's.
        const phone = typeof request.phone_number === 'string' ? request.phone_number : placeholders.phoneNumber;
        if (expect.inbox || 'inbox_count' in expect) assert.ok(phone, `${label}: inbox expected, but no phone number`);
        const inbox = phone === undefined ? [] : await emu.messages({ phone_number: phone });
        if (expect.inbox) {
          assert.equal(inbox.length, expect.inbox.length, `${label}: inbox ${JSON.stringify(inbox)}`);
          expect.inbox.forEach((want, i) => {
            for (const [key, value] of Object.entries(want)) assert.deepEqual(inbox[i][key], value, `${label}: inbox[${i}].${key}`);
          });
        }
        if ('inbox_count' in expect) assert.equal(inbox.length, expect.inbox_count);
        if (expect.fault_hits) assert.deepEqual((await emu.faults()).map((f) => f.hits), expect.fault_hits);
      } finally {
        await emu.stop();
      }
    }
    RAN.push(label);
  });
}

test('every shared case ran exactly once', () => {
  const files = fs
    .readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.basename(f, '.json'))
    .sort();
  assert.deepEqual([...RAN].sort(), files, `ran ${RAN.length} of ${files.length} shared cases`);
});
