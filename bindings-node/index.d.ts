// Type definitions for sms-otp (hand-kept; checked by `tsc --noEmit --strict` on
// test/types-usage.ts, and against the native lists by test/drift.test.js).

/** The 16 locale tags the API accepts, exactly as sent on the wire (case-sensitive). */
export type Locale =
  | 'en'
  | 'es'
  | 'pt-br'
  | 'fr'
  | 'it'
  | 'de-DE'
  | 'zh-Hans'
  | 'ca-ES'
  | 'ja'
  | 'ru'
  | 'nl'
  | 'pl'
  | 'tr'
  | 'fa'
  | 'vi'
  | 'cs';

/**
 * The stable `err.code` of every error class (identical in Rust, Python and Node), in the
 * order of the core's error table. `'internal_error'` is the base class's own code: a bug
 * inside the library (please report it).
 */
export type ErrorCode =
  | 'internal_error'
  | 'validation_error'
  | 'configuration_error'
  | 'network_error'
  | 'timeout'
  | 'api_error'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'server_error'
  | 'invalid_code'
  | 'unexpected_response';

/** Options of `new Client(...)`. Every default lives in the Rust core. */
export interface ClientOptions {
  /** Required. `project-live-…` selects the live environment, anything else test. */
  project_id: string;
  /** Required. Never shown by `util.inspect`, `JSON.stringify` or any error. */
  secret: string;
  /**
   * `"test"` or `"live"`; by default taken from `project_id`. A URL is accepted too, as in
   * the official SDKs, and means `base_url` (which wins when both are given).
   */
  environment?: 'test' | 'live' | (string & {}) | URL | null | undefined;
  /** Overrides `environment`: `https://…`, or `http://` on a loopback host. A path prefix is kept. */
  base_url?: string | URL | null | undefined;
  /** Alias of `base_url` (the official SDK's name); `base_url` wins when both are given. */
  custom_base_url?: string | URL | null | undefined;
  /** Per attempt, from sending to a fully read response. Default 10000. */
  timeout_ms?: number | null | undefined;
  /** Per attempt, TCP connect plus TLS handshake. Default 3000. */
  connect_timeout_ms?: number | null | undefined;
  /** Extra attempts for failures that provably never reached the server. Default 2, at most 10. */
  max_retries?: number | bigint | null | undefined;
  /** One extra attempt after a 429 whose `Retry-After` is at most 10 s. Default false. */
  retry_rate_limited?: boolean | null | undefined;
  /** E.164 calling codes sends may go to, e.g. `["1", "44"]` (toll-fraud guard). Default: all. */
  allowed_country_codes?: readonly string[] | null | undefined;
  /** Appended to the `User-Agent` header. */
  user_agent_suffix?: string | null | undefined;
  /** A PEM bundle trusted in addition to the system roots (a path or a `file:` URL). */
  ca_file?: string | URL | null | undefined;
}

/** Options of `Client.fromEnv(...)`: credentials come from `STYTCH_PROJECT_ID` / `STYTCH_SECRET`. */
export type FromEnvOptions = Omit<ClientOptions, 'project_id' | 'secret'> & {
  project_id?: null | undefined;
  secret?: null | undefined;
};

/** Fraud-detection signals passed through to Stytch. */
export interface Attributes {
  /** The end user's IPv4 or IPv6 address. */
  ip_address?: string | null | undefined;
  /** The end user's browser user agent, at most 1024 characters. */
  user_agent?: string | null | undefined;
}

/** Arguments of `client.otps.sms.send(...)`, with the API's wire names. */
export interface SendRequest {
  /** E.164 (`+12025550162`); see `normalizePhoneNumber`. */
  phone_number: string;
  /** Whole minutes the code stays valid, 1..10 (the service defaults to 2); anything else, 2.5 included, is a `ValidationError`. */
  expiration_minutes?: number | bigint | null | undefined;
  attributes?: Attributes | null | undefined;
  /** Language of the SMS text (the service defaults to English). */
  locale?: Locale | null | undefined;
  /** Attach the number to this existing user. */
  user_id?: string | null | undefined;
  /** Attach the number to the user of this session (not together with `session_jwt`). */
  session_token?: string | null | undefined;
  /** Attach the number to the user of this session, JWT form (not together with `session_token`). */
  session_jwt?: string | null | undefined;
}

/** The second argument of `send`, `loginOrCreate` and `authenticate`. */
export interface SendOptions {
  /** Aborting drops the request at once; the promise rejects with `signal.reason`. */
  signal?: AbortSignal | null | undefined;
}

/** A successful send. */
export interface SendResponse {
  /** Log this: Stytch support asks for it. */
  request_id: string;
  /** The user the phone number belongs to. */
  user_id: string;
  /** Pass as `method_id` to the authenticate call. */
  phone_id: string;
  /** HTTP status the service reported (200). */
  status_code: number;
  /** The whole response body, unknown fields included. */
  raw: Record<string, unknown>;
}

/** Arguments of `client.otps.sms.loginOrCreate(...)`, with the API's wire names. */
export interface LoginOrCreateRequest {
  /** E.164 (`+12025550162`); see `normalizePhoneNumber`. */
  phone_number: string;
  /** Whole minutes the code stays valid, 1..10 (the service defaults to 2). */
  expiration_minutes?: number | bigint | null | undefined;
  attributes?: Attributes | null | undefined;
  /** A user created by this call stays `pending` until a code is authenticated. */
  create_user_as_pending?: boolean | null | undefined;
  /** Language of the SMS text (the service defaults to English). */
  locale?: Locale | null | undefined;
}

/** Checks `authenticate` makes against the send's attributes. */
export interface AuthenticateOptions {
  ip_match_required?: boolean | null | undefined;
  user_agent_match_required?: boolean | null | undefined;
}

/** Arguments of `client.otps.authenticate(...)`, with the API's wire names. */
export interface AuthenticateRequest {
  /** The `phone_id` a send or `loginOrCreate` returned (`phone-number-test-…`). */
  method_id: string;
  /** The six-digit passcode the user typed. A secret: never in a message or log. */
  code: string;
  attributes?: Attributes | null | undefined;
  options?: AuthenticateOptions | null | undefined;
  /** Extend this session instead of starting one (not together with `session_jwt`). */
  session_token?: string | null | undefined;
  /** Extend this session, JWT form (not together with `session_token`). */
  session_jwt?: string | null | undefined;
  /** Start (or extend) a session for this many whole minutes, 5..527040; absent: no session. */
  session_duration_minutes?: number | bigint | null | undefined;
  /** Claims added to the session JWT: at most 4 KB as JSON, no reserved claim. */
  session_custom_claims?: Record<string, unknown> | null | undefined;
  /** Device fingerprinting id, passed through. */
  telemetry_id?: string | null | undefined;
}

/** A code sent by `loginOrCreate`: the response body, with its wire names. */
export interface LoginOrCreateResponse {
  request_id: string;
  user_id: string;
  /** Pass as `method_id` to `client.otps.authenticate`. */
  phone_id: string;
  /** Whether this call created the user. */
  user_created: boolean;
  status_code: number;
  [unknown: string]: unknown;
}

export interface PhoneNumber {
  phone_id: string;
  phone_number: string;
  verified: boolean;
}

/** The user who logged in (the fields an SMS login reads; the body has the rest). */
export interface User {
  user_id: string;
  /** `active`, or `pending` until a first login. */
  status: string;
  phone_numbers: PhoneNumber[];
  created_at?: string;
  [unknown: string]: unknown;
}

export interface PhoneNumberFactor {
  phone_id: string;
  phone_number: string;
}

export interface AuthenticationFactor {
  /** `otp` for a passcode. */
  type: string;
  /** `sms` for a passcode sent by SMS. */
  delivery_method: string;
  last_authenticated_at?: string;
  phone_number_factor?: PhoneNumberFactor | null;
  [unknown: string]: unknown;
}

export interface Session {
  session_id: string;
  user_id: string;
  /** RFC 3339. */
  started_at: string;
  last_accessed_at: string;
  expires_at: string;
  authentication_factors: AuthenticationFactor[];
  custom_claims?: Record<string, unknown> | null;
  attributes?: Record<string, unknown> | null;
  roles: string[];
  [unknown: string]: unknown;
}

/** A code accepted by `authenticate`: the response body, with its wire names. `util.inspect`
 * (and so `console.log`) hides `session_token` and `session_jwt`. */
export interface AuthenticateResponse {
  request_id: string;
  user_id: string;
  method_id: string;
  /** Empty when no session was started or extended. A secret. */
  session_token: string;
  /** Empty when no session was started or extended. A secret. */
  session_jwt: string;
  user: User;
  reset_sessions: boolean;
  /** Present when a session was started or extended. */
  session?: Session | null;
  user_device?: Record<string, unknown> | null;
  status_code: number;
  [unknown: string]: unknown;
}

/** SMS one-time passcodes: `client.otps.sms`. */
export declare class Sms {
  private constructor();
  /**
   * Sends a one-time passcode. Arguments are validated before any request; only failures
   * that provably never reached the server are retried.
   * @throws {TypeError} an argument of the wrong JS type, or an unknown key
   * @throws {SmsOtpError} every other failure, as one of its subclasses
   */
  send(request: SendRequest, options?: SendOptions | null | undefined): Promise<SendResponse>;
  /**
   * Sends a one-time passcode, creating the user first when no user has the number. Same
   * validation, timeouts and retries as `send`.
   */
  loginOrCreate(request: LoginOrCreateRequest, options?: SendOptions | null | undefined): Promise<LoginOrCreateResponse>;
}

/** The OTP products: `client.otps`. */
export declare class Otps {
  private constructor();
  readonly sms: Sms;
  /**
   * Checks a passcode, starting (or extending) a session when asked. A refused code rejects
   * with `InvalidCodeError` (`error_type` tells a wrong code from a used or expired one).
   */
  authenticate(request: AuthenticateRequest, options?: SendOptions | null | undefined): Promise<AuthenticateResponse>;
}

/** A Stytch SMS OTP client. One client serves any number of concurrent sends. */
export declare class Client {
  /** @throws {ConfigurationError} a bad option (named by `err.field`) */
  constructor(options: ClientOptions);
  /** A client from `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and optional `STYTCH_BASE_URL` (an explicit `base_url` wins). */
  static fromEnv(options?: FromEnvOptions | null | undefined): Client;
  readonly otps: Otps;
  /** The project id the client authenticates as. */
  readonly project_id: string;
  /** The resolved environment (an explicit `base_url` still wins for the URL). */
  readonly environment: 'test' | 'live';
  /** The full URL sends go to. */
  readonly endpoint: string;
  /** Project id, environment and endpoint; never the secret. */
  toJSON(): { project_id: string; environment: 'test' | 'live'; endpoint: string };
}

/**
 * Turns what people type (`(202) 555-0162`, `+44 20 7946 0958`, `020 7946 0958` with region
 * `GB`) into E.164.
 * @param default_region ISO 3166 region for numbers without `+`; default `"US"`
 * @throws {ValidationError}
 */
export declare function normalizePhoneNumber(text: string, default_region?: string | null | undefined): string;

/** The 16 locale tags, in API order. */
export declare const LOCALES: readonly Locale[];
/** Every error code, in the order of the core's error table. */
export declare const ERROR_CODES: readonly ErrorCode[];
/** The package version. */
export declare const VERSION: string;

/** Fields an error may be constructed with (all optional). */
export interface SmsOtpErrorDetails {
  code?: ErrorCode | undefined;
  maybe_delivered?: boolean | undefined;
  field?: string | null | undefined;
  reason?: string | null | undefined;
  status_code?: number | null | undefined;
  request_id?: string | null | undefined;
  error_type?: string | null | undefined;
  error_message?: string | null | undefined;
  error_url?: string | null | undefined;
  retry_after?: number | null | undefined;
  body?: string | null | undefined;
  phase?: 'connect' | 'response' | null | undefined;
  after_send?: boolean | null | undefined;
  attempts?: number | undefined;
}

/**
 * Base of every error of the library. Fields a kind does not have are `null`. Thrown
 * itself only for a bug inside the library (a panic): `code` `'internal_error'`,
 * `maybe_delivered` true (please report it).
 */
export declare class SmsOtpError extends Error {
  constructor(message: string, details?: SmsOtpErrorDetails, options?: { cause?: unknown });
  /** Stable code, identical in every surface. */
  readonly code: ErrorCode;
  /** False when no SMS can have been triggered; true when the library cannot know. */
  readonly maybe_delivered: boolean;
  /** The argument or option at fault (validation and configuration errors). */
  readonly field: string | null;
  /** What is wrong with `field` and how to fix it. */
  readonly reason: string | null;
  /** HTTP status of the answer (API and unexpected-response errors). */
  readonly status_code: number | null;
  /** Stytch's `request_id`, to quote to support. */
  readonly request_id: string | null;
  /** Stytch's `error_type` (`too_many_requests`, `invalid_phone_number`, …). */
  readonly error_type: string | null;
  /** Stytch's `error_message`. */
  readonly error_message: string | null;
  /** Stytch's `error_url`. */
  readonly error_url: string | null;
  /** The answer's `Retry-After`, in seconds. */
  readonly retry_after: number | null;
  /** The JSON error body (API errors) or a short excerpt (unexpected responses). */
  readonly body: string | null;
  /** For timeouts: which part of the attempt ran out of time. */
  readonly phase: 'connect' | 'response' | null;
  /** For network errors: whether the request may already have been written. */
  readonly after_send: boolean | null;
  /** HTTP attempts made before this error (0 for validation and configuration errors). */
  readonly attempts: number;
  /** For network errors: the operating-system error, with Node's `code` (`ECONNREFUSED`, …) when known. */
  readonly cause?: unknown;
}

/** A bad argument, found before any request; `field` and `reason` say which and why. */
export declare class ValidationError extends SmsOtpError {
  readonly code: 'validation_error';
  readonly maybe_delivered: false;
  readonly field: string;
  readonly reason: string;
}

/** A bad client option; `field` names it. */
export declare class ConfigurationError extends SmsOtpError {
  readonly code: 'configuration_error';
  readonly maybe_delivered: false;
  readonly field: string;
  readonly reason: string;
}

/** Could not connect, TLS failed, or the connection broke; `after_send` tells which. */
export declare class NetworkError extends SmsOtpError {
  readonly code: 'network_error';
}

/** Connect or response timeout; `phase` tells which. */
export declare class RequestTimeoutError extends SmsOtpError {
  readonly code: 'timeout';
  readonly phase: 'connect' | 'response';
}

/** A non-2xx JSON answer from Stytch. */
export declare class ApiError extends SmsOtpError {
  readonly code:
    | 'api_error'
    | 'bad_request'
    | 'unauthorized'
    | 'forbidden'
    | 'not_found'
    | 'rate_limited'
    | 'server_error'
    | 'invalid_code';
  readonly status_code: number;
}

/** HTTP 400. */
export declare class BadRequestError extends ApiError {
  readonly code: 'bad_request';
  readonly maybe_delivered: false;
}

/** HTTP 401. */
export declare class UnauthorizedError extends ApiError {
  readonly code: 'unauthorized';
  readonly maybe_delivered: false;
}

/** HTTP 403. */
export declare class ForbiddenError extends ApiError {
  readonly code: 'forbidden';
  readonly maybe_delivered: false;
}

/** HTTP 404. */
export declare class NotFoundError extends ApiError {
  readonly code: 'not_found';
  readonly maybe_delivered: false;
}

/** HTTP 429; `retry_after` is the server's wait in seconds, if it gave one. */
export declare class RateLimitedError extends ApiError {
  readonly code: 'rate_limited';
  readonly maybe_delivered: false;
}

/** HTTP 5xx: the SMS may have been sent; never retried automatically. */
export declare class ServerError extends ApiError {
  readonly code: 'server_error';
  readonly maybe_delivered: true;
}

/**
 * `authenticate` refused the code: `error_type` is `otp_code_not_found` (wrong code: ask the
 * user again) or `unable_to_auth_otp_code` (expired, used or replaced: send a new code).
 */
export declare class InvalidCodeError extends ApiError {
  readonly code: 'invalid_code';
  readonly maybe_delivered: false;
}

/** The body was not the JSON the API documents; `body` holds a short excerpt. */
export declare class UnexpectedResponseError extends SmsOtpError {
  readonly code: 'unexpected_response';
  readonly status_code: number;
}
