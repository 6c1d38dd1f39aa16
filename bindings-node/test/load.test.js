'use strict';
// The load run (test/load/load.js; tests/load/run runs it for 60 s) for 3 s, so the normal
// suite exercises its code path: 64 promise chains, random faults, epoch audits,
// fd/connection/RSS checks. A child process, so the counts are its own.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('a short load run passes every check', () => {
  const result = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'load', 'load.js')], {
    env: { ...process.env, LOAD_SECONDS: '3', LOAD_WARMUP_SECONDS: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.strictEqual(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^load\[node\] .*: PASS$/m);
});
