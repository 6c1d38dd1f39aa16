'use strict';
// sms-otp: send and check one-time passcodes by SMS through Stytch, backed by a Rust core
// (validation before any request, working timeouts, safe retries, typed errors with a
// stable `code`). See index.d.ts for the full surface.

const native = require('./lib/native.js');
const { Client, Otps, Sms, normalizePhoneNumber } = require('./lib/client.js');
const errors = require('./lib/errors.js');

/** The 16 locale tags the API accepts, exactly as sent on the wire. */
const LOCALES = Object.freeze(errors.TABLES.locales);

/** Every stable error code (`err.code`) of the library, in the order of the core's table. */
const ERROR_CODES = Object.freeze(errors.TABLE.map((row) => row.code));

module.exports = {
  Client,
  Otps,
  Sms,
  normalizePhoneNumber,
  LOCALES,
  ERROR_CODES,
  VERSION: native.VERSION,
  ...errors.classes, // SmsOtpError, ValidationError, …: made from the core's error table
};
