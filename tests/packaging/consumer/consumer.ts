// A user's TypeScript module, checked with `tsc --strict` against the installed package's types.
import { Client, SmsOtpError, ValidationError, normalizePhoneNumber, type SendResponse } from 'sms-otp';
import { Emulator } from 'sms-otp/testing';

export async function sendOnce(client: Client, phone: string): Promise<string> {
  try {
    const resp: SendResponse = await client.otps.sms.send(
      { phone_number: normalizePhoneNumber(phone), expiration_minutes: 5, locale: 'es' },
      { signal: AbortSignal.timeout(5_000) },
    );
    return resp.phone_id;
  } catch (e) {
    if (e instanceof ValidationError) return `bad input: ${e.field}`;
    if (e instanceof SmsOtpError) return `${e.code} maybe_delivered=${e.maybe_delivered}`;
    throw e;
  }
}

export async function main(): Promise<void> {
  const emu = await Emulator.start();
  try {
    console.log(await sendOnce(emu.client(), '(202) 555-0162'));
  } finally {
    await emu.stop();
  }
}
