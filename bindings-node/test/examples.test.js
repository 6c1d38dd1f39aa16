'use strict';
// The examples in bindings-node/examples run as documented.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { PACKAGE_DIR } = require('./helpers.js');
const { Emulator } = require('../testing.js');

const EXAMPLES = path.join(PACKAGE_DIR, 'examples');

test('the send example handles success and each kind of failure', async () => {
  const emu = await Emulator.start();
  try {
    const env = { ...process.env, STYTCH_PROJECT_ID: emu.project_id, STYTCH_SECRET: emu.secret, STYTCH_BASE_URL: emu.url };
    const run = (phone) => {
      const { spawn } = require('node:child_process');
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(EXAMPLES, 'send.js'), phone], { cwd: PACKAGE_DIR, env });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('close', (status) => resolve({ status, out }));
      });
    };
    let r = await run('(202) 555-0162');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /^sent: phone_id=/);
    r = await run('12');
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /check phone_number/);
    await emu.injectFault({ status: 503, error_type: 'server_unavailable' });
    r = await run('+12025550162');
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /outcome unknown \(server_error\)/);
  } finally {
    await emu.stop();
  }
});

test('the login-flow example passes under node --test', () => {
  // Without NODE_TEST_CONTEXT the child reports as a standalone run would (TAP).
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', path.join(EXAMPLES, 'login-flow.test.js')], {
    cwd: PACKAGE_DIR,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 3/);
});
