'use strict';
// Loads the native module: a local build in the package folder first (a development
// checkout, `npm run build`), then the platform package npm installed as an optional
// dependency (`sms-otp-linux-x64-gnu`, …). The choice is lib/platform.js.

const fs = require('node:fs');
const path = require('node:path');
const { nativeCandidates, isMusl, notFoundMessage } = require('./platform.js');

const packageRoot = path.join(__dirname, '..');

function load() {
  const candidates = nativeCandidates({ platform: process.platform, arch: process.arch, musl: isMusl() });
  const failures = [];
  const local = path.join(packageRoot, candidates.localFile);
  if (fs.existsSync(local)) {
    try {
      return require(local);
    } catch (e) {
      failures.push(`${candidates.localFile}: ${e.message}`);
    }
  }
  if (candidates.supported) {
    try {
      return require(candidates.packageName);
    } catch (e) {
      // Not installed is the common case, said below; anything else (a broken binary, a
      // missing system library) is shown as it is.
      if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(candidates.packageName)) {
        failures.push(`${candidates.packageName}: ${e.message}`);
      }
    }
  }
  const error = new Error(notFoundMessage(candidates, packageRoot, failures));
  error.code = 'ERR_SMS_OTP_NATIVE_NOT_FOUND';
  throw error;
}

module.exports = load();
