// A user's CommonJS program against the installed tarballs: one send through sms-otp/testing.
const assert = require('node:assert/strict');
const { ValidationError } = require('sms-otp');
const { Emulator } = require('sms-otp/testing');

(async () => {
  const emu = await Emulator.start();
  try {
    const resp = await emu.client().otps.sms.send({ phone_number: '+12025550162' });
    assert.equal(resp.status_code, 200);
    const [message] = await emu.messages({ phone_number: '+12025550162' });
    assert.match(message.code, /^\d{6}$/);
    await assert.rejects(emu.client().otps.sms.send({ phone_number: '2025550162' }), ValidationError);
    const native = Object.keys(require.cache).find((f) => f.endsWith('.node'));
    assert.ok(native.includes('sms-otp-linux-x64-gnu'), `native module from the platform package: ${native}`);
    console.log(`cjs: sent, code delivered, native ${native}`);
  } finally {
    await emu.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
