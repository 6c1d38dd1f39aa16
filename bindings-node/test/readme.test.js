'use strict';
// The README's code blocks are executed (docs are tests): each ```js block runs in a child
// process from the package folder, against the in-process emulator, and must exit 0.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { PACKAGE_DIR } = require('./helpers.js');

const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has code blocks to run', () => {
  assert.ok(blocks.length >= 2, `${blocks.length} blocks`);
});

blocks.forEach((code, i) => {
  test(`README block ${i + 1} runs`, () => {
    const esm = /^import /m.test(code);
    const result = spawnSync(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', code], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, `block ${i + 1} failed:\n${result.stdout}${result.stderr}`);
    assert.ok(result.stdout.length > 0);
  });
});

// The repository README's Node quickstart: same steps as Rust and Python (a client from
// the environment, one send, failures told apart), run against an in-process emulator.
const rootReadme = fs.readFileSync(path.join(PACKAGE_DIR, '..', 'README.md'), 'utf8');
const rootBlocks = [...rootReadme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the repository README has a Node quickstart', () => {
  assert.ok(rootBlocks.length >= 1);
});

// A login block exports its two steps instead of running: the test drives them as a backend
// would, reading the code from the emulator's inbox where a user would type it.
const loginBlocks = rootBlocks.filter((code) => code.includes('module.exports'));
const sendBlocks = rootBlocks.filter((code) => !code.includes('module.exports'));

test('the repository README has a Node login block', () => {
  assert.ok(loginBlocks.length >= 1);
});

loginBlocks.forEach((code, i) => {
  test(`repository README Node login block ${i + 1} logs in through the emulator`, async () => {
    const { Emulator } = require('../testing.js');
    const emu = await Emulator.start();
    const saved = { ...process.env };
    const file = path.join(PACKAGE_DIR, `.readme-login-${process.pid}-${i}.js`);
    try {
      Object.assign(process.env, { STYTCH_PROJECT_ID: emu.project_id, STYTCH_SECRET: emu.secret, STYTCH_BASE_URL: emu.url });
      fs.writeFileSync(file, code);
      const { startLogin, finishLogin } = require(file);
      const phone = '+12025550162';
      const methodId = await startLogin(phone);
      const messages = await emu.messages({ phone_number: phone });
      const typed = messages[messages.length - 1].code;
      assert.equal(await finishLogin(methodId, typed === '000000' ? '111111' : '000000'), null);
      assert.equal((await finishLogin(methodId, typed)).split('.').length, 3);
      await assert.rejects(finishLogin(methodId, typed), (e) => e instanceof require('../index.js').InvalidCodeError);
    } finally {
      fs.rmSync(file, { force: true });
      process.env = saved;
      await emu.stop();
    }
  });
});

sendBlocks.forEach((code, i) => {
  test(`repository README Node block ${i + 1} sends through the emulator`, async () => {
    const { Emulator } = require('../testing.js');
    const emu = await Emulator.start();
    try {
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', code], {
        cwd: PACKAGE_DIR,
        env: { ...process.env, STYTCH_PROJECT_ID: emu.project_id, STYTCH_SECRET: emu.secret, STYTCH_BASE_URL: emu.url },
      });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      const status = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(status, 0, out);
      assert.match(out, /^sent: phone_id=phone-number-test-/m);
      assert.equal((await emu.messages({ phone_number: '+12025550162' })).length, 1);
    } finally {
      await emu.stop();
    }
  });
});
