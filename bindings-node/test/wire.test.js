'use strict';
// The exact request on the wire and the response object.

const test = require('node:test');
const assert = require('node:assert/strict');
const { HostileServer, answers, OK_BODY } = require('./hostile-server.js');
const { sms, clientFor, PROJECT_ID, BASIC } = require('./helpers.js');

let server;
test.before(async () => {
  server = await HostileServer.start();
});
test.after(() => server.close());
test.beforeEach(() => server.reset());

test('a full request is sent exactly as the API documents it', async () => {
  await server.respond(answers.json(200, OK_BODY(1)));
  const client = clientFor(server, { user_agent_suffix: 'my-app/1.0' });
  const resp = await client.otps.sms.send({
    phone_number: '+12025550162',
    expiration_minutes: 5,
    attributes: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
    locale: 'pt-br',
    user_id: 'user-test-11111111-1111-1111-1111-111111111111',
    session_token: 'session-token-1',
  });
  assert.equal((await server.requests()).length, 1);
  const req = (await server.requests())[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.target, '/v1/otps/sms/send');
  assert.equal(req.version, 'HTTP/1.1');
  assert.equal(req.header('content-type'), 'application/json');
  assert.equal(req.header('accept'), 'application/json');
  assert.equal(req.header('user-agent'), `sms-otp/${sms.VERSION} node/${process.versions.node} my-app/1.0`);
  assert.equal(req.header('authorization'), BASIC);
  assert.equal(req.header('host'), `127.0.0.1:${server.port}`);
  assert.equal(req.header('content-length'), String(req.rawBody.length));
  assert.equal(
    req.body,
    '{"phone_number":"+12025550162","expiration_minutes":5,' +
      '"attributes":{"ip_address":"203.0.113.7","user_agent":"Mozilla/5.0"},' +
      '"locale":"pt-br","user_id":"user-test-11111111-1111-1111-1111-111111111111",' +
      '"session_token":"session-token-1"}',
  );
  assert.deepEqual(resp, { ...OK_BODY(1), raw: OK_BODY(1) });
  assert.equal(Object.getPrototypeOf(resp), Object.prototype, 'a plain object');
});

test('undefined and null fields are left out of the body, never sent as null', async () => {
  const client = clientFor(server);
  await client.otps.sms.send({
    phone_number: '+12025550162',
    expiration_minutes: undefined,
    attributes: null,
    locale: null,
    user_id: undefined,
    session_token: null,
    session_jwt: undefined,
  });
  await client.otps.sms.send({ phone_number: '+12025550162', attributes: { ip_address: null, user_agent: 'UA' } });
  assert.equal((await server.requests())[0].body, '{"phone_number":"+12025550162"}');
  assert.equal((await server.requests())[1].body, '{"phone_number":"+12025550162","attributes":{"user_agent":"UA"}}');
});

test('the user agent names the node surface without a suffix; session_jwt is sent', async () => {
  const client = clientFor(server);
  await client.otps.sms.send({ phone_number: '+10000000000', session_jwt: 'eyJ.x.y', expiration_minutes: 10n });
  const req = (await server.requests())[0];
  assert.equal(req.header('user-agent'), `sms-otp/0.1.0 node/${process.versions.node}`);
  assert.equal(req.body, '{"phone_number":"+10000000000","expiration_minutes":10,"session_jwt":"eyJ.x.y"}');
});

test('a base_url path prefix is kept; custom_base_url is an alias; base_url wins', async () => {
  const prefixed = clientFor(server, { base_url: `${server.url}/stytch/` });
  assert.equal(prefixed.endpoint, `${server.url}/stytch/v1/otps/sms/send`);
  await prefixed.otps.sms.send({ phone_number: '+12025550162' });
  assert.equal((await server.requests())[0].target, '/stytch/v1/otps/sms/send');

  const alias = new sms.Client({ project_id: PROJECT_ID, secret: 's', custom_base_url: new URL(`${server.url}/alias`) });
  assert.equal(alias.endpoint, `${server.url}/alias/v1/otps/sms/send`);
  const both = new sms.Client({ project_id: PROJECT_ID, secret: 's', base_url: server.url, custom_base_url: 'https://x' });
  assert.equal(both.endpoint, `${server.url}/v1/otps/sms/send`);
});

test('the response keeps unknown fields in raw', async () => {
  await server.respond(answers.ok({ new_field: { nested: [1, 2, 3] }, status_code: 200 }));
  const resp = await clientFor(server).otps.sms.send({ phone_number: '+12025550162' });
  assert.deepEqual(resp.raw.new_field, { nested: [1, 2, 3] });
  assert.equal(resp.status_code, 200);
  assert.deepEqual(Object.keys(resp), ['request_id', 'user_id', 'phone_id', 'status_code', 'raw']);
});

test('pooled connections are reused across sequential sends', async () => {
  const client = clientFor(server);
  for (let i = 0; i < 5; i += 1) await client.otps.sms.send({ phone_number: '+12025550162' });
  assert.equal((await server.requests()).length, 5);
  assert.equal((await server.connections()), 1);
});

test('environment follows the project id, and can be forced', () => {
  const live = new sms.Client({ project_id: 'project-live-1', secret: 's' });
  assert.equal(live.environment, 'live');
  assert.equal(live.endpoint, 'https://api.stytch.com/v1/otps/sms/send');
  const test_ = new sms.Client({ project_id: 'project-test-1', secret: 's' });
  assert.equal(test_.environment, 'test');
  assert.equal(test_.endpoint, 'https://test.stytch.com/v1/otps/sms/send');
  const forced = new sms.Client({ project_id: 'project-live-1', secret: 's', environment: 'test' });
  assert.equal(forced.endpoint, 'https://test.stytch.com/v1/otps/sms/send');
  assert.equal(forced.project_id, 'project-live-1');
  // A URL as environment means base_url, as in the official SDKs (code passing envs.test-style URLs keeps working).
  const url = new sms.Client({ project_id: 'project-test-1', secret: 's', environment: 'http://127.0.0.1:9/' });
  assert.equal(url.endpoint, 'http://127.0.0.1:9/v1/otps/sms/send');
  const urlObject = new sms.Client({ project_id: 'project-test-1', secret: 's', environment: new URL('http://localhost:9') });
  assert.equal(urlObject.endpoint, 'http://localhost:9/v1/otps/sms/send');
});

test('Client.fromEnv reads STYTCH_* and takes other options', async () => {
  const saved = { ...process.env };
  try {
    process.env.STYTCH_PROJECT_ID = PROJECT_ID;
    process.env.STYTCH_SECRET = 'secret-test-env';
    process.env.STYTCH_BASE_URL = server.url;
    const client = sms.Client.fromEnv({ user_agent_suffix: 'env/1' });
    assert.equal(client.project_id, PROJECT_ID);
    assert.equal(client.endpoint, `${server.url}/v1/otps/sms/send`);
    await client.otps.sms.send({ phone_number: '+12025550162' });
    const req = (await server.requests())[0];
    assert.equal(req.header('authorization'), 'Basic ' + Buffer.from(`${PROJECT_ID}:secret-test-env`).toString('base64'));
    assert.match(req.header('user-agent'), / env\/1$/);
    // An explicit base_url wins over STYTCH_BASE_URL.
    assert.equal(sms.Client.fromEnv({ base_url: 'https://proxy.example' }).endpoint, 'https://proxy.example/v1/otps/sms/send');

    delete process.env.STYTCH_SECRET;
    const err = (() => {
      try {
        sms.Client.fromEnv();
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof sms.ConfigurationError);
    assert.equal(err.field, 'secret');
    assert.match(err.message, /STYTCH_SECRET/);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});

test('normalizePhoneNumber turns what people type into E.164', () => {
  assert.equal(sms.normalizePhoneNumber('(202) 555-0162'), '+12025550162');
  assert.equal(sms.normalizePhoneNumber('+44 20 7946 0958'), '+442079460958');
  assert.equal(sms.normalizePhoneNumber('020 7946 0958', 'GB'), '+442079460958');
  assert.equal(sms.normalizePhoneNumber('020 7946 0958', 'gb'), '+442079460958');
  assert.equal(sms.normalizePhoneNumber('(202) 555-0162', null), '+12025550162');
  for (const [args, field] of [
    [['not a number'], 'phone_number'],
    [['020 7946 0958', 'XX'], 'default_region'],
  ]) {
    let err;
    try {
      sms.normalizePhoneNumber(...args);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof sms.ValidationError, String(err));
    assert.equal(err.field, field);
    assert.equal(err.maybe_delivered, false);
  }
  assert.throws(() => sms.normalizePhoneNumber(2025550162), {
    name: 'TypeError',
    message: 'phone_number must be a string, got number',
  });
  assert.throws(() => sms.normalizePhoneNumber('1', 44), {
    name: 'TypeError',
    message: 'default_region must be a string, got number',
  });
});
