'use strict';
// `npm test`: runs every test/*.test.js with `node --test` and fails when any test fails or
// when no test ran at all (a runner that finds nothing must not pass).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join(__dirname, f));
if (files.length === 0) {
  console.error('no test files found in test/: failing');
  process.exit(1);
}

const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-node-')), 'report.tap');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', cwd: path.join(__dirname, '..') },
);
const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
fs.rmSync(path.dirname(tap), { recursive: true, force: true });
// Count real test cases: `node --test` reports a file that defined no test as one passing
// "test" named after the file, which must not count (and is an error of its own).
const results = [...report.matchAll(/^\s*(not ok|ok) \d+ - (.*?)(?: # .*)?$/gm)];
const empty = results.filter(([, , name]) => files.includes(name)).map(([, , name]) => name);
const cases = results.filter(([, , name]) => !files.includes(name));
const passed = cases.filter(([, status]) => status === 'ok').length;
const failed = cases.length - passed;
console.log(`\nNode: ${passed} tests passed, ${failed} failed, in ${files.length} files`);
if (result.status !== 0 || failed > 0) process.exit(result.status || 1);
if (empty.length > 0) {
  console.error(`test files that define no test: ${empty.join(', ')}`);
  process.exit(1);
}
if (passed === 0) {
  console.error('no Node tests ran: failing');
  process.exit(1);
}
