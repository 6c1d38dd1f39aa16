'use strict';
// sms-otp: send one-time passcodes by SMS through Stytch's POST /v1/otps/sms/send, backed
// by a Rust core (validation before any request, working timeouts, safe retries, typed
// errors with a stable `code`). See index.d.ts for the full surface.

const native = require('./lib/native.js');
const { Client, Otps, Sms, normalizePhoneNumber } = require('./lib/client.js');
const errors = require('./lib/errors.js');

/** The 16 locale tags the API accepts, exactly as sent on the wire. */
const LOCALES = Object.freeze(native.locales());

/** Every stable error code (`err.code`) of the library. */
const ERROR_CODES = Object.freeze(native.errorKinds().map((k) => k.code));

module.exports = {
  Client,
  Otps,
  Sms,
  normalizePhoneNumber,
  LOCALES,
  ERROR_CODES,
  VERSION: native.VERSION,
  SmsOtpError: errors.SmsOtpError,
  ValidationError: errors.ValidationError,
  ConfigurationError: errors.ConfigurationError,
  NetworkError: errors.NetworkError,
  RequestTimeoutError: errors.RequestTimeoutError,
  ApiError: errors.ApiError,
  BadRequestError: errors.BadRequestError,
  UnauthorizedError: errors.UnauthorizedError,
  ForbiddenError: errors.ForbiddenError,
  NotFoundError: errors.NotFoundError,
  RateLimitedError: errors.RateLimitedError,
  ServerError: errors.ServerError,
  UnexpectedResponseError: errors.UnexpectedResponseError,
};
