'use strict';
// Every error class and field, and how many requests the server saw: 5xx, response
// timeouts, resets and broken bodies are never retried; refused connections are retried
// max_retries times.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { HostileServer, answers, stytchError, refusedPort } = require('./hostile-server.js');
const { sms, clientFor, rejection, PROJECT_ID, SECRET } = require('./helpers.js');

const REQUEST = { phone_number: '+12025550162' };

let server;
test.before(async () => {
  server = await HostileServer.start();
});
test.after(() => server.close());
test.beforeEach(() => server.reset());

function assertClassChain(err, cls) {
  assert.ok(err instanceof cls, `${err?.name} is a ${cls.name}`);
  assert.ok(err instanceof sms.SmsOtpError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, cls.name);
  assert.equal(err.constructor, cls);
  assert.equal(typeof err.stack, 'string');
}

test('API errors map status to class, code and every field', async () => {
  const cases = [
    [400, 'invalid_phone_number', sms.BadRequestError, 'bad_request', false],
    [401, 'unauthorized_credentials', sms.UnauthorizedError, 'unauthorized', false],
    [403, 'forbidden', sms.ForbiddenError, 'forbidden', false],
    [404, 'user_not_found', sms.NotFoundError, 'not_found', false],
    [418, 'teapot', sms.ApiError, 'api_error', false],
    [429, 'too_many_requests', sms.RateLimitedError, 'rate_limited', false],
    [500, 'internal_server_error', sms.ServerError, 'server_error', true],
    [503, 'service_unavailable', sms.ServerError, 'server_error', true],
  ];
  const client = clientFor(server);
  for (const [status, errorType, cls, code, maybe] of cases) {
    await server.reset();
    await server.respond(answers.error(status, errorType, { 'Retry-After': '7' }));
    const err = await rejection(client.otps.sms.send(REQUEST));
    assertClassChain(err, cls);
    assert.ok(err instanceof sms.ApiError);
    const body = stytchError(status, errorType);
    assert.deepEqual(
      {
        code: err.code,
        maybe_delivered: err.maybe_delivered,
        status_code: err.status_code,
        request_id: err.request_id,
        error_type: err.error_type,
        error_message: err.error_message,
        error_url: err.error_url,
        retry_after: err.retry_after,
        body: err.body,
        field: err.field,
        reason: err.reason,
        phase: err.phase,
        after_send: err.after_send,
        attempts: err.attempts,
      },
      {
        code,
        maybe_delivered: maybe,
        status_code: status,
        request_id: body.request_id,
        error_type: errorType,
        error_message: body.error_message,
        error_url: body.error_url,
        retry_after: 7,
        body: JSON.stringify(body),
        field: null,
        reason: null,
        phase: null,
        after_send: null,
        attempts: 1,
      },
      `HTTP ${status}`,
    );
    assert.match(err.message, new RegExp(`HTTP ${status}`));
    assert.match(err.message, new RegExp(errorType));
    assert.equal(err.cause, undefined);
    assert.equal((await server.requests()).length, 1, `HTTP ${status} is never retried`);
  }
});

test('retry_after is null without the header', async () => {
  await server.respond(answers.error(429, 'too_many_requests'));
  const err = await rejection(clientFor(server).otps.sms.send(REQUEST));
  assertClassChain(err, sms.RateLimitedError);
  assert.equal(err.retry_after, null);
});

test('a 429 is retried once only with retry_rate_limited and a short Retry-After', async () => {
  await server.respond(answers.error(429, 'too_many_requests', { 'Retry-After': '0' }));
  const err = await rejection(clientFor(server, { retry_rate_limited: true }).otps.sms.send(REQUEST));
  assertClassChain(err, sms.RateLimitedError);
  assert.equal(err.attempts, 2);
  assert.equal((await server.requests()).length, 2);

  await server.reset();
  await server.respond([answers.error(429, 'too_many_requests', { 'Retry-After': '0' }), answers.ok()]);
  const resp = await clientFor(server, { retry_rate_limited: true }).otps.sms.send(REQUEST);
  assert.equal(resp.status_code, 200);
  assert.equal((await server.requests()).length, 2);

  await server.reset();
  await server.respond(answers.error(429, 'too_many_requests', { 'Retry-After': '60' }));
  const slow = await rejection(clientFor(server, { retry_rate_limited: true }).otps.sms.send(REQUEST));
  assert.equal(slow.retry_after, 60);
  assert.equal((await server.requests()).length, 1, 'a Retry-After over 10 s is not waited for');
});

test('an HTML 502 gateway page is an UnexpectedResponseError that may have been delivered', async () => {
  await server.respond(answers.html(502));
  const err = await rejection(clientFor(server).otps.sms.send(REQUEST));
  assertClassChain(err, sms.UnexpectedResponseError);
  assert.equal(err.code, 'unexpected_response');
  assert.equal(err.status_code, 502);
  assert.equal(err.maybe_delivered, true);
  assert.match(err.body, /^<html><head><title>502 Bad Gateway/);
  assert.equal(err.request_id, null);
  assert.equal((await server.requests()).length, 1);
});

test('bodies that are not the documented JSON are UnexpectedResponseError', async () => {
  const cases = [
    [answers.text(200, '{"request_id":"r"}', { 'Content-Type': 'application/json' }), 200, true],
    [answers.text(200, '{"request_id":"r","user_id":"u","phone_id":"p","status_code":200'), 200, true],
    [answers.text(400, 'Bad Request'), 400, false],
    [answers.text(503, ''), 503, true],
  ];
  for (const [answer, status, maybe] of cases) {
    await server.reset();
    await server.respond(answer);
    const err = await rejection(clientFor(server).otps.sms.send(REQUEST));
    assertClassChain(err, sms.UnexpectedResponseError);
    assert.equal(err.status_code, status);
    assert.equal(err.maybe_delivered, maybe, `HTTP ${status}`);
    assert.equal((await server.requests()).length, 1);
  }
});

test('a body over 1 MiB is refused', async () => {
  await server.respond(answers.huge());
  const err = await rejection(clientFor(server).otps.sms.send(REQUEST));
  assertClassChain(err, sms.UnexpectedResponseError);
  assert.equal(err.status_code, 200);
  assert.equal(err.maybe_delivered, true);
  assert.ok(err.body.length <= 200, 'a short excerpt');
  assert.equal((await server.requests()).length, 1);
});

test('redirects are not followed', async () => {
  await server.respond(answers.redirect(`${server.url}/elsewhere`));
  const err = await rejection(clientFor(server).otps.sms.send(REQUEST));
  assertClassChain(err, sms.UnexpectedResponseError);
  assert.equal(err.status_code, 302);
  assert.match(err.message, /redirect/);
  assert.equal((await server.requests()).length, 1);
  assert.equal((await server.requests())[0].target, '/v1/otps/sms/send');
});

test('a stalled response times out in the response phase and is not retried', async () => {
  await server.respond(answers.stall());
  const started = Date.now();
  const err = await rejection(clientFor(server, { timeout_ms: 300, max_retries: 3 }).otps.sms.send(REQUEST));
  const elapsed = Date.now() - started;
  assertClassChain(err, sms.RequestTimeoutError);
  assert.equal(err.code, 'timeout');
  assert.equal(err.phase, 'response');
  assert.equal(err.maybe_delivered, true);
  assert.equal(err.attempts, 1);
  assert.equal((await server.requests()).length, 1);
  assert.ok(elapsed >= 250 && elapsed < 5000, `${elapsed} ms`);
});

test('a reset after the request was read is a NetworkError after send, not retried', async () => {
  await server.respond(answers.reset());
  const err = await rejection(clientFor(server, { max_retries: 3 }).otps.sms.send(REQUEST));
  assertClassChain(err, sms.NetworkError);
  assert.equal(err.code, 'network_error');
  assert.equal(err.after_send, true);
  assert.equal(err.maybe_delivered, true);
  assert.equal(err.attempts, 1);
  assert.equal((await server.requests()).length, 1);
  assert.ok(err.cause instanceof Error, 'the OS-level cause');
  assert.equal(err.cause.code, 'ECONNRESET');
});

test('a connection closed without an answer is a NetworkError after send, not retried', async () => {
  await server.respond(answers.close());
  const err = await rejection(clientFor(server, { max_retries: 3 }).otps.sms.send(REQUEST));
  assertClassChain(err, sms.NetworkError);
  assert.equal(err.after_send, true);
  assert.equal(err.maybe_delivered, true);
  assert.equal((await server.requests()).length, 1);
});

test('connection refused is retried max_retries times, then NetworkError before send', async () => {
  const port = await refusedPort();
  for (const maxRetries of [0, 1, 3]) {
    const client = new sms.Client({
      project_id: PROJECT_ID,
      secret: SECRET,
      base_url: `http://127.0.0.1:${port}`,
      max_retries: maxRetries,
    });
    const err = await rejection(client.otps.sms.send(REQUEST));
    assertClassChain(err, sms.NetworkError);
    assert.equal(err.after_send, false);
    assert.equal(err.maybe_delivered, false);
    assert.equal(err.attempts, maxRetries + 1, `max_retries ${maxRetries}`);
    assert.ok(err.cause instanceof Error);
    assert.equal(err.cause.code, 'ECONNREFUSED');
    assert.match(err.message, /nothing was sent|connect/i);
  }
  // The default is 2 retries.
  const client = new sms.Client({ project_id: PROJECT_ID, secret: SECRET, base_url: `http://127.0.0.1:${port}` });
  assert.equal((await rejection(client.otps.sms.send(REQUEST))).attempts, 3);
});

test('a TLS handshake that never completes is a connect timeout, retried', async () => {
  let accepted = 0;
  const held = [];
  const silent = net.createServer((socket) => {
    accepted += 1;
    held.push(socket);
  });
  await new Promise((resolve) => silent.listen({ host: '127.0.0.1', port: 0 }, resolve));
  try {
    const client = new sms.Client({
      project_id: PROJECT_ID,
      secret: SECRET,
      base_url: `https://localhost:${silent.address().port}`,
      connect_timeout_ms: 200,
      max_retries: 2,
    });
    const err = await rejection(client.otps.sms.send(REQUEST));
    assertClassChain(err, sms.RequestTimeoutError);
    assert.equal(err.phase, 'connect');
    assert.equal(err.maybe_delivered, false);
    assert.equal(err.attempts, 3);
    assert.equal(accepted, 3);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('errors can be constructed by applications (for mocks) with their defaults', () => {
  const err = new sms.RateLimitedError('slow down', { retry_after: 3, status_code: 429 });
  assertClassChain(err, sms.RateLimitedError);
  assert.ok(err instanceof sms.ApiError);
  assert.equal(err.code, 'rate_limited');
  assert.equal(err.maybe_delivered, false);
  assert.equal(err.retry_after, 3);
  assert.equal(err.field, null);
  assert.equal(new sms.ServerError('x').maybe_delivered, true);
  assert.equal(new sms.ValidationError('x').code, 'validation_error');
  const cause = new Error('inner');
  assert.equal(new sms.NetworkError('x', {}, { cause }).cause, cause);
  assert.equal(new sms.SmsOtpError('x').code, 'internal_error');
});

test('a panic inside a send settles as internal_error (the base class, maybe delivered), not a crash', async () => {
  const native = require('../lib/native.js');
  const { fromPayload } = require('../lib/errors.js');
  let settle;
  const settled = new Promise((resolve) => {
    settle = resolve;
  });
  const options = require('../lib/host.js').hostText({ project_id: PROJECT_ID, secret: SECRET });
  const client = native.createClient(options, false, (batch) => settle(batch));
  client.panickingSendForTests(7);
  const [id, outcome] = await settled;
  assert.equal(id, 7);
  const err = fromPayload(outcome);
  assert.equal(err.constructor, sms.SmsOtpError);
  assert.equal(err.name, 'SmsOtpError');
  assert.equal(err.code, 'internal_error');
  assert.equal(err.maybe_delivered, true);
  assert.match(err.message, /deliberate panic for the test suite/);
  assert.match(err.message, /please report it/);
});

test('classes constructed by applications take the defaults of the core table', () => {
  for (const code of sms.ERROR_CODES) {
    const cls = Object.values(sms).find((v) => typeof v === 'function' && v.code === code);
    assert.ok(cls, `a class with code ${code}`);
    const err = new cls('m');
    assert.equal(err.code, code);
    assert.ok(err instanceof sms.SmsOtpError && err instanceof Error);
    assert.equal(err.name, cls.name);
    assert.equal(typeof err.maybe_delivered, 'boolean');
  }
  assert.equal(new sms.ApiError('x').maybe_delivered, true, 'an ApiError of unknown status may have been delivered');
  assert.equal(new sms.BadRequestError('x').maybe_delivered, false);
  assert.equal(new sms.SmsOtpError('x').maybe_delivered, true);
  assert.equal(new sms.ValidationError('x', { maybe_delivered: true }).maybe_delivered, true, 'explicit wins');
});
