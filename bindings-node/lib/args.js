'use strict';
// JS values to the native module's argument objects. Only JS *types* are checked here (a
// number for `phone_number` is a TypeError naming the field); every rule about values
// (formats, ranges, defaults) lives in the Rust core, which reports ValidationError /
// ConfigurationError. `undefined` and `null` mean "not given".

const { fileURLToPath } = require('node:url');
const native = require('./native.js');
const { fromPayload } = require('./errors.js');

const OPTION_KEYS = new Set([
  'project_id',
  'secret',
  'environment',
  'base_url',
  'custom_base_url',
  'timeout_ms',
  'connect_timeout_ms',
  'max_retries',
  'retry_rate_limited',
  'allowed_country_codes',
  'user_agent_suffix',
  'ca_file',
]);
const REQUEST_KEYS = new Set([
  'phone_number',
  'expiration_minutes',
  'attributes',
  'locale',
  'user_id',
  'session_token',
  'session_jwt',
]);
const ATTRIBUTE_KEYS = new Set(['ip_address', 'user_agent']);
const SEND_OPTION_KEYS = new Set(['signal']);

/** Names people bring from other clients, and what this one calls them. */
const RENAMED = {
  timeout: 'timeout_ms (milliseconds)',
  connect_timeout: 'connect_timeout_ms (milliseconds)',
  env: 'environment',
};

/** The `[object Tag]` tag of an object (`Date`, `Map`, `AbortSignal`, …), or undefined
 * when even that throws (a revoked Proxy, a throwing Symbol.toStringTag getter). */
function tagOf(value) {
  try {
    return Object.prototype.toString.call(value).slice(8, -1);
  } catch {
    return undefined;
  }
}

/** `typeof`, with null, arrays, NaN and kinds of objects told apart, for messages (never
 * the value itself). */
function typeName(value) {
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value !== 'object') return typeof value;
  let array = false;
  try {
    array = Array.isArray(value);
  } catch {
    return 'revoked Proxy';
  }
  if (array) return 'array';
  const tag = tagOf(value);
  return tag === undefined || tag === 'Object' ? 'object' : `${tag} object`;
}

function wrongType(field, expected, value) {
  return new TypeError(`${field} must be ${expected}, got ${typeName(value)}`);
}

function given(value) {
  return value !== undefined && value !== null;
}

/**
 * An object of the kind options and requests come in: `{…}`, a null-prototype object, a
 * class instance, or a Proxy of one. Not an array, and not a Date, Map, RegExp, Error,
 * AbortSignal, boxed string, typed array or Promise: those have no own enumerable keys, so
 * they would pass as "nothing given" and hide the mistake (`send(request, signal)` instead
 * of `send(request, { signal })` silently ignored the signal).
 */
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.prototype.toString.call(value) === '[object Object]';
}

function checkKeys(object, allowed, what) {
  for (const key of Object.keys(object)) {
    if (allowed.has(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    let hint = '';
    if (Object.hasOwn(RENAMED, key) && allowed.has(RENAMED[key].split(' ')[0])) {
      hint = `; did you mean ${RENAMED[key]}?`;
    } else if (snake !== key && allowed.has(snake)) {
      hint = `; did you mean ${snake}? (names are snake_case)`;
    }
    throw new TypeError(
      `${what} has an unknown key ${JSON.stringify(key)} (expected ${[...allowed].join(', ')})${hint}`,
    );
  }
}

function wellFormed(text) {
  return typeof text.isWellFormed === 'function' ? text.isWellFormed() : !/\p{Cs}/u.test(text);
}

/** A string argument; a string with unpaired surrogates cannot reach Rust intact. */
function string(value, field, kind) {
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  if (!wellFormed(value)) {
    throw fromPayload(
      native.argumentError(kind, field, 'is not valid Unicode (it contains unpaired surrogates)'),
    );
  }
  return value;
}

function optionalString(value, field, kind) {
  return given(value) ? string(value, field, kind) : undefined;
}

/** A number or a bigint, as a JS number: whether it is whole and in range is the core's
 * call (a ValidationError), since a JS number is one type. */
function optionalNumberOrBigint(value, field) {
  if (!given(value)) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number') throw wrongType(field, 'an integer', value);
  return value;
}

/** An integer given as a number or a bigint (the core checks the range). */
function optionalInteger(value, field) {
  if (!given(value)) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw wrongType(field, 'an integer', value);
  }
  return value;
}

/** A number of milliseconds (the core rejects NaN, infinities, zero and negatives). */
function optionalNumber(value, field) {
  if (!given(value)) return undefined;
  if (typeof value !== 'number') throw wrongType(field, 'a number of milliseconds', value);
  return value;
}

function optionalBoolean(value, field) {
  if (!given(value)) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean', value);
  return value;
}

function optionalStringArray(value, field, kind) {
  if (!given(value)) return undefined;
  if (!Array.isArray(value)) throw wrongType(field, 'an array of strings', value);
  return value.map((item, i) => string(item, `${field}[${i}]`, kind));
}

/** A URL option: a string or a WHATWG `URL`. */
function optionalUrl(value, field) {
  if (value instanceof URL) return value.href;
  return optionalString(value, field, 'configuration');
}

/** A path option: a string or a `file:` URL. */
function optionalPath(value, field) {
  if (value instanceof URL) return fileURLToPath(value);
  return optionalString(value, field, 'configuration');
}

/**
 * `new Client(options)` / `Client.fromEnv(options)` options as `NativeOptions`.
 * @param {unknown} options
 * @param {boolean} fromEnv credentials come from STYTCH_* and may not be passed
 */
function clientOptions(options, fromEnv) {
  const what = fromEnv ? 'Client.fromEnv options' : 'Client options';
  if (!given(options)) {
    if (fromEnv) return {};
    throw wrongType('options', 'an object with project_id and secret', options);
  }
  if (!isPlainObject(options)) throw wrongType(what, 'an object', options);
  checkKeys(options, OPTION_KEYS, what);
  if (fromEnv) {
    for (const key of ['project_id', 'secret']) {
      if (given(options[key])) {
        throw new TypeError(
          `${key} cannot be passed to Client.fromEnv, which reads STYTCH_PROJECT_ID and ` +
            'STYTCH_SECRET; use new Client({ project_id, secret }) instead',
        );
      }
    }
  }
  const baseUrl = optionalUrl(options.base_url, 'base_url');
  const out = {
    projectId: optionalString(options.project_id, 'project_id', 'configuration'),
    secret: optionalString(options.secret, 'secret', 'configuration'),
    // "test" / "live", or (as the official SDKs allow) a URL, which the core reads as base_url.
    environment: optionalUrl(options.environment, 'environment'),
    // `custom_base_url` is the official SDK's name; `base_url` wins when both are given.
    baseUrl: baseUrl ?? optionalUrl(options.custom_base_url, 'custom_base_url'),
    timeoutMs: optionalNumber(options.timeout_ms, 'timeout_ms'),
    connectTimeoutMs: optionalNumber(options.connect_timeout_ms, 'connect_timeout_ms'),
    maxRetries: optionalInteger(options.max_retries, 'max_retries'),
    retryRateLimited: optionalBoolean(options.retry_rate_limited, 'retry_rate_limited'),
    allowedCountryCodes: optionalStringArray(
      options.allowed_country_codes,
      'allowed_country_codes',
      'configuration',
    ),
    userAgentSuffix: optionalString(options.user_agent_suffix, 'user_agent_suffix', 'configuration'),
    caFile: optionalPath(options.ca_file, 'ca_file'),
  };
  return dropUndefined(out);
}

/** Leaves absent options out of the object napi-rs converts (`NativeOptions`). */
function dropUndefined(object) {
  for (const key of Object.keys(object)) {
    if (object[key] === undefined) delete object[key];
  }
  return object;
}

function attributes(value) {
  if (!given(value)) return undefined;
  if (!isPlainObject(value)) throw wrongType('attributes', 'an object', value);
  checkKeys(value, ATTRIBUTE_KEYS, 'attributes');
  return {
    ipAddress: optionalString(value.ip_address, 'attributes.ip_address', 'validation'),
    userAgent: optionalString(value.user_agent, 'attributes.user_agent', 'validation'),
  };
}

/**
 * The request of `send(request)`, its fields checked and named as the native `send`'s
 * positional arguments (absent fields are `undefined`).
 */
function sendRequest(request) {
  if (!isPlainObject(request)) throw wrongType('request', 'an object with phone_number', request);
  checkKeys(request, REQUEST_KEYS, 'request');
  if (!given(request.phone_number)) {
    // Missing is a type problem in JS terms (like a missing argument in Python).
    throw new TypeError('phone_number is required, got ' + typeName(request.phone_number));
  }
  const attrs = attributes(request.attributes);
  return {
    phoneNumber: string(request.phone_number, 'phone_number', 'validation'),
    expirationMinutes: optionalNumberOrBigint(request.expiration_minutes, 'expiration_minutes'),
    // `attributes: {}` is sent as given, as the other languages do.
    withAttributes: attrs !== undefined,
    ipAddress: attrs?.ipAddress,
    userAgent: attrs?.userAgent,
    locale: optionalString(request.locale, 'locale', 'validation'),
    userId: optionalString(request.user_id, 'user_id', 'validation'),
    sessionToken: optionalString(request.session_token, 'session_token', 'validation'),
    sessionJwt: optionalString(request.session_jwt, 'session_jwt', 'validation'),
  };
}

/** The second argument of `send`: `{ signal }`. Returns the signal or undefined. */
function sendOptions(options) {
  if (!given(options)) return undefined;
  if (!isPlainObject(options)) {
    if (typeof options === 'object' && tagOf(options) === 'AbortSignal') {
      throw new TypeError('send options must be an object, got AbortSignal object; did you mean { signal }?');
    }
    throw wrongType('send options', 'an object', options);
  }
  checkKeys(options, SEND_OPTION_KEYS, 'send options');
  const { signal } = options;
  if (!given(signal)) return undefined;
  if (
    typeof signal !== 'object' ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function' ||
    typeof signal.removeEventListener !== 'function'
  ) {
    throw wrongType('signal', 'an AbortSignal', signal);
  }
  return signal;
}

module.exports = {
  clientOptions,
  sendRequest,
  sendOptions,
  string,
  optionalString,
  typeName,
  isPlainObject,
  OPTION_KEYS,
  REQUEST_KEYS,
};
