'use strict';
// Validation before any request (the server sees nothing), configuration errors naming the
// option, and TypeErrors for wrong JS types and unknown keys.

const test = require('node:test');
const assert = require('node:assert/strict');
const { inspect } = require('node:util');
const { HostileServer } = require('./hostile-server.js');
const { sms, clientFor, rejection, thrown, PROJECT_ID, SECRET } = require('./helpers.js');

let server;
test.before(async () => {
  server = await HostileServer.start();
});
test.after(() => server.close());
test.beforeEach(() => server.reset());

test('bad arguments are ValidationErrors naming the field, and nothing is sent', async () => {
  const client = clientFor(server, { allowed_country_codes: ['1'] });
  const cases = [
    [{ phone_number: '' }, 'phone_number'],
    [{ phone_number: '202-555-0162' }, 'phone_number'],
    [{ phone_number: '+1 202 555 0162' }, 'phone_number'],
    [{ phone_number: '12025550162' }, 'phone_number'],
    [{ phone_number: '+0123456789' }, 'phone_number'],
    [{ phone_number: '+1234567890123456' }, 'phone_number'],
    [{ phone_number: '+442079460958' }, 'phone_number'],
    [{ phone_number: '+12025550162', expiration_minutes: 0 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: 11 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: -1e300 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: 2 ** 53 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: 10n ** 30n }, 'expiration_minutes'],
    // A JS number is one type: a fractional one is a value the core refuses, not a TypeError.
    [{ phone_number: '+12025550162', expiration_minutes: 1.5 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: 2.5 }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: NaN }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', expiration_minutes: Infinity }, 'expiration_minutes'],
    [{ phone_number: '+12025550162', locale: 'pt-BR' }, 'locale'],
    [{ phone_number: '+12025550162', locale: 'english' }, 'locale'],
    [{ phone_number: '+12025550162', attributes: { ip_address: '999.1.1.1' } }, 'attributes.ip_address'],
    [{ phone_number: '+12025550162', attributes: { user_agent: 'x'.repeat(1025) } }, 'attributes.user_agent'],
    [{ phone_number: '+12025550162', user_id: '' }, 'user_id'],
    [{ phone_number: '+12025550162', session_token: ' ' }, 'session_token'],
    [{ phone_number: '+12025550162', session_token: 'a', session_jwt: 'b' }, 'session_jwt'],
    [{ phone_number: '+12025550162', user_id: 'bad \ud800 text' }, 'user_id'],
  ];
  for (const [request, field] of cases) {
    const err = await rejection(client.otps.sms.send(request));
    assert.ok(err instanceof sms.ValidationError, `${inspect(request)}: ${err}`);
    assert.ok(err instanceof sms.SmsOtpError);
    assert.equal(err.code, 'validation_error');
    assert.equal(err.field, field, inspect(request));
    assert.equal(typeof err.reason, 'string');
    assert.ok(err.message.includes(field), err.message);
    assert.equal(err.maybe_delivered, false);
    assert.equal(err.attempts, 0);
  }
  assert.equal((await server.requests()).length, 0, 'validation happens before any request');
  assert.equal((await server.connections()), 0);
  // The sandbox number and a user agent of exactly 1024 characters are fine.
  await client.otps.sms.send({ phone_number: '+10000000000', attributes: { user_agent: 'x'.repeat(1024) } });
  assert.equal((await server.requests()).length, 1);
});

test('the locale hint tells the case-sensitive spelling', async () => {
  const err = await rejection(clientFor(server).otps.sms.send({ phone_number: '+12025550162', locale: 'PT-BR' }));
  assert.match(err.reason, /pt-br/);
});

test('every locale of the core is accepted and sent as is', async () => {
  const client = clientFor(server);
  for (const locale of sms.LOCALES) {
    await client.otps.sms.send({ phone_number: '+12025550162', locale });
  }
  assert.deepEqual(
    (await server.requests()).map((r) => r.json().locale),
    [...sms.LOCALES],
  );
  assert.equal(sms.LOCALES.length, 16);
});

test('bad client options are ConfigurationErrors naming the option', () => {
  const base = { project_id: PROJECT_ID, secret: SECRET };
  const cases = [
    [{ project_id: '', secret: SECRET }, 'project_id'],
    [{ project_id: '  ', secret: SECRET }, 'project_id'],
    [{ project_id: 'a:b', secret: SECRET }, 'project_id'],
    [{ secret: SECRET }, 'project_id'],
    [{ project_id: PROJECT_ID, secret: '' }, 'secret'],
    [{ project_id: PROJECT_ID }, 'secret'],
    [{ project_id: PROJECT_ID, secret: `${SECRET}\n` }, 'secret'],
    [{ project_id: PROJECT_ID, secret: 'bad \udc00' }, 'secret'],
    [{ ...base, environment: 'prod' }, 'environment'],
    [{ ...base, base_url: 'http://example.com' }, 'base_url'],
    [{ ...base, base_url: 'ftp://127.0.0.1' }, 'base_url'],
    [{ ...base, base_url: 'https://user:pw@example.com' }, 'base_url'],
    [{ ...base, custom_base_url: 'not a url' }, 'base_url'],
    [{ ...base, timeout_ms: 0 }, 'timeout_ms'],
    [{ ...base, timeout_ms: -5 }, 'timeout_ms'],
    [{ ...base, timeout_ms: NaN }, 'timeout_ms'],
    [{ ...base, timeout_ms: Infinity }, 'timeout_ms'],
    [{ ...base, timeout_ms: 1e300 }, 'timeout_ms'],
    [{ ...base, connect_timeout_ms: 0 }, 'connect_timeout_ms'],
    [{ ...base, max_retries: -1 }, 'max_retries'],
    [{ ...base, max_retries: 11 }, 'max_retries'],
    [{ ...base, max_retries: 2 ** 70 }, 'max_retries'],
    [{ ...base, allowed_country_codes: [] }, 'allowed_country_codes'],
    [{ ...base, allowed_country_codes: ['+44'] }, 'allowed_country_codes'],
    [{ ...base, allowed_country_codes: ['999'] }, 'allowed_country_codes'],
    [{ ...base, user_agent_suffix: 'a\r\nX-Evil: 1' }, 'user_agent_suffix'],
    [{ ...base, ca_file: '/nonexistent/ca.pem' }, 'ca_file'],
  ];
  for (const [options, field] of cases) {
    const err = thrown(() => new sms.Client(options));
    assert.ok(err instanceof sms.ConfigurationError, `${field}: ${err}`);
    assert.ok(err instanceof sms.SmsOtpError);
    assert.equal(err.code, 'configuration_error');
    assert.equal(err.field, field, JSON.stringify(options));
    assert.ok(err.message.includes(field), err.message);
    assert.equal(err.maybe_delivered, false);
  }
  // Limits that are fine.
  new sms.Client({ ...base, timeout_ms: 0.5, connect_timeout_ms: 1, max_retries: 0, allowed_country_codes: ['1', '44'] });
  new sms.Client({ ...base, max_retries: 10n, base_url: 'http://[::1]:9', retry_rate_limited: false });
});

test('wrong JS types are TypeErrors naming the field', async () => {
  const client = clientFor(server);
  const send = (request, options) => rejection(client.otps.sms.send(request, options));
  const requestCases = [
    [undefined, 'request must be an object with phone_number, got undefined'],
    ['+12025550162', 'request must be an object with phone_number, got string'],
    [[], 'request must be an object with phone_number, got array'],
    [{}, 'phone_number is required, got undefined'],
    [{ phone_number: null }, 'phone_number is required, got null'],
    [{ phone_number: 12025550162 }, 'phone_number must be a string, got number'],
    [{ phone_number: '+12025550162', expiration_minutes: '5' }, 'expiration_minutes must be an integer, got string'],
    [{ phone_number: '+12025550162', expiration_minutes: true }, 'expiration_minutes must be an integer, got boolean'],
    [{ phone_number: '+12025550162', locale: 1 }, 'locale must be a string, got number'],
    [{ phone_number: '+12025550162', user_id: {} }, 'user_id must be a string, got object'],
    [{ phone_number: '+12025550162', session_token: true }, 'session_token must be a string, got boolean'],
    [{ phone_number: '+12025550162', session_jwt: 1n }, 'session_jwt must be a string, got bigint'],
    [{ phone_number: '+12025550162', attributes: 'x' }, 'attributes must be an object, got string'],
    [{ phone_number: '+12025550162', attributes: { ip_address: 1 } }, 'attributes.ip_address must be a string, got number'],
    [{ phone_number: '+12025550162', attributes: { user_agent: [] } }, 'attributes.user_agent must be a string, got array'],
  ];
  for (const [request, message] of requestCases) {
    const err = await send(request);
    assert.ok(err instanceof TypeError, `${message}: ${err}`);
    assert.equal(err.message, message);
  }
  const unknown = await send({ phone_number: '+12025550162', phoneNumber: 'x' });
  assert.ok(unknown instanceof TypeError);
  assert.match(unknown.message, /unknown key "phoneNumber"/);
  assert.match(unknown.message, /did you mean phone_number/);
  assert.match((await send({ phone_number: '+12025550162', expiration: 5 })).message, /request has an unknown key "expiration"/);
  assert.match(
    (await send({ phone_number: '+12025550162', attributes: { ip: '1.2.3.4' } })).message,
    /attributes has an unknown key "ip"/,
  );
  assert.equal((await send(REQ(), 'x')).message, 'send options must be an object, got string');
  assert.equal((await send(REQ(), { signal: {} })).message, 'signal must be an AbortSignal, got object');
  assert.match((await send(REQ(), { timeout: 5 })).message, /send options has an unknown key "timeout"/);
  assert.equal((await server.requests()).length, 0);
});

function REQ() {
  return { phone_number: '+12025550162' };
}

// Found by the bad-input sweep: a Date, Map, RegExp, Error, Promise or AbortSignal has no own
// enumerable keys, so it used to pass as an empty options object, e.g. `send(request,
// signal)` ran the send and silently ignored the signal. Objects of every other kind than
// `{…}` (null-prototype objects, class instances and Proxies of those included) are refused.
test('objects of the wrong kind are TypeErrors, not empty options', async () => {
  const { Emulator } = require('sms-otp/testing');
  const client = clientFor(server);
  const send = (request, options) => rejection(client.otps.sms.send(request, options));
  const signal = new AbortController().signal;
  const forgotBraces = await send(REQ(), signal);
  assert.ok(forgotBraces instanceof TypeError);
  assert.equal(forgotBraces.message, 'send options must be an object, got AbortSignal object; did you mean { signal }?');
  for (const [value, name] of [
    [new Date(), 'Date'],
    [new Map(), 'Map'],
    [/x/, 'RegExp'],
    [new Error('x'), 'Error'],
    [Promise.resolve(), 'Promise'],
    [new ArrayBuffer(1), 'ArrayBuffer'],
  ]) {
    assert.equal((await send(REQ(), value)).message, `send options must be an object, got ${name} object`);
    assert.equal((await send({ ...REQ(), attributes: value })).message, `attributes must be an object, got ${name} object`);
    assert.equal((await send(value)).message, `request must be an object with phone_number, got ${name} object`);
    const options = thrown(() => new sms.Client(value));
    assert.ok(options instanceof TypeError);
    assert.equal(options.message, `Client options must be an object, got ${name} object`);
    assert.ok(thrown(() => sms.Client.fromEnv(value)) instanceof TypeError);
    assert.ok((await rejection(Emulator.start(value))) instanceof TypeError);
  }
  assert.equal((await server.requests()).length, 0);
  // Objects of the right kind in other clothes are still fine.
  class Request {
    constructor() {
      this.phone_number = '+12025550162';
    }
  }
  for (const request of [new Request(), Object.assign(Object.create(null), REQ()), new Proxy(REQ(), {}), Object.freeze(REQ())]) {
    await client.otps.sms.send(request, Object.create(null));
  }
  assert.equal((await server.requests()).length, 4);
});

test('wrong option types are TypeErrors; unknown options get a hint', () => {
  const base = { project_id: PROJECT_ID, secret: SECRET };
  const cases = [
    [undefined, 'options must be an object with project_id and secret, got undefined'],
    ['project', 'Client options must be an object, got string'],
    [{ project_id: 1, secret: SECRET }, 'project_id must be a string, got number'],
    [{ project_id: PROJECT_ID, secret: Buffer.from('s') }, 'secret must be a string, got Uint8Array object'],
    [{ ...base, environment: 1 }, 'environment must be a string, got number'],
    [{ ...base, base_url: 1 }, 'base_url must be a string, got number'],
    [{ ...base, custom_base_url: {} }, 'custom_base_url must be a string, got object'],
    [{ ...base, timeout_ms: '5000' }, 'timeout_ms must be a number of milliseconds, got string'],
    [{ ...base, connect_timeout_ms: 5n }, 'connect_timeout_ms must be a number of milliseconds, got bigint'],
    [{ ...base, max_retries: 1.5 }, 'max_retries must be an integer, got number'],
    [{ ...base, retry_rate_limited: 'yes' }, 'retry_rate_limited must be a boolean, got string'],
    [{ ...base, allowed_country_codes: '1' }, 'allowed_country_codes must be an array of strings, got string'],
    [{ ...base, allowed_country_codes: [1] }, 'allowed_country_codes[0] must be a string, got number'],
    [{ ...base, user_agent_suffix: 1 }, 'user_agent_suffix must be a string, got number'],
    [{ ...base, ca_file: 1 }, 'ca_file must be a string, got number'],
  ];
  for (const [options, message] of cases) {
    const err = thrown(() => new sms.Client(options));
    assert.ok(err instanceof TypeError, `${message}: ${err}`);
    assert.equal(err.message, message);
  }
  const hints = [
    [{ ...base, timeout: 5 }, /unknown key "timeout".*did you mean timeout_ms \(milliseconds\)/],
    [{ ...base, env: 'test' }, /unknown key "env".*did you mean environment/],
    [{ ...base, projectId: 'x' }, /unknown key "projectId".*did you mean project_id/],
    [{ ...base, fetchConfig: {} }, /unknown key "fetchConfig"/],
  ];
  for (const [options, pattern] of hints) {
    const err = thrown(() => new sms.Client(options));
    assert.ok(err instanceof TypeError);
    assert.match(err.message, pattern);
  }
  assert.match(thrown(() => sms.Client.fromEnv({ project_id: 'x' })).message, /project_id cannot be passed to Client.fromEnv/);
  assert.match(thrown(() => sms.Client.fromEnv({ secret: 'x' })).message, /secret cannot be passed to Client.fromEnv/);
  assert.equal(thrown(() => sms.Client.fromEnv(5)).message, 'Client.fromEnv options must be an object, got number');
});

test('ca_file takes a path or a file: URL to a PEM bundle; other files are refused', (t) => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { pathToFileURL } = require('node:url');
  const base = { project_id: PROJECT_ID, secret: SECRET };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-ca-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const notPem = path.join(dir, 'not.pem');
  fs.writeFileSync(notPem, 'hello');
  for (const ca_file of [notPem, pathToFileURL(notPem), dir]) {
    const err = thrown(() => new sms.Client({ ...base, ca_file }));
    assert.ok(err instanceof sms.ConfigurationError, String(err));
    assert.equal(err.field, 'ca_file');
  }
  const bundle = '/etc/ssl/certs/ca-certificates.crt';
  if (!fs.existsSync(bundle)) return t.skip(`${bundle} is absent`);
  new sms.Client({ ...base, ca_file: bundle });
  new sms.Client({ ...base, ca_file: pathToFileURL(bundle) });
});
