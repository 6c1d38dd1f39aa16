'use strict';
// The secret never shows: not in util.inspect or JSON.stringify of the client (at any
// depth, hidden properties included), not in any error message, field, stack or cause,
// even when the server echoes the Authorization header back.

const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const { HostileServer, answers } = require('./hostile-server.js');
const { sms, clientFor, rejection, thrown, PROJECT_ID, SECRET, SECRET_MARK, BASIC } = require('./helpers.js');

const ENCODED = BASIC.slice('Basic '.length);

function assertClean(text, what) {
  assert.ok(!text.includes(SECRET_MARK), `${what} shows the secret: ${text}`);
  assert.ok(!text.includes(ENCODED), `${what} shows the encoded credentials: ${text}`);
}

/** Everything an application might print about an error. */
function everything(err) {
  return [
    String(err),
    err.message,
    err.stack,
    util.inspect(err, { showHidden: true, depth: Infinity }),
    JSON.stringify(err),
    JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(err).map((k) => [k, err[k]]))),
    err.cause ? util.inspect(err.cause, { showHidden: true }) : '',
  ].join('\n');
}

let server;
test.before(async () => {
  server = await HostileServer.start();
});
test.after(() => server.close());
test.beforeEach(() => server.reset());

test('inspecting or serialising the client never shows the secret', () => {
  const client = clientFor(server);
  const views = [
    util.inspect(client),
    util.inspect(client, { showHidden: true, depth: Infinity, getters: true }),
    util.inspect(client.otps, { showHidden: true, depth: Infinity }),
    util.inspect(client.otps.sms, { showHidden: true, depth: Infinity }),
    util.format('%o %O %j', client, client, client),
    JSON.stringify(client),
    JSON.stringify({ client }),
    JSON.stringify(client.otps),
    String(Object.keys(client)),
    String(Object.getOwnPropertyNames(client)),
    String(Reflect.ownKeys(client).map(String)),
  ];
  for (const view of views) assertClean(view, 'client view');
  assert.deepEqual(JSON.parse(JSON.stringify(client)), {
    project_id: PROJECT_ID,
    environment: 'test',
    endpoint: `${server.url}/v1/otps/sms/send`,
  });
  assert.match(util.inspect(client), /^Client \{/);
  assert.match(util.inspect(client), /project_id: 'project-test-/);
});

test('a server echoing the credentials cannot put them into an error', async () => {
  await server.respond(answers.echoAuth());
  const err = await rejection(clientFor(server).otps.sms.send({ phone_number: '+12025550162' }));
  assert.ok(err instanceof sms.BadRequestError);
  assertClean(everything(err), 'API error');
  assertClean(err.body, 'error body');
  assert.match(err.error_message, /\[redacted\]/);

  await server.respond(answers.echo(502, { 'Content-Type': 'text/html' }, `<html>{authorization} ${SECRET}</html>`));
  const html = await rejection(clientFor(server).otps.sms.send({ phone_number: '+12025550162' }));
  assert.ok(html instanceof sms.UnexpectedResponseError);
  assertClean(everything(html), 'unexpected response');

  await server.respond(answers.respond(302, { Location: `https://evil.example/${SECRET}` }, ''));
  const redirect = await rejection(clientFor(server).otps.sms.send({ phone_number: '+12025550162' }));
  assertClean(everything(redirect), 'redirect error');
});

test('configuration, validation, network and type errors never show the secret', async () => {
  const bad = [
    { project_id: PROJECT_ID, secret: `${SECRET}\n` },
    { project_id: PROJECT_ID, secret: ` ${SECRET}` },
    { project_id: PROJECT_ID, secret: `${SECRET}\u0000` },
    { project_id: PROJECT_ID, secret: SECRET, base_url: `http://example.com/${SECRET}` },
    { project_id: PROJECT_ID, secret: SECRET, base_url: `https://user:${SECRET}@example.com` },
  ];
  for (const options of bad) {
    const err = thrown(() => new sms.Client(options));
    assert.ok(err instanceof sms.ConfigurationError, String(err));
    if (!options.base_url) assertClean(everything(err), 'configuration error');
  }
  // The password in a URL is the caller's own text; it still must not be echoed.
  assertClean(everything(thrown(() => new sms.Client(bad[4]))), 'URL credentials error');

  const client = clientFor(server);
  const validation = await rejection(client.otps.sms.send({ phone_number: 'nope' }));
  assertClean(everything(validation), 'validation error');
  const typeError = await rejection(client.otps.sms.send({ phone_number: SECRET_MARK.length }));
  assertClean(everything(typeError), 'type error');
  const typeOption = thrown(() => new sms.Client({ project_id: PROJECT_ID, secret: 42 }));
  assert.ok(typeOption instanceof TypeError);

  await server.respond(answers.reset());
  const network = await rejection(client.otps.sms.send({ phone_number: '+12025550162' }));
  assert.ok(network instanceof sms.NetworkError);
  assertClean(everything(network), 'network error');
  await server.respond(answers.stall());
  const timeout = await rejection(clientFor(server, { timeout_ms: 100 }).otps.sms.send({ phone_number: '+12025550162' }));
  assertClean(everything(timeout), 'timeout error');
});
