// ES module entry: the same objects as the CommonJS entry (one module instance, so
// `instanceof` works whichever way a class was imported).
import sms from './index.js';

export const {
  Client,
  Otps,
  Sms,
  normalizePhoneNumber,
  LOCALES,
  ERROR_CODES,
  VERSION,
  SmsOtpError,
  ValidationError,
  ConfigurationError,
  NetworkError,
  RequestTimeoutError,
  ApiError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  InvalidCodeError,
  UnexpectedResponseError,
} = sms;

export default sms;
