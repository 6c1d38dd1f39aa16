'use strict';
// The loader's platform choice (lib/platform.js), for every target the release builds and for
// platforms it does not, without needing those machines.

const assert = require('node:assert/strict');
const test = require('node:test');
const { platformName, nativeCandidates, notFoundMessage } = require('../lib/platform.js');
const pkg = require('../package.json');

const EXPECTED = [
  [{ platform: 'linux', arch: 'x64', musl: false }, 'linux-x64-gnu', 'x86_64-unknown-linux-gnu'],
  [{ platform: 'linux', arch: 'arm64', musl: false }, 'linux-arm64-gnu', 'aarch64-unknown-linux-gnu'],
  [{ platform: 'linux', arch: 'x64', musl: true }, 'linux-x64-musl', 'x86_64-unknown-linux-musl'],
  [{ platform: 'linux', arch: 'arm64', musl: true }, 'linux-arm64-musl', 'aarch64-unknown-linux-musl'],
  [{ platform: 'darwin', arch: 'x64', musl: false }, 'darwin-x64', 'x86_64-apple-darwin'],
  [{ platform: 'darwin', arch: 'arm64', musl: false }, 'darwin-arm64', 'aarch64-apple-darwin'],
  [{ platform: 'win32', arch: 'x64', musl: false }, 'win32-x64-msvc', 'x86_64-pc-windows-msvc'],
];

for (const [facts, name, triple] of EXPECTED) {
  test(`${facts.platform} ${facts.arch}${facts.musl ? ' musl' : ''} loads sms-otp-${name}`, () => {
    const candidates = nativeCandidates(facts);
    assert.deepEqual(candidates, {
      name,
      supported: true,
      localFile: `sms-otp.${name}.node`,
      packageName: `sms-otp-${name}`,
    });
    assert.ok(pkg.napi.targets.includes(triple), triple);
  });
}

test('every target is built (napi.targets) and depended on (optionalDependencies) at the version', () => {
  assert.deepEqual(EXPECTED.map(([, , triple]) => triple), pkg.napi.targets);
  const expected = Object.fromEntries(EXPECTED.map(([, name]) => [`sms-otp-${name}`, pkg.version]));
  assert.deepEqual(pkg.optionalDependencies, expected);
});

test('platforms without a package are named, with the supported list', () => {
  for (const facts of [
    { platform: 'freebsd', arch: 'x64', musl: false },
    { platform: 'linux', arch: 'ia32', musl: false },
    { platform: 'win32', arch: 'arm64', musl: false },
    { platform: 'linux', arch: 'riscv64', musl: true },
  ]) {
    const candidates = nativeCandidates(facts);
    assert.equal(candidates.supported, false);
    const message = notFoundMessage(candidates, '/pkg', []);
    assert.match(message, new RegExp(`\\(${platformName(facts)}\\)`));
    assert.match(message, /supported: linux-x64-gnu, .*win32-x64-msvc/);
    assert.match(message, /npm run build/);
  }
});

test('a missing platform package is named, with how to build from a checkout', () => {
  const candidates = nativeCandidates({ platform: 'linux', arch: 'arm64', musl: true });
  const message = notFoundMessage(candidates, '/src/bindings-node', ['sms-otp-linux-arm64-musl: boom']);
  assert.match(message, /no native module for this platform \(linux-arm64-musl\)/);
  assert.match(message, /optional dependency "sms-otp-linux-arm64-musl", which is not installed/);
  assert.match(message, /npm install && npm run build` in \/src\/bindings-node/);
  assert.match(message, /Load errors: sms-otp-linux-arm64-musl: boom/);
});

test('with neither a local build nor the platform package, require fails with that message', () => {
  const { spawnSync } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  // A copy of the loader and package.json alone: no .node beside them and no node_modules to
  // find one in.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-otp-loader-'));
  try {
    fs.mkdirSync(path.join(dir, 'lib'));
    for (const file of ['platform.js', 'native.js']) {
      fs.copyFileSync(path.join(__dirname, '..', 'lib', file), path.join(dir, 'lib', file));
    }
    fs.copyFileSync(path.join(__dirname, '..', 'package.json'), path.join(dir, 'package.json'));
    const out = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(dir, 'lib', 'native.js'))})`], {
      encoding: 'utf8',
    });
    assert.notEqual(out.status, 0);
    assert.match(out.stderr, /sms-otp: no native module for this platform/);
    assert.match(out.stderr, /ERR_SMS_OTP_NATIVE_NOT_FOUND/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
