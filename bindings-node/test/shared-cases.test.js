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

async function call(c, url, projectId, secret, label) {
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
    outcome = { resp: await client.otps.sms.send(c.request) };
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
  assert.equal(outcome.resp.status_code, expect.ok.status_code);
  if (expect.ok.raw_has) assert.ok(expect.ok.raw_has in outcome.resp.raw, `${label}: raw lacks ${expect.ok.raw_has}`);
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
        await call(c, hostile.url, DEFAULT_PROJECT_ID, DEFAULT_SECRET, label);
        if ('requests_seen' in expect) assert.equal((await hostile.requests()).length, expect.requests_seen, `${label}: requests seen`);
      } finally {
        await hostile.close();
      }
    } else if (server.refused) {
      await call(c, `http://127.0.0.1:${await refusedPort()}`, DEFAULT_PROJECT_ID, DEFAULT_SECRET, label);
    } else {
      const emu = await Emulator.start();
      try {
        const setupClient = emu.client();
        for (const step of server.emulator.setup) {
          if (step.send) await setupClient.otps.sms.send(step.send);
          else await emu.advanceClock(step.advance_clock * 1000); // the case says seconds
        }
        for (const spec of server.emulator.faults) await emu.injectFault(spec);
        await call(c, emu.url, emu.project_id, emu.secret, label);
        const inbox = await emu.messages({ phone_number: c.request.phone_number });
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
