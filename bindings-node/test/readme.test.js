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
