'use strict';
// Loads the native module built from ../src by `napi build --platform`
// (`sms-otp.<platform>-<arch>[-<abi>].node` in the package folder).

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function candidates() {
  const base = `sms-otp.${process.platform}-${process.arch}`;
  switch (process.platform) {
    case 'linux':
      return [`${base}-gnu.node`, `${base}-musl.node`, `${base}-gnueabihf.node`];
    case 'win32':
      return [`${base}-msvc.node`, `${base}-gnu.node`];
    case 'darwin':
      return [`${base}.node`, 'sms-otp.darwin-universal.node'];
    default:
      return [`${base}.node`];
  }
}

function load() {
  const failures = [];
  for (const name of candidates()) {
    const file = path.join(root, name);
    if (!fs.existsSync(file)) continue;
    try {
      return require(file);
    } catch (e) {
      // e.g. the gnu build on a musl system: try the next one.
      failures.push(`${name}: ${e.message}`);
    }
  }
  const tried = failures.length ? ` Load errors: ${failures.join('; ')}` : '';
  throw new Error(
    `sms-otp: no native module for ${process.platform}-${process.arch} in ${root}. ` +
      'It is built from source when the package is installed (needs Rust: https://rustup.rs); ' +
      `run \`npm run build\` in ${root} to build it.${tried}`,
  );
}

module.exports = load();
