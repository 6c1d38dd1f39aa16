'use strict';
// JS values to the text form of the core's host values (`sms_otp::host::Value`, read by
// src/value.rs): one generic conversion that knows no option or field. The core checks the
// types against its tables and reads the values. JSON carries null, booleans, finite
// numbers and well-formed strings as they are; everything else is a tagged array:
// ["L", …items] an array, ["M", key, value, …] a plain object, ["B", "digits"] a bigint,
// ["N", "NaN"] a number JSON cannot hold, ["S"] text with unpaired surrogates,
// ["U", href] a URL, ["O", "Date object"] anything else, by its type's name. One string
// crosses N-API per call, far cheaper than reading an object property by property.

/** Containers are converted down to this depth (the core's `MAX_DEPTH`). */
const MAX_DEPTH = require('./errors.js').TABLES.max_depth;
/** Text JSON holds between two quotes as it is (JSON.stringify costs far more). */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function text(value) {
  if (PLAIN.test(value)) return `"${value}"`;
  return value.isWellFormed() ? JSON.stringify(value) : '["S"]';
}

/** Keys as JSON, remembered (requests and options use the same few keys again and again). */
const KEYS = new Map();

function key(name) {
  let out = KEYS.get(name);
  if (out === undefined) {
    out = text(name.toWellFormed());
    if (KEYS.size < 256) KEYS.set(name, out);
  }
  return out;
}

function encode(value, depth) {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `["N","${value}"]`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `["B","${value}"]`;
    case 'object':
      return value === null ? 'null' : object(value, depth);
    default:
      return `["O","${typeof value}"]`; // undefined (in an array), symbol, function
  }
}

function object(value, depth) {
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return '["O","array"]';
    return `["L"${value.map((item) => `,${encode(item, depth + 1)}`).join('')}]`;
  }
  // Plain objects (null-prototype, class instances and Proxies of them too) by their tag.
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag === 'URL') return `["U",${text(value.href)}]`;
  if (tag !== 'Object') return `["O",${JSON.stringify(`${tag} object`)}]`;
  if (depth >= MAX_DEPTH) return '["O","object"]';
  let out = '["M"';
  for (const name of Object.keys(value)) {
    const item = value[name];
    // `undefined` means "not given": left out.
    if (item !== undefined) out += `,${key(name)},${encode(item, depth + 1)}`;
  }
  return `${out}]`;
}

/** An argument object as host-value text; `undefined` stays absent. */
function hostText(value) {
  return value === undefined ? undefined : encode(value, 0);
}

module.exports = { hostText };
