'use strict';
// The hand-kept JS classes and TypeScript unions must match the Rust core's lists
// (ErrorKind::ALL and Locale::ALL). On a mismatch the message says what to change.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const native = require('../lib/native.js');
const errors = require('../lib/errors.js');
const { sms, PACKAGE_DIR } = require('./helpers.js');

const dts = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), 'utf8');

/** The string literals of `export type NAME = | 'a' | 'b';` in index.d.ts. */
function union(name) {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(dts);
  assert.ok(match, `index.d.ts has no \`export type ${name}\``);
  return [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
}

test('the Locale union of index.d.ts is exactly the core locale list', () => {
  const core = native.locales();
  assert.deepEqual(union('Locale'), core, `set index.d.ts Locale to: ${core.map((l) => `'${l}'`).join(' | ')}`);
  assert.deepEqual([...sms.LOCALES], core);
  assert.equal(core.length, 16);
});

test('the ErrorCode union of index.d.ts is exactly the core error codes', () => {
  const core = native.errorKinds().map((k) => k.code);
  assert.deepEqual(union('ErrorCode'), core, `set index.d.ts ErrorCode to: ${core.map((c) => `'${c}'`).join(' | ')}`);
  assert.deepEqual([...sms.ERROR_CODES], core);
});

test('every core error kind has its JS class with the same code and parent, exported and declared', () => {
  const kinds = native.errorKinds();
  for (const kind of kinds) {
    const cls = errors.classes[kind.className];
    assert.ok(cls, `lib/errors.js lacks class ${kind.className} (code ${kind.code})`);
    assert.equal(cls.code, kind.code, `${kind.className}.code`);
    assert.equal(Object.getPrototypeOf(cls).name, kind.parentClassName, `${kind.className} must extend ${kind.parentClassName}`);
    assert.equal(sms[kind.className], cls, `index.js must export ${kind.className}`);
    assert.match(
      dts,
      new RegExp(`export declare class ${kind.className} extends ${kind.parentClassName} \\{[^}]*readonly code:[^;]*'${kind.code}'[^;]*;`),
      `index.d.ts must declare class ${kind.className} extends ${kind.parentClassName} with code '${kind.code}'`,
    );
  }
  const jsClasses = Object.keys(errors.classes).filter((n) => n !== 'SmsOtpError');
  assert.deepEqual(jsClasses.sort(), kinds.map((k) => k.className).sort(), 'no JS class without a core kind');
  assert.match(dts, /export declare class SmsOtpError extends Error/);
});

test('the payload fields the JS layer reads are the ones the core sends', () => {
  // A payload built by the core for a configuration error has every key fromPayload reads.
  const payload = native.argumentError('configuration', 'secret', 'why');
  for (const key of ['className', 'code', 'message', 'maybeDelivered', 'attempts']) {
    assert.ok(key in payload, key);
  }
  const err = errors.fromPayload(payload);
  assert.ok(err instanceof sms.ConfigurationError);
  assert.deepEqual([err.field, err.reason], ['secret', 'why']);
  for (const field of errors.FIELDS) {
    assert.ok(new RegExp(`readonly ${field}: `).test(dts), `index.d.ts must declare SmsOtpError.${field}`);
  }
});

test('the version is the workspace version, and package.json agrees', () => {
  const cargo = fs.readFileSync(path.join(PACKAGE_DIR, '..', 'Cargo.toml'), 'utf8');
  const workspaceVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1];
  assert.equal(sms.VERSION, workspaceVersion);
  assert.equal(require('../package.json').version, workspaceVersion, 'bump package.json with the workspace version');
});

test('the defaults documented in index.d.ts are the core defaults', () => {
  const core = native.defaults();
  const documented = (option) => {
    const match = new RegExp(`/\\*\\*([^*]|\\*(?!/))*\\*/\\s*${option}\\?:`).exec(dts);
    assert.ok(match, `index.d.ts documents no option ${option}`);
    return match[0];
  };
  for (const [option, want] of [
    ['timeout_ms', `Default ${core.timeoutMs}.`],
    ['connect_timeout_ms', `Default ${core.connectTimeoutMs}.`],
    ['max_retries', `Default ${core.maxRetries}, at most ${core.maxMaxRetries}.`],
    ['retry_rate_limited', `Default ${core.retryRateLimited}.`],
  ]) {
    assert.ok(documented(option).includes(want), `index.d.ts: the comment of ${option} must say "${want}" (the core's default)`);
  }
});
