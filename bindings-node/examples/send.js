'use strict';
// Send a passcode and handle every error class. Against the emulator:
//   sms-otp emulator   # prints: listening on http://127.0.0.1:PORT
//   STYTCH_PROJECT_ID=project-test-00000000-0000-0000-0000-000000000000 \
//   STYTCH_SECRET=secret-test-emulator STYTCH_BASE_URL=http://127.0.0.1:PORT node examples/send.js +12025550162
const sms = require('sms-otp');

async function send(client, phoneNumber) {
  try {
    const resp = await client.otps.sms.send(
      { phone_number: sms.normalizePhoneNumber(phoneNumber) },
      { signal: AbortSignal.timeout(30_000) },
    );
    console.log(`sent: phone_id=${resp.phone_id} request_id=${resp.request_id}`);
    return 0;
  } catch (e) {
    if (e instanceof sms.ValidationError) {
      console.log(`check ${e.field}: ${e.reason}`); // bad input: nothing was sent
      return 2;
    }
    if (e instanceof sms.RateLimitedError) console.log(`too many codes; retry in ${e.retry_after ?? 'a few'} seconds`);
    else if (e instanceof sms.UnauthorizedError) console.log('wrong STYTCH_PROJECT_ID / STYTCH_SECRET');
    else if (e instanceof sms.BadRequestError || e instanceof sms.NotFoundError || e instanceof sms.ForbiddenError) {
      console.log(`Stytch refused (${e.error_type}): ${e.error_message}`);
    } else if (e instanceof sms.SmsOtpError && e.maybe_delivered) {
      // ServerError, RequestTimeoutError, NetworkError, UnexpectedResponseError: the library
      // already retried what was safe to retry.
      console.log(`outcome unknown (${e.code}): ask the user whether a code arrived before resending`);
    } else if (e instanceof sms.SmsOtpError) console.log(`not sent (${e.code}): ${e.message}`);
    else throw e; // TypeError for a wrong argument type, or the AbortSignal's reason
    return 1;
  }
}

module.exports = { send };

if (require.main === module) {
  send(sms.Client.fromEnv(), process.argv[2] ?? '+12025550162').then((code) => {
    process.exitCode = code;
  });
}
