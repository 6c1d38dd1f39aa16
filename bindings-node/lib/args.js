'use strict';
// The few argument checks that stay in JS: the `{ signal }` of a call (a JS object, not a
// field of the request), the text arguments of normalizePhoneNumber, and helpers the
// testing module uses. Options and requests go to the Rust core whole, which reads them
// against its field tables (core/src/host).

const native = require('./native.js');
const { fromPayload } = require('./errors.js');

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
 * the value itself). The core names types the same way. */
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

/** An object of the kind options come in: `{…}`, a null-prototype object, a class
 * instance, a Proxy of one; not an array, Date, Map, AbortSignal, … */
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** A string argument; a string with unpaired surrogates cannot reach Rust intact. */
function string(value, field, kind) {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string, got ${typeName(value)}`);
  if (!value.isWellFormed()) {
    throw fromPayload(native.argumentError(kind, field, 'is not valid Unicode (it contains unpaired surrogates)'));
  }
  return value;
}

/** The second argument of a call (`send`, …): `{ signal }`. Returns the signal or undefined. */
function callOptions(options, method) {
  if (options === undefined || options === null) return undefined;
  if (!isPlainObject(options)) {
    const hint = typeof options === 'object' && tagOf(options) === 'AbortSignal' ? '; did you mean { signal }?' : '';
    throw new TypeError(`${method} options must be an object, got ${typeName(options)}${hint}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal') throw new TypeError(`${method} options has an unknown key ${JSON.stringify(key)} (expected signal)`);
  }
  const { signal } = options;
  if (signal === undefined || signal === null) return undefined;
  if (
    typeof signal !== 'object' ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function' ||
    typeof signal.removeEventListener !== 'function'
  ) {
    throw new TypeError(`signal must be an AbortSignal, got ${typeName(signal)}`);
  }
  return signal;
}

module.exports = { callOptions, string, typeName, isPlainObject };
