'use strict';
// Smoke test of a built or installed Node package: `sms-otp` and `sms-otp/testing` resolved
// the way a user's code resolves them, one send through the embedded emulator, the code
// delivered, a typed validation error. Needs nothing but Node (no npm install, no Rust).
//
//   node tests/packaging/smoke.js DIR [NATIVE_FILE]
//
// DIR is the package folder itself (bindings-node with a built sms-otp.*.node in it) or a
// project folder whose node_modules/ holds the installed package. NATIVE_FILE, when given,
// is the file the native module must have been loaded from: a file name
// (sms-otp.linux-x64-musl.node on Alpine, say, so a test cannot pass on another platform's
// binary) or the end of its path (sms-otp-linux-x64-gnu/sms-otp.linux-x64-gnu.node: from the
// platform package, not from a copy in the main package).

const assert = require('node:assert/strict');
const { createRequire } = require('node:module');
const path = require('node:path');

const [dirArg, expectedNative] = process.argv.slice(2);
if (!dirArg) {
  console.error('usage: node tests/packaging/smoke.js DIR [NATIVE_FILE]');
  process.exit(2);
}
const dir = path.resolve(dirArg);
// Resolves as code in DIR would: the package's own name from inside it (self-reference
// through its "exports"), or node_modules/ in a project.
const requireFromDir = createRequire(path.join(dir, 'package.json'));

async function main() {
  const sms = requireFromDir('sms-otp');
  const { Emulator } = requireFromDir('sms-otp/testing');
  const phone = '+12025550162';
  const emu = await Emulator.start();
  try {
    const client = emu.client();
    const resp = await client.otps.sms.send({ phone_number: phone });
    assert.equal(resp.status_code, 200);
    assert.match(resp.phone_id, /\S/);
    const messages = await emu.messages({ phone_number: phone });
    assert.equal(messages.length, 1, 'one message delivered');
    assert.match(messages[0].code, /^\d{6}$/);
    await assert.rejects(client.otps.sms.send({ phone_number: '12025550162' }), sms.ValidationError);
  } finally {
    await emu.stop();
  }

  const natives = Object.keys(require.cache).filter((file) => file.endsWith('.node'));
  assert.equal(natives.length, 1, `exactly one native module loaded: ${natives.join(', ')}`);
  if (expectedNative) {
    const loaded = natives[0].split(path.sep).join('/');
    assert.ok(loaded.endsWith(`/${expectedNative}`), `native module ${loaded} is not .../${expectedNative}`);
  }
  console.log(
    `node smoke: ok on ${process.platform}-${process.arch} (Node ${process.version}): ` +
      `sent, code delivered, ValidationError typed; native module ${natives[0]}`,
  );
}

main().catch((e) => {
  console.error('node smoke: FAILED');
  console.error(e);
  process.exit(1);
});
