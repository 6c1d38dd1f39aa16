'use strict';
// Secret hygiene, Node surface. Drives every error path of the `sms-otp` package with the
// marker credentials of marker.json and prints every rendering of every error: String,
// message, stack, util.inspect (hidden properties, any depth), util.format %o/%O/%j,
// JSON.stringify (also of every own property), v8.serialize and structuredClone, the
// `cause` chain, and console.error(err) as an application would; plus every view of the
// clients. Run with NODE_DEBUG=* so that Node's own debug output is captured too.
//
// Its inputs are data shared with the Rust and Python sweeps: tests/secret-inputs.json (the
// rows for Node) and tests/emulator-errors.json. It prints `SWEEP ROWS <n>`, the data rows it
// ran.
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
const INPUTS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'secret-inputs.json'), 'utf8'));
const ERROR_TABLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'emulator-errors.json'), 'utf8')).rows;

const MARKER = JSON.parse(fs.readFileSync(path.join(__dirname, 'marker.json'), 'utf8'));
const PID = MARKER.project_id;
const SECRET = MARKER.secret;
const ECHO = `you sent ${MARKER.echoes.join(' and ')}`;
const HEADER_ECHO = MARKER.echoes.filter((e) => /^[\x21-\x7e]+$/.test(e) && !e.includes('"')).join('/');
const PCT = MARKER.echoes[6]; // the percent-encoded secret
const PHONE = '+12025550162';
let cases = 0;
/** Data rows run (tests/secret-inputs.json and tests/emulator-errors.json). */
let rows = 0;

/** The rows of a section of tests/secret-inputs.json that are for Node. */
const mine = (section) => INPUTS[section].filter((row) => (row.only ?? ['node']).includes('node'));

/** A template of tests/secret-inputs.json, filled in. */
function fill(text) {
  return text
    .replaceAll('{secret}', SECRET)
    .replaceAll('{project_id}', PID)
    .replaceAll('{pct}', PCT)
    .replaceAll('{header_echo}', HEADER_ECHO)
    .replaceAll('{echo}', ECHO)
    .replaceAll('{lone_surrogate}', '\ud800');
}

function fillJson(value) {
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) return value.map(fillJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k), fillJson(v)]));
  }
  return value;
}

/** The neutral option names of the file, as Node's options (timeouts in milliseconds). */
const NODE_OPTION = { timeout: 'timeout_ms', connect_timeout: 'connect_timeout_ms' };

/** A client option's value: a template, or one of the {$…} values of the file. */
function optionValue(name, value, dir, label) {
  const seconds = name in NODE_OPTION && typeof value === 'number';
  if (seconds) return value * 1000;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('$nan' in value) return NaN;
    if ('$bytes' in value) return Buffer.from(fill(value.$bytes));
    if ('$to_string' in value) return { toString: () => fill(value.$to_string) };
    if ('$file' in value) {
      const file = path.join(dir, `${label.replaceAll(' ', '-')}.pem`);
      fs.writeFileSync(file, fill(value.$file));
      return file;
    }
    if ('$missing_file' in value) return path.join(dir, 'missing.pem');
    if ('$directory' in value) return dir;
    throw new Error(`not a value for Node: ${JSON.stringify(value)}`);
  }
  return fillJson(value);
}

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
  for (const row of mine('requests')) {
    rows += 1;
    await send(`validation ${row.name}`, c, fillJson(row.fields));
  }
  await record('validation request type', () => c.otps.sms.send(SECRET));
  await record('validation signal type', () => c.otps.sms.send({ phone_number: PHONE }, { signal: SECRET }));
  await send('validation country', client(url, { allowed_country_codes: ['44'] }));
  await record('normalize', () => sms.normalizePhoneNumber('call me'));
  await record('normalize region', () => sms.normalizePhoneNumber('202 555 0162', 'ZZ'));
}

async function configuration(url) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-sweep-'));
  try {
    for (const row of mine('clients')) {
      const options = { project_id: PID, secret: SECRET, base_url: url };
      for (const [name, value] of Object.entries(row.client)) {
        options[NODE_OPTION[name] ?? name] = optionValue(name, value, dir, row.name);
      }
      for (const [name, value] of Object.entries(options)) if (value === null) delete options[name];
      rows += 1;
      await record(row.name, () => new sms.Client(options));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await record('options type', () => new sms.Client(SECRET));
}

async function fromEnv() {
  const keys = ['STYTCH_PROJECT_ID', 'STYTCH_SECRET', 'STYTCH_BASE_URL'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  try {
    for (const row of mine('env')) {
      for (const key of keys) {
        if (row[key] === null) delete process.env[key];
        else process.env[key] = fill(row[key]);
      }
      rows += 1;
      await record(row.name, () => sms.Client.fromEnv());
    }
  } finally {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

async function emulatorErrors() {
  const emu = await Emulator.start({ project_id: PID, secret: SECRET, rate_limit: 1 });
  try {
    console.log(`emulator: ${util.inspect(emu, { showHidden: true, depth: Infinity })} ${JSON.stringify(emu)}`);
    const c = client(emu.url);
    for (const { status, error_type } of ERROR_TABLE) {
      const fault = { status, error_type };
      if (status === 429 || status === 503) fault.retry_after = 3;
      await emu.injectFault(fault);
      rows += 1;
      await send(`emulator ${status} ${error_type}`, c);
    }
    for (const row of mine('emulator_faults')) {
      await emu.injectFault(row.fault);
      rows += 1;
      await send(`emulator fault ${row.name}`, c);
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

async function hostile() {
  for (const row of mine('hostile')) {
    const server = await HostileServer.start(fillJson(row.behaviour));
    try {
      rows += 1;
      await send(`hostile ${row.name}`, client(server.url));
    } finally {
      await server.close();
    }
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
  console.log(`SWEEP ROWS ${rows}`);
  console.log(`SWEEP DONE ${cases} cases`);
}

main().catch((e) => {
  console.error('the sweep itself failed:', e);
  process.exitCode = 1;
});
