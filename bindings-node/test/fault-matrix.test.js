'use strict';
// The fault matrix, Node's third of it: every emulator fault kind and every hostile-server
// behaviour, on the first attempt and after connect-phase retries (the port refuses
// connections at first), ends in the documented error (class, code, maybe_delivered,
// status_code, phase, after_send, retry_after) within its deadline, with the documented
// number of requests reaching the server. The rows and expectations are those of
// core/tests/fault_matrix.rs (hostile server) and emulator/tests/fault_matrix.rs (emulator)
// exactly: the three languages must agree.

const test = require('node:test');
const { describe, it } = test;
const assert = require('node:assert/strict');
const util = require('node:util');
const { Emulator } = require('sms-otp/testing');
const { HostileServer, answers } = require('./hostile-server.js');
const { RefusingProxy } = require('./refusing-proxy.js');
const { sms, clientFor, rejection, SECRET_MARK } = require('./helpers.js');

const PHONE = '+12025550162';
const REQUEST = { phone_number: PHONE };
const TIMEOUT_MS = 600;
/** How long the refusing port stays shut: the first attempt, and maybe a retry or two. */
const REFUSED_FOR_MS = 150;
/** What the retried variant may add to a row's deadline (refused time and backoff). */
const REFUSED_EXTRA_MS = REFUSED_FOR_MS + 3000;

/** The class of each code (docs/errors.md's class table). */
const CLASS_OF = {
  network_error: sms.NetworkError,
  timeout: sms.RequestTimeoutError,
  unexpected_response: sms.UnexpectedResponseError,
  api_error: sms.ApiError,
  bad_request: sms.BadRequestError,
  unauthorized: sms.UnauthorizedError,
  forbidden: sms.ForbiddenError,
  not_found: sms.NotFoundError,
  rate_limited: sms.RateLimitedError,
  server_error: sms.ServerError,
};

/** A row's expectation; fields not given are null, one request, within 0..2 s. */
function expect(code, maybeDelivered, extra = {}) {
  return {
    code,
    maybe_delivered: maybeDelivered,
    status_code: null,
    phase: null,
    after_send: null,
    retry_after: null,
    requests: 1,
    messages: 0,
    settleMs: 0,
    within: [0, 2000],
    ...extra,
  };
}

/** The error a send ended in, with how long it took. */
async function timedRejection(client) {
  const started = performance.now();
  const err = await rejection(client.otps.sms.send(REQUEST));
  return { err, took: performance.now() - started };
}

/** Asserts the error of one row (the fields every row checks). */
function assertRow(err, want, label) {
  assert.ok(err instanceof CLASS_OF[want.code], `${label}: ${err?.name}: ${err?.message}`);
  assert.equal(err.name, CLASS_OF[want.code].name, label);
  assert.deepEqual(
    {
      code: err.code,
      maybe_delivered: err.maybe_delivered,
      status_code: err.status_code,
      phase: err.phase,
      after_send: err.after_send,
      retry_after: err.retry_after,
    },
    {
      code: want.code,
      maybe_delivered: want.maybe_delivered,
      status_code: want.status_code,
      phase: want.phase,
      after_send: want.after_send,
      retry_after: want.retry_after,
    },
    `${label}: ${err.message}`,
  );
  const shown = [err.message, err.stack, util.inspect(err, { showHidden: true })].join('\n');
  assert.ok(!shown.includes(SECRET_MARK), `${label}: the error shows the secret`);
}

/** Per test: rows run and the slowest, printed as the matrix's figures. */
function tally() {
  const t = { rows: 0, slowest: 0, slowestName: '', attempts: 0 };
  t.add = (name, took, attempts) => {
    t.rows += 1;
    t.attempts += attempts;
    if (took > t.slowest) [t.slowest, t.slowestName] = [took, name];
  };
  t.print = (what) =>
    console.log(
      `${what}: ${t.rows} rows, ${t.attempts} attempts in all, slowest ${t.slowest.toFixed(0)} ms (${t.slowestName})`,
    );
  return t;
}

function assertTiming(took, want, refused, label) {
  const max = want.within[1] + (refused ? REFUSED_EXTRA_MS : 0);
  assert.ok(
    took >= want.within[0] && took <= max,
    `${label}: took ${took.toFixed(0)} ms, wanted ${want.within[0]}..${max} ms`,
  );
}

// The first send of a process pays one-time setup (~0.5 s in a debug build): not part of
// any row's deadline.
test.before(async () => {
  const server = await HostileServer.start();
  try {
    await clientFor(server).otps.sms.send(REQUEST);
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------
// The hostile-server half (core/tests/fault_matrix.rs).

function unexpected(status, maybeDelivered) {
  return expect('unexpected_response', maybeDelivered, { status_code: status });
}

function brokenAfterSend() {
  return expect('network_error', true, { after_send: true });
}

function responseTimeout() {
  return expect('timeout', true, { phase: 'response', within: [TIMEOUT_MS, TIMEOUT_MS + 1500] });
}

function html(status) {
  return answers.text(
    status,
    `<html><head><title>${status}</title></head><body><h1>${status}</h1><hr>nginx</body></html>`,
    { 'Content-Type': 'text/html' },
  );
}

function jsonText(status, body) {
  return answers.text(status, body, { 'Content-Type': 'application/json' });
}

function hostileRows() {
  const tenMb = 10 * 1024 * 1024;
  const rows = [
    ['stall', answers.stall(), responseTimeout()],
    ['slow drip (1 byte / 100 ms)', answers.drip(100, 1000), responseTimeout()],
    ['reset after the request', answers.reset(), brokenAfterSend()],
    ['closed after the request', answers.close(), brokenAfterSend()],
    ['10 MB chunked body', answers.chunked(tenMb), unexpected(200, true)],
    [
      '10 MB body with Content-Length',
      answers.text(200, Buffer.alloc(tenMb, ' '), { 'Content-Type': 'application/json' }),
      unexpected(200, true),
    ],
    ['HTML page, 502', html(502), unexpected(502, true)],
    ['HTML page, 200', html(200), unexpected(200, true)],
    ['HTML page, 403', html(403), unexpected(403, false)],
    ['JSON string, 200', jsonText(200, '"sent"'), unexpected(200, true)],
    ['JSON string, 500', jsonText(500, '"internal error"'), unexpected(500, true)],
    ['JSON array, 400', jsonText(400, '["bad"]'), unexpected(400, false)],
  ];
  // Answers that are not HTTP, or break off: the request was sent, so "may have been".
  let headerBomb = 'HTTP/1.1 200 OK\r\n';
  for (let i = 0; i < 2000; i += 1) headerBomb += `X-H${i}: ${'a'.repeat(100)}\r\n`;
  headerBomb += 'Content-Length: 0\r\n\r\n';
  for (const [name, bytes] of [
    ['not HTTP', 'garbage garbage\r\n\r\n'],
    ['an HTTP/2 frame', Buffer.from([0, 0, 0x12, 4, 0, 0, 0, 0, 0])],
    ['200 KB of headers', headerBomb],
    ['a NUL in a header', 'HTTP/1.1 500 X\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\n{}'],
    ['body shorter than Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"a":1}'],
    ['broken chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
  ]) {
    rows.push([name, answers.raw(Buffer.from(bytes, 'latin1')), brokenAfterSend()]);
  }
  rows.push(['204 without a body', answers.raw('HTTP/1.1 204 No Content\r\n\r\n'), unexpected(204, true)]);
  rows.push([
    'gzip body (never asked for)',
    answers.raw(
      Buffer.concat([
        Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n'),
        Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
      ]),
    ),
    unexpected(200, true),
  ]);
  for (const status of [301, 302, 303, 307, 308]) {
    rows.push([
      `redirect ${status}`,
      answers.text(status, '', { Location: 'http://127.0.0.1:9/v1/otps/sms/send' }),
      unexpected(status, true),
    ]);
  }
  return rows;
}

/**
 * Runs `once(refused)` and, in the refused variant, runs it again (at most twice more) when
 * the send made a single attempt: then the port had opened before the client's first
 * connect (a race the setup loses on a loaded machine), which is no test of the retry.
 * A client that failed to retry a refused connect is not hidden by this: its error would
 * be a NetworkError before send, not the row's, and fail the row's assertions.
 */
async function withRetriedSetup(label, refused, once) {
  for (let run = 1; ; run += 1) {
    const outcome = await once();
    if (!(refused && outcome.err.attempts === 1 && run < 3)) return outcome;
    console.log(`${label}: the port opened before the first connect; setting the row up again`);
    await outcome.cleanup();
  }
}

async function runHostileRow(name, answer, want, refused, seen) {
  const label = `${name}, refused first: ${refused}`;
  const { err, took, server, cleanup } = await withRetriedSetup(label, refused, async () => {
    const server = refused ? await HostileServer.startRefusing() : await HostileServer.start();
    server.respond(answer);
    const client = clientFor(server, {
      timeout_ms: TIMEOUT_MS,
      connect_timeout_ms: 300,
      max_retries: refused ? 10 : 2,
    });
    if (refused) server.openAfter(REFUSED_FOR_MS);
    return { ...(await timedRejection(client)), server, cleanup: () => server.close() };
  });
  try {
    assertRow(err, want, label);
    assert.equal(server.requests.length, want.requests, `${label}: requests that reached the server`);
    if (refused) {
      // At least one refused connect, retried; never a second request.
      assert.ok(err.attempts >= 2, `${label}: ${err.attempts} attempts`);
    } else {
      assert.equal(err.attempts, 1, label);
    }
    assertTiming(took, want, refused, label);
    seen.add(name, took, err.attempts);
  } finally {
    await cleanup();
  }
}

test('a port that never opens costs max_retries + 1 attempts, none reaching a server', async () => {
  const server = await HostileServer.startRefusing();
  try {
    const client = clientFor(server, { max_retries: 3, connect_timeout_ms: 300 });
    const { err, took } = await timedRejection(client);
    assert.ok(err instanceof sms.NetworkError, err.message);
    assert.deepEqual(
      [err.code, err.after_send, err.maybe_delivered, err.attempts],
      ['network_error', false, false, 4],
    );
    // Backoff: full jitter under 100 + 200 + 400 ms.
    assert.ok(took < 1500, `took ${took} ms`);
    assert.equal(server.requests.length, 0);
    assert.equal(server.connections, 0);
  } finally {
    await server.close();
  }
});

// A keep-alive connection the server closed (FIN after the answer; still reading, or not):
// noticed before reuse, the next send opens a new connection and succeeds; two requests in
// all. The server's socket closes only once the client has closed its side too, so
// awaiting that close (instead of sleeping) means the client has seen the FIN.
test('a half-closed keep-alive connection is not reused', async () => {
  for (const [name, first] of [
    ['half-close', answers.okThenHalfClose()],
    ['close', answers.okThenClose()],
  ]) {
    const server = await HostileServer.start();
    try {
      server.respond(answers.script(first, answers.ok()));
      const client = clientFor(server);
      await client.otps.sms.send(REQUEST);
      await server.whenClosed(1);
      const resp = await client.otps.sms.send(REQUEST);
      assert.match(resp.request_id, /^request-id-test-/, name);
      assert.deepEqual([server.requests.length, server.connections], [2, 2], name);
    } finally {
      await server.close();
    }
  }
});

// Reused at once: the client may not have seen the FIN yet. Either the pool noticed (a new
// connection, success), or the request went out on the dead connection and no answer came:
// then a network error that says the SMS may have been sent, never a silent second request.
test('a half-closed connection reused at once never sends twice', async () => {
  let [ok, broken] = [0, 0];
  for (let i = 0; i < 20; i += 1) {
    const server = await HostileServer.start();
    try {
      server.respond(answers.script(answers.okThenHalfClose(), answers.ok()));
      const client = clientFor(server);
      await client.otps.sms.send(REQUEST);
      // The first connection closes either way (the pool drops it, or the error does); by
      // then whatever the client wrote on it has been read and recorded.
      try {
        await client.otps.sms.send(REQUEST);
        ok += 1;
      } catch (err) {
        assert.ok(err instanceof sms.NetworkError, `${err.name}: ${err.message}`);
        assert.deepEqual(
          [err.code, err.after_send, err.maybe_delivered, err.attempts],
          ['network_error', true, true, 1],
          err.message,
        );
        broken += 1;
      }
      await server.whenClosed(1);
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  }
  console.log(`half-closed connection reused at once: ${ok} succeeded, ${broken} broken`);
});

test('informational answers and an HTTP/1.0 close-delimited body are read', async () => {
  const ok = '{"request_id":"r","user_id":"u","phone_id":"p","status_code":200}';
  for (const raw of [
    `HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${ok.length}\r\n\r\n${ok}`,
    `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${ok.length}\r\n\r\n${ok}`,
    `HTTP/1.0 200 OK\r\n\r\n${ok}`,
  ]) {
    const server = await HostileServer.start();
    try {
      server.respond(answers.raw(raw));
      const resp = await clientFor(server).otps.sms.send(REQUEST);
      assert.equal(resp.request_id, 'r', raw);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  }
});

// ---------------------------------------------------------------------------------------
// The emulator half (emulator/tests/fault_matrix.rs). Each fault is armed for 10 sends, so
// a retry that should not happen would fire it again and show in its hit count.

function emulatorRows() {
  const rows = [];
  for (const [status, errorType, code] of [
    [400, 'invalid_phone_number', 'bad_request'],
    [401, 'unauthorized_credentials', 'unauthorized'],
    [403, 'captcha_required', 'forbidden'],
    [404, 'user_not_found', 'not_found'],
    [408, 'request_timeout', 'api_error'],
    [499, 'client_closed_request', 'api_error'],
  ]) {
    rows.push([`error ${status}`, { status, error_type: errorType }, false, expect(code, false, { status_code: status })]);
  }
  for (const status of [500, 502, 503, 504]) {
    rows.push([`error ${status}`, { status }, false, expect('server_error', true, { status_code: status })]);
  }
  rows.push([
    '429, Retry-After 7, not asked to retry',
    { status: 429, retry_after: 7 },
    false,
    expect('rate_limited', false, { status_code: 429, retry_after: 7 }),
  ]);
  rows.push([
    '429, Retry-After 11, asked to retry: too long to wait (over 10 s)',
    { status: 429, retry_after: 11 },
    true,
    expect('rate_limited', false, { status_code: 429, retry_after: 11 }),
  ]);
  rows.push([
    '429, Retry-After 0, asked to retry: once',
    { status: 429, retry_after: 0 },
    true,
    expect('rate_limited', false, { status_code: 429, retry_after: 0, requests: 2 }),
  ]);
  rows.push([
    'reset before processing',
    { kind: 'reset_before_processing' },
    false,
    expect('network_error', true, { after_send: true }),
  ]);
  rows.push([
    'processed, then reset',
    { kind: 'process_then_reset' },
    false,
    expect('network_error', true, { after_send: true, messages: 1 }),
  ]);
  for (const [status, maybe] of [
    [undefined, true],
    [200, true],
    [404, false],
    [503, true],
  ]) {
    rows.push([
      `malformed body (HTML page), status ${status ?? 'default'}`,
      { kind: 'malformed_body', status },
      false,
      expect('unexpected_response', maybe, { status_code: status ?? 502 }),
    ]);
  }
  rows.push([
    'stall',
    { kind: 'stall' },
    false,
    expect('timeout', true, { phase: 'response', within: [TIMEOUT_MS, TIMEOUT_MS + 1500] }),
  ]);
  // A stall that would process the send after 1.2 s: the client gives up at 0.6 s and
  // closes, so nothing may be recorded even once the delay has passed.
  rows.push([
    'stall, then process after the client gave up',
    { kind: 'stall', delay_ms: 1200 },
    false,
    expect('timeout', true, { phase: 'response', settleMs: 1000, within: [TIMEOUT_MS, TIMEOUT_MS + 1500] }),
  ]);
  // An error that arrives after a delay still within the timeout: the error, not a timeout.
  rows.push([
    'error 503 after 200 ms',
    { status: 503, delay_ms: 200 },
    false,
    expect('server_error', true, { status_code: 503, within: [200, 2000] }),
  ]);
  return rows;
}

async function runEmulatorRow(name, fault, retryRateLimited, want, refused, seen) {
  const spec = Object.fromEntries(Object.entries({ ...fault, times: 10 }).filter(([, v]) => v !== undefined));
  const label = `${name} (${JSON.stringify(spec)}), refused first: ${refused}`;
  const { err, took, emu, cleanup } = await withRetriedSetup(label, refused, async () => {
    const emu = await Emulator.start();
    const proxy = refused ? await RefusingProxy.start(Number(new URL(emu.url).port)) : undefined;
    const cleanup = async () => {
      if (proxy) await proxy.close();
      await emu.stop();
    };
    const armed = await emu.injectFault(spec);
    assert.equal(armed.remaining, 10);
    const client = emu.client({
      base_url: proxy ? proxy.url : emu.url,
      timeout_ms: TIMEOUT_MS,
      connect_timeout_ms: 500,
      max_retries: refused ? 10 : 2,
      retry_rate_limited: retryRateLimited,
    });
    if (proxy) proxy.openAfter(REFUSED_FOR_MS);
    return { ...(await timedRejection(client)), emu, cleanup };
  });
  try {
    assertRow(err, want, label);
    // Only the late-processing stall row waits: that something does NOT happen cannot be
    // awaited as an event.
    if (want.settleMs > 0) await new Promise((resolve) => setTimeout(resolve, want.settleMs));
    const [faultInfo] = await emu.faults();
    assert.equal(faultInfo.hits, want.requests, `${label}: sends that reached the emulator`);
    assert.equal((await emu.messages()).length, want.messages, `${label}: messages`);
    if (refused) {
      // At least one refused connect was retried before the sends that reached it.
      assert.ok(err.attempts > want.requests, `${label}: ${err.attempts} attempts`);
    } else {
      assert.equal(err.attempts, want.requests, label);
    }
    assertTiming(took, want, refused, label);
    seen.add(name, took, err.attempts);
  } finally {
    await cleanup();
  }
}

// The proxy itself: a send through it once it is open is one send, delivered.
test('a send after refused connects is delivered once', async () => {
  const emu = await Emulator.start();
  const proxy = await RefusingProxy.start(Number(new URL(emu.url).port));
  try {
    const client = emu.client({ base_url: proxy.url, max_retries: 10 });
    proxy.openAfter(REFUSED_FOR_MS);
    const resp = await client.otps.sms.send(REQUEST);
    const messages = await emu.messages({ phone_number: PHONE });
    assert.equal(messages.length, 1);
    assert.equal(messages[0].request_id, resp.request_id);
  } finally {
    await proxy.close();
    await emu.stop();
  }
});

// The four matrices run side by side: their rows mostly wait (on timeouts, refused ports,
// backoff), each against its own server or emulator, and one after another they took
// ~27 s of a loaded machine.
describe('fault matrix', { concurrency: true }, () => {
  it('hostile behaviours on the first attempt', async () => {
    const seen = tally();
    for (const [name, answer, want] of hostileRows()) await runHostileRow(name, answer, want, false, seen);
    seen.print('hostile server, first attempt');
  });
  it('hostile behaviours after connect-phase retries', async () => {
    const seen = tally();
    for (const [name, answer, want] of hostileRows()) await runHostileRow(name, answer, want, true, seen);
    seen.print('hostile server, after refused connects');
  });
  it('every emulator fault kind on the first attempt', async () => {
    const seen = tally();
    for (const [name, fault, retry, want] of emulatorRows()) await runEmulatorRow(name, fault, retry, want, false, seen);
    seen.print('emulator faults, first attempt');
  });
  it('every emulator fault kind after connect-phase retries', async () => {
    const seen = tally();
    for (const [name, fault, retry, want] of emulatorRows()) await runEmulatorRow(name, fault, retry, want, true, seen);
    seen.print('emulator faults, after refused connects');
  });
});
