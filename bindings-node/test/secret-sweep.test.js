'use strict';
// Secret hygiene: tests/secrets/sweep.js drives every error path of the package with a marker
// secret in a child process run with NODE_DEBUG=*; nothing it prints on stdout or stderr may
// contain any form of the secret listed in tests/secrets/marker.json (raw, JSON-escaped,
// percent-encoded, base64 at any alignment, the Basic header, the bare marker token).

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SECRETS_DIR = path.join(__dirname, '..', '..', 'tests', 'secrets');
const MARKER = JSON.parse(fs.readFileSync(path.join(SECRETS_DIR, 'marker.json'), 'utf8'));

/** The data rows the Node sweep must run: its rows of tests/secret-inputs.json (no `only`,
 * or `only` naming node) and every row of tests/emulator-errors.json. */
function expectedRows() {
  const read = (name) => JSON.parse(fs.readFileSync(path.join(SECRETS_DIR, '..', name), 'utf8'));
  const inputs = read('secret-inputs.json');
  const sections = ['requests', 'clients', 'env', 'emulator_faults', 'hostile'];
  const mine = sections.flatMap((s) => inputs[s]).filter((row) => (row.only ?? ['node']).includes('node'));
  return mine.length + read('emulator-errors.json').rows.length;
}
const CODES = [
  'validation_error', 'configuration_error', 'network_error', 'timeout', 'api_error', 'bad_request',
  'unauthorized', 'forbidden', 'not_found', 'rate_limited', 'server_error', 'unexpected_response', 'TypeError',
];

/** Every forbidden form found in `text`, with the line around it. */
function leaks(text) {
  const found = [];
  for (const form of MARKER.forbidden) {
    const at = text.indexOf(form);
    if (at < 0) continue;
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    found.push(`${JSON.stringify(form)} in: ${text.slice(start, end < 0 ? undefined : end).slice(0, 300)}`);
  }
  return found;
}

test('the scanner finds every form of the secret', () => {
  for (let offset = 0; offset < 3; offset += 1) {
    const blob = Buffer.from('x'.repeat(offset) + `user:${MARKER.secret}`).toString('base64');
    assert.ok(leaks(`log ${blob} end`).length > 0, `base64 at offset ${offset}`);
  }
  for (const form of MARKER.forbidden) assert.ok(leaks(`a ${form} b`).length > 0, form);
  assert.ok(leaks(require('node:util').inspect(MARKER.secret)).length > 0);
  assert.ok(leaks(encodeURIComponent(MARKER.secret)).length > 0);
  assert.deepEqual(leaks('secret-test-[redacted] Qz7MARKE'), []);
});

test('no error path shows the secret, in any rendering or any output', async () => {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(SECRETS_DIR, 'sweep.js')], {
    env: { ...process.env, NODE_DEBUG: '*' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  assert.equal(signal, null, `killed after ${Date.now() - started} ms`);
  assert.equal(code, 0, stdout.slice(-3000) + stderr.slice(-3000));
  const done = /^SWEEP DONE (\d+) cases$/m.exec(stdout);
  assert.ok(done, stdout.slice(-3000));
  const ran = /^SWEEP ROWS (\d+)$/m.exec(stdout);
  assert.ok(ran, stdout.slice(-3000));
  assert.equal(Number(ran[1]), expectedRows(), 'data rows run vs tests/secret-inputs.json + tests/emulator-errors.json');
  const found = leaks(`${stdout}\n${stderr}`);
  assert.deepEqual(found, [], found.join('\n'));
  const codes = new Set([...stdout.matchAll(/^case \d+ .*? -> (\S+) /gm)].map((m) => m[1]));
  for (const c of CODES) assert.ok(codes.has(c), `no case ended in ${c}`);
  assert.match(stderr, /^NET \d+:/m, 'NODE_DEBUG output was not captured');
  console.log(`secret sweep (Node): ${done[1]} cases, ${stdout.length + stderr.length} characters scanned in ${Date.now() - started} ms`);
});
