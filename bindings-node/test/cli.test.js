'use strict';
// `npx sms-otp` (cli.js, the package's `bin`): the Rust command line run from the native
// module, with its flags, output and exit codes.

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const test = require('node:test');
const { Client, VERSION } = require('..');

const CLI = path.join(__dirname, '..', 'cli.js');
const run = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

test('--version and --help', () => {
  let out = run('--version');
  assert.equal(out.status, 0);
  assert.equal(out.stdout.trim(), `sms-otp ${VERSION}`);
  out = run('--help');
  assert.equal(out.status, 0);
  assert.match(out.stdout, /emulator/);
});

test('usage mistakes exit 2 with a message and no stack', () => {
  const out = run('send', '2025550162', '--emulator');
  assert.equal(out.status, 2, out.stderr);
  assert.match(out.stderr, /phone_number/);
  assert.doesNotMatch(out.stderr, /\n\s+at /);
});

test('send to the embedded emulator prints the response and the code', () => {
  const out = run('send', '+12025550162', '--emulator');
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /request_id: {2}request-id-test-/);
  assert.match(out.stdout, /^delivered code: \d{6}$/m);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  test(`the emulator answers a send, then exits 0 on ${signal}`, async () => {
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
    try {
      const [line] = await Promise.race([
        require('node:events').once(readline.createInterface({ input: child.stdout }), 'line'),
        exited.then(() => { throw new Error('the emulator exited before listening'); }),
      ]);
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      assert.ok(match, line);
      const client = new Client({
        project_id: 'project-test-00000000-0000-0000-0000-000000000000',
        secret: 'secret-test-emulator',
        custom_base_url: match[1],
      });
      assert.equal((await client.otps.sms.send({ phone_number: '+12025550162' })).status_code, 200);
      child.kill(signal);
      // A busy loop here (Node's own handler re-raising into the native one) would hang.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const { code, sig } = await exited;
      clearTimeout(timer);
      assert.deepEqual({ code, sig }, { code: 0, sig: null });
    } finally {
      child.kill('SIGKILL');
    }
  });
}
