'use strict';
// index.d.ts and testing.d.ts compile under `tsc --noEmit --strict` against the usage files.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { PACKAGE_DIR } = require('./helpers.js');

test('tsc --strict accepts test/types-usage.ts and its expected errors stay errors', () => {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PACKAGE_DIR] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.json')], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});
