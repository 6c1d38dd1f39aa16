// A user's ES module program against the installed tarballs: one send through sms-otp/testing.
import assert from 'node:assert/strict';
import { Client, ValidationError, ERROR_CODES } from 'sms-otp';
import { Emulator } from 'sms-otp/testing';

const emu = await Emulator.start();
try {
  const client = new Client({ project_id: emu.project_id, secret: emu.secret, custom_base_url: emu.url });
  const resp = await client.otps.sms.send({ phone_number: '+12025550162' });
  assert.equal(resp.status_code, 200);
  const [message] = await emu.messages({ phone_number: '+12025550162' });
  assert.match(message.code, /^\d{6}$/);
  await assert.rejects(client.otps.sms.send({ phone_number: '2025550162' }), ValidationError);
  assert.ok(ERROR_CODES.includes('validation_error'));
  console.log('esm: sent, code delivered');
} finally {
  await emu.stop();
}
