'use strict';
// Secret hygiene, Node surface. Drives every error path of the `sms-otp` package with the
// marker credentials of marker.json and prints every rendering of every error: String,
// message, stack, util.inspect (hidden properties, any depth), util.format %o/%O/%j,
// JSON.stringify (also of every own property), v8.serialize and structuredClone, the
// `cause` chain, and console.error(err) as an application would; plus every view of the
// clients. Run with NODE_DEBUG=* so that Node's own debug output is captured too.
//
// It scans nothing itself: bindings-node/test/secret-sweep.test.js and tests/secrets/run
// run it as a child process and search everything it printed for every form of the secret.
// The last line of stdout is `SWEEP DONE <n> cases`.

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const util = require('node:util');
const v8 = require('node:v8');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const sms = require(path.join(ROOT, 'bindings-node'));
const { Emulator } = require(path.join(ROOT, 'bindings-node', 'testing.js'));
const { HostileServer, refusedPort } = require(path.join(ROOT, 'bindings-node', 'test', 'hostile-server.js'));

const MARKER = JSON.parse(fs.readFileSync(path.join(__dirname, 'marker.json'), 'utf8'));
const PID = MARKER.project_id;
const SECRET = MARKER.secret;
const ECHO = `you sent ${MARKER.echoes.join(' and ')}`;
const HEADER_ECHO = MARKER.echoes.filter((e) => /^[\x21-\x7e]+$/.test(e) && !e.includes('"')).join('/');
const PCT = MARKER.echoes[6]; // the percent-encoded secret
const PHONE = '+12025550162';
let cases = 0;

function render(err) {
  const parts = [
    String(err),
    err?.message,
    err?.stack,
    util.inspect(err),
    util.inspect(err, { showHidden: true, depth: Infinity, getters: true }),
    util.format('%s %o %O %j', err, err, err, err),
    JSON.stringify(err),
    JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(err ?? {}).map((k) => [k, err[k]]))),
  ];
  try {
    parts.push(v8.serialize(err).toString('latin1'));
    parts.push(util.inspect(structuredClone(err), { showHidden: true, depth: Infinity }));
  } catch (e) {
    parts.push(`serialize failed: ${e}`);
  }
  for (let cause = err?.cause; cause !== undefined && cause !== null; cause = cause.cause) {
    parts.push(String(cause), util.inspect(cause, { showHidden: true, depth: Infinity }));
  }
  return parts.join(' | ');
}

function recordError(name, err) {
  cases += 1;
  console.log(`case ${cases} ${name} -> ${err?.code ?? err?.name} ${render(err)}`);
  console.error(err); // what an application's catch-all does
}

async function record(name, fn) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    recordError(name, err);
    return;
  }
  throw new Error(`case ${name} did not fail: ${util.inspect(value)}`);
}

function show(label, client) {
  console.log(
    `client ${label}: ${util.inspect(client, { showHidden: true, depth: Infinity, getters: true })} ` +
      `${JSON.stringify(client)} ${util.format('%o %O %j', client, client, client)} ` +
      `${util.inspect(client.otps, { showHidden: true, depth: Infinity })} ${Object.keys(client)}`,
  );
}

function client(url, options = {}) {
  const c = new sms.Client({
    project_id: PID,
    secret: SECRET,
    base_url: url,
    timeout_ms: 400,
    connect_timeout_ms: 300,
    max_retries: 0,
    ...options,
  });
  show(url, c);
  return c;
}

const send = (name, c, fields = {}) => record(name, () => c.otps.sms.send({ phone_number: PHONE, ...fields }));

async function validation(url) {
  const c = client(url);
  const cases = [
    ['phone empty', { phone_number: '' }],
    ['phone no plus', { phone_number: '12025550162' }],
    ['phone spaces', { phone_number: '+1 202 555 0162' }],
    ['phone unassigned', { phone_number: '+999123456' }],
    ['expiration 0', { expiration_minutes: 0 }],
    ['expiration 11', { expiration_minutes: 11 }],
    ['locale', { locale: 'xx-YY' }],
    ['ip_address', { attributes: { ip_address: '300.1.1.1' } }],
    ['user_agent', { attributes: { user_agent: 'u'.repeat(1025) } }],
    ['user_id empty', { user_id: '' }],
    ['session_token empty', { session_token: '' }],
    ['session_jwt empty', { session_jwt: '' }],
    ['both sessions', { session_token: 't', session_jwt: 'j' }],
    ['phone type', { phone_number: 12025550162 }],
    ['expiration type', { expiration_minutes: '5' }],
    ['attributes type', { attributes: ['x'] }],
    ['unknown field', { secret: SECRET }],
  ];
  for (const [name, fields] of cases) await send(`validation ${name}`, c, fields);
  await record('validation request type', () => c.otps.sms.send(SECRET));
  await record('validation signal type', () => c.otps.sms.send({ phone_number: PHONE }, { signal: SECRET }));
  await send('validation country', client(url, { allowed_country_codes: ['44'] }));
  await record('normalize', () => sms.normalizePhoneNumber('call me'));
  await record('normalize region', () => sms.normalizePhoneNumber('202 555 0162', 'ZZ'));
}

async function configuration(url) {
  const badSecrets = [
    ['secret empty', ''],
    ['secret blank', '   '],
    ['secret newline', `${SECRET}\n`],
    ['secret crlf', `${SECRET}\r\n`],
    ['secret leading space', ` ${SECRET}`],
    ['secret nul', `${SECRET}\u0000x`],
    ['secret tab', `${SECRET}\tx`],
    ['secret lone surrogate', `${SECRET}\ud800`],
    ['secret buffer', Buffer.from(SECRET)],
    ['secret number', 42],
    ['secret object', { toString: () => SECRET }],
  ];
  for (const [name, secret] of badSecrets) {
    await record(name, () => new sms.Client({ project_id: PID, secret, base_url: url }));
  }
  await record('project_id colon', () => new sms.Client({ project_id: `${PID}:${SECRET}`, secret: SECRET }));
  for (const [name, base] of [
    ['base_url http remote', `http://example.com/${PCT}`],
    ['base_url credentials', `https://user:${PCT}@example.com`],
    ['base_url raw credentials', `https://${PID}:${SECRET}@example.com`],
    ['base_url query', `https://example.com/?s=${PCT}`],
    ['base_url fragment', `https://example.com/#${SECRET}`],
    ['base_url scheme', `ftp://example.com/${PCT}`],
    ['base_url garbage', `not a url ${SECRET}`],
    ['base_url bad port', `https://example.com:${SECRET}/`],
  ]) {
    await record(name, () => new sms.Client({ project_id: PID, secret: SECRET, base_url: base }));
  }
  await record('environment', () => new sms.Client({ project_id: PID, secret: SECRET, environment: `staging-${SECRET}` }));
  await record('environment url', () =>
    new sms.Client({ project_id: PID, secret: SECRET, environment: `https://u:${PCT}@example.com` }),
  );
  for (const [name, options] of [
    ['timeout zero', { timeout_ms: 0 }],
    ['timeout nan', { timeout_ms: NaN }],
    ['timeout type', { timeout_ms: SECRET }],
    ['connect_timeout huge', { connect_timeout_ms: 1e15 }],
    ['max_retries', { max_retries: -1 }],
    ['max_retries type', { max_retries: SECRET }],
    ['country codes', { allowed_country_codes: ['x1'] }],
    ['country codes string', { allowed_country_codes: SECRET }],
    ['user_agent_suffix', { user_agent_suffix: 'bad\nsuffix' }],
    ['retry_rate_limited type', { retry_rate_limited: SECRET }],
    ['unknown option', { secret_key: SECRET }],
  ]) {
    await record(name, () => new sms.Client({ project_id: PID, secret: SECRET, base_url: url, ...options }));
  }
  await record('options type', () => new sms.Client(SECRET));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-sweep-'));
  try {
    const pem = path.join(dir, 'bad.pem');
    fs.writeFileSync(pem, `-----BEGIN CERTIFICATE-----\n${ECHO}\n-----END CERTIFICATE-----\n`);
    await record('ca_file garbage', () => new sms.Client({ project_id: PID, secret: SECRET, base_url: url, ca_file: pem }));
    fs.writeFileSync(pem, ECHO);
    await record('ca_file no pem', () => new sms.Client({ project_id: PID, secret: SECRET, base_url: url, ca_file: pem }));
    await record('ca_file missing', () =>
      new sms.Client({ project_id: PID, secret: SECRET, base_url: url, ca_file: path.join(dir, 'missing') }),
    );
    await record('ca_file directory', () => new sms.Client({ project_id: PID, secret: SECRET, base_url: url, ca_file: dir }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function fromEnv() {
  const keys = ['STYTCH_PROJECT_ID', 'STYTCH_SECRET', 'STYTCH_BASE_URL'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  const rows = [
    ['env no project', undefined, SECRET, undefined],
    ['env no secret', PID, undefined, undefined],
    ['env secret newline', PID, `${SECRET}\n`, undefined],
    ['env secret spaces', PID, `  ${SECRET}  `, undefined],
    ['env secret empty', PID, '', undefined],
    ['env base_url remote http', PID, SECRET, `http://example.com/${PCT}`],
    ['env base_url credentials', PID, SECRET, `https://${PID}:${PCT}@example.com/`],
    ['env base_url garbage', PID, SECRET, `::${SECRET}`],
  ];
  try {
    for (const [name, pid, secret, url] of rows) {
      for (const [key, value] of [[keys[0], pid], [keys[1], secret], [keys[2], url]]) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await record(name, () => sms.Client.fromEnv());
    }
  } finally {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

const ERROR_TABLE = [
  [400, 'bad_request'],
  [400, 'invalid_phone_number'],
  [400, 'invalid_phone_number_country_code'],
  [400, 'unsubscribed_phone_number'],
  [400, 'invalid_expiration_otp'],
  [400, 'invalid_locale'],
  [400, 'invalid_user_id'],
  [400, 'too_many_session_arguments'],
  [400, 'duplicate_phone_number'],
  [400, 'too_many_unverified_factors'],
  [401, 'unauthorized_credentials'],
  [403, 'captcha_required'],
  [404, 'user_not_found'],
  [404, 'session_not_found'],
  [404, 'not_found'],
  [405, 'method_not_allowed'],
  [408, 'request_timeout'],
  [429, 'too_many_requests'],
  [499, 'client_closed_request'],
  [500, 'internal_server_error'],
  [502, 'internal_server_error'],
  [503, 'server_unavailable'],
  [504, 'internal_server_error'],
];

async function emulatorErrors() {
  const emu = await Emulator.start({ project_id: PID, secret: SECRET, rate_limit: 1 });
  try {
    console.log(`emulator: ${util.inspect(emu, { showHidden: true, depth: Infinity })} ${JSON.stringify(emu)}`);
    const c = client(emu.url);
    for (const [status, error_type] of ERROR_TABLE) {
      const fault = { status, error_type };
      if (status === 429 || status === 503) fault.retry_after = 3;
      await emu.injectFault(fault);
      await send(`emulator ${status} ${error_type}`, c);
    }
    for (const [name, fault] of [
      ['reset before', { kind: 'reset_before_processing' }],
      ['process then reset', { kind: 'process_then_reset' }],
      ['malformed 502', { kind: 'malformed_body' }],
      ['malformed 200', { kind: 'malformed_body', status: 200 }],
      ['stall', { kind: 'stall' }],
    ]) {
      await emu.injectFault(fault);
      await send(`emulator fault ${name}`, c);
    }
    await send('emulator 401 wrong secret', new sms.Client({ project_id: PID, secret: `${SECRET}-wrong`, base_url: emu.url }));
    await send(
      'emulator 401 wrong project',
      new sms.Client({ project_id: 'project-test-someone-else', secret: SECRET, base_url: emu.url }),
    );
    await send('emulator country', c, { phone_number: '+442079460958' });
    await c.otps.sms.send({ phone_number: '+12025550199' });
    await send('emulator 429', c, { phone_number: '+12025550199' });
    await send('emulator user_not_found', c, {
      phone_number: '+12025550123',
      user_id: 'user-test-00000000-0000-0000-0000-000000000000',
    });
    await send('emulator session_not_found', c, { phone_number: '+12025550124', session_token: `token-${PCT}` });
    const aborted = new AbortController();
    aborted.abort(new Error('gave up'));
    await record('aborted', () => c.otps.sms.send({ phone_number: PHONE }, { signal: aborted.signal }));
  } finally {
    await emu.stop();
  }
}

function jsonError(status) {
  return JSON.stringify({
    status_code: status,
    request_id: 'request-id-test-echo',
    error_type: 'echo',
    error_message: ECHO,
    error_url: `https://stytch.com/docs/api/errors/${status}`,
    echo: { [ECHO]: [ECHO, { nested: ECHO }] },
  });
}

async function hostile() {
  const type = (t, extra = {}) => ({ 'Content-Type': t, ...extra });
  const html = `<html><body><h1>502</h1><pre>${ECHO}</pre></body></html>`;
  const answers = [];
  for (const status of [400, 401, 403, 404, 418, 429, 500, 502, 503]) {
    answers.push([`echo json ${status}`, () => ({ status, headers: type('application/json', { 'Retry-After': '2' }), body: jsonError(status) })]);
  }
  const asciiOnly = jsonError(400).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  answers.push(['echo json ascii-escaped', () => ({ status: 400, headers: type('application/json'), body: asciiOnly })]);
  for (const [name, status, t, body] of [
    ['echo html 502', 502, 'text/html', html],
    ['echo html 400', 400, 'text/html', html],
    ['echo html 200', 200, 'text/html', html],
    ['echo text 401', 401, 'text/plain', ECHO],
    ['echo json string 200', 200, 'application/json', JSON.stringify(ECHO)],
    ['echo json string 500', 500, 'application/json', JSON.stringify(ECHO)],
    ['echo 200 missing fields', 200, 'application/json', JSON.stringify({ request_id: ECHO, status_code: 200 })],
    ['echo json truncated', 400, 'application/json', jsonError(400).slice(0, jsonError(400).length / 2)],
    ['echo huge', 200, 'application/json', ECHO + ' '.repeat(1_100_000)],
  ]) {
    answers.push([name, () => ({ status, headers: type(t), body })]);
  }
  for (const status of [301, 302, 307, 308]) {
    answers.push([`redirect ${status}`, () => ({ status, headers: { Location: `https://evil.example/${HEADER_ECHO}` }, body: ECHO })]);
  }
  answers.push(['stall', () => ({ kind: 'stall' })], ['reset', () => ({ kind: 'reset' })], ['close', () => ({ kind: 'close' })]);
  const server = await HostileServer.start();
  try {
    for (const [name, answer] of answers) {
      server.respond(answer);
      await send(`hostile ${name}`, client(server.url));
    }
  } finally {
    await server.close();
  }
}

/** A self-signed certificate for localhost from the openssl command line, or null. */
function selfSigned(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { cert, key };
}

async function listen(server) {
  await new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server.address().port;
}

async function transport() {
  await send('refused', client(`http://127.0.0.1:${await refusedPort()}`, { max_retries: 1 }));
  // A TLS handshake that never completes: a connect timeout.
  const held = [];
  const holder = net.createServer((s) => held.push(s));
  const holdPort = await listen(holder);
  await send('connect timeout', client(`https://localhost:${holdPort}`, { connect_timeout_ms: 200 }));
  for (const s of held) s.destroy();
  holder.close();
  const plain = await HostileServer.start();
  await send('tls to plain http', client(`https://127.0.0.1:${plain.port}`));
  await plain.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-sweep-tls-'));
  try {
    const pair = selfSigned(dir);
    if (pair === null) {
      console.log('SKIP untrusted certificate: no openssl command');
      return;
    }
    const server = tls.createServer({ cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) }, (s) => s.destroy());
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    await send('untrusted certificate', client(`https://localhost:${port}`));
    await send('self-signed leaf as ca_file', client(`https://localhost:${port}`, { ca_file: pair.cert }));
    server.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  process.on('warning', (w) => console.error('warning', w));
  const url = `http://127.0.0.1:${await refusedPort()}`;
  await validation(url);
  await configuration(url);
  await fromEnv();
  await emulatorErrors();
  await hostile();
  await transport();
  console.log(`SWEEP DONE ${cases} cases`);
}

main().catch((e) => {
  console.error('the sweep itself failed:', e);
  process.exitCode = 1;
});
