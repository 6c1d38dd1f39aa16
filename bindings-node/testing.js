'use strict';
// sms-otp/testing: an in-process emulator of Stytch's POST /v1/otps/sms/send for offline
// tests (the Rust crate sms-otp-emulator, running on the native module's runtime).
//
//   const { Emulator } = require('sms-otp/testing');
//   const emu = await Emulator.start();
//   await emu.client().otps.sms.send({ phone_number: '+12025550162' });
//   const [message] = await emu.messages({ phone_number: '+12025550162' });
//   await emu.stop();
//
// A running emulator does not keep the process alive on its own.

const http = require('node:http');
const util = require('node:util');
const native = require('./lib/native.js');
const { Client } = require('./lib/client.js');
const args = require('./lib/args.js');

/** An emulator call failed. `kind` says how (`invalid_config`, `live_credentials`, `bind`,
 * `admin`, `stopped`, `invalid_argument`); admin failures carry `status` and `error_type`. */
class EmulatorError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.kind = details.kind ?? 'admin';
    this.field = details.field ?? null;
    this.status = details.status ?? null;
    this.error_type = details.error_type ?? null;
  }
}
Object.defineProperty(EmulatorError.prototype, 'name', {
  value: 'EmulatorError',
  writable: true,
  configurable: true,
  enumerable: false,
});

function failure(f) {
  const error = new EmulatorError(f.message, {
    kind: f.kind,
    field: f.field,
    status: f.status,
    error_type: f.errorType,
  });
  Error.captureStackTrace(error, failure);
  return error;
}

function isFailure(value) {
  return typeof value === 'object' && value !== null && typeof value.kind === 'string' && 'message' in value;
}

/** The value of a native admin call, or throws its failure. */
function unwrap(result) {
  if (isFailure(result)) throw failure(result);
  return result;
}

const START_KEYS = new Set([
  'host',
  'port',
  'project_id',
  'secret',
  'seed',
  'allowed_country_codes',
  'rate_limit',
  'rate_window_ms',
]);

function checkObject(value, what, allowed) {
  if (value === undefined || value === null) return {};
  if (!args.isPlainObject(value)) {
    throw new TypeError(`${what} must be an object, got ${args.typeName(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw new TypeError(`${what} has an unknown key ${JSON.stringify(key)} (expected ${[...allowed].join(', ')})`);
    }
  }
  return value;
}

function optionalInteger(value, field) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${field} must be an integer, got ${args.typeName(value)}`);
  }
  return value;
}

function startOptions(options) {
  const o = checkObject(options, 'Emulator.start options', START_KEYS);
  let seed;
  if (o.seed !== undefined && o.seed !== null) {
    if (typeof o.seed === 'bigint') seed = o.seed.toString();
    else if (typeof o.seed === 'number' && Number.isSafeInteger(o.seed)) seed = String(o.seed);
    else throw new TypeError(`seed must be a safe integer or a bigint, got ${args.typeName(o.seed)}`);
  }
  if (o.rate_window_ms !== undefined && o.rate_window_ms !== null && typeof o.rate_window_ms !== 'number') {
    throw new TypeError(`rate_window_ms must be a number of milliseconds, got ${args.typeName(o.rate_window_ms)}`);
  }
  if (o.allowed_country_codes != null && !Array.isArray(o.allowed_country_codes)) {
    throw new TypeError(`allowed_country_codes must be an array of strings, got ${args.typeName(o.allowed_country_codes)}`);
  }
  const out = {
    host: args.optionalString(o.host, 'host', 'configuration'),
    port: optionalInteger(o.port, 'port'),
    projectId: args.optionalString(o.project_id, 'project_id', 'configuration'),
    secret: args.optionalString(o.secret, 'secret', 'configuration'),
    seed,
    allowedCountryCodes: o.allowed_country_codes?.map((c, i) =>
      args.string(c, `allowed_country_codes[${i}]`, 'configuration'),
    ),
    rateLimit: optionalInteger(o.rate_limit, 'rate_limit'),
    rateWindowMs: o.rate_window_ms ?? undefined,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

function phoneFilter(filter, what) {
  const f = checkObject(filter, what, new Set(['phone_number']));
  return args.optionalString(f.phone_number, 'phone_number', 'validation') ?? null;
}

class Emulator {
  #native;

  /** Use `await Emulator.start(options)`. */
  constructor(nativeEmulator) {
    if (!(nativeEmulator instanceof native.NativeEmulator)) {
      throw new TypeError('use `await Emulator.start(options)` to start an emulator');
    }
    this.#native = nativeEmulator;
  }

  /**
   * Starts an emulator on a free loopback port (by default), listening when this resolves.
   * Options: host, port, project_id, secret, seed, allowed_country_codes (default ["1"]),
   * rate_limit (default 5 per number per window), rate_window_ms (default one hour).
   */
  static async start(options = undefined) {
    const result = await native.startEmulator(startOptions(options));
    if (isFailure(result)) throw failure(result);
    return new Emulator(result);
  }

  /** `http://127.0.0.1:PORT`: the base URL to give clients. */
  get url() {
    return this.#native.url;
  }

  /** The project id it accepts. */
  get project_id() {
    return this.#native.projectId;
  }

  /** The (test) secret it accepts. */
  get secret() {
    return this.#native.secret;
  }

  /** A `Client` bound to this emulator; options as for `new Client` (credentials and base_url preset). */
  client(options = undefined) {
    const extra = checkObject(options, 'Emulator.client options', args.OPTION_KEYS);
    return new Client({ project_id: this.project_id, secret: this.secret, base_url: this.url, ...extra });
  }

  /** Sent messages, oldest first (`code`, `text`, `status`, …), optionally for one number. */
  async messages(filter = undefined) {
    return JSON.parse(unwrap(this.#native.messages(phoneFilter(filter, 'messages filter'))));
  }

  /**
   * Waits (long-poll, no sleeping) for the first message sent after this call, optionally to
   * one number; resolves to null when none came within `timeout_ms` (default 10000).
   */
  async nextMessage(filter = undefined) {
    const f = checkObject(filter, 'nextMessage filter', new Set(['phone_number', 'timeout_ms']));
    const phone = args.optionalString(f.phone_number, 'phone_number', 'validation');
    const timeout = optionalInteger(f.timeout_ms, 'timeout_ms');
    const query = new URLSearchParams();
    if (phone !== undefined) query.set('phone_number', phone);
    if (timeout !== undefined) query.set('timeout_ms', String(timeout));
    const { status, body } = await get(`${this.url}/_emulator/v1/messages/next?${query}`);
    if (status === 200) return body;
    if (status === 408) return null;
    throw new EmulatorError(`emulator admin GET messages/next answered ${status}: ${body?.error_message ?? ''}`, {
      kind: 'admin',
      status,
      error_type: body?.error_type,
    });
  }

  /** Empties the inbox; resolves to how many messages it held. */
  async clearMessages() {
    return unwrap(this.#native.clearMessages());
  }

  /** A new user `{user_id, phone_number, phone_id}`, optionally owning `phone_number`. */
  async createUser(options = undefined) {
    return JSON.parse(unwrap(this.#native.createUser(phoneFilter(options, 'createUser options'))));
  }

  /** A new session `{session_id, user_id, session_token, session_jwt}` for a user. */
  async createSession(options) {
    const o = checkObject(options, 'createSession options', new Set(['user_id']));
    return JSON.parse(unwrap(this.#native.createSession(args.string(o.user_id, 'user_id', 'validation'))));
  }

  /**
   * Makes the next `times` matching sends fail: `{kind, status, error_type, retry_after,
   * delay_ms, times, phone_number}` (kinds: error, reset_before_processing,
   * process_then_reset, malformed_body, stall). Resolves to the fault with its `fault_id`.
   */
  async injectFault(spec = undefined) {
    const s = spec === undefined || spec === null ? {} : spec;
    if (!args.isPlainObject(s)) {
      throw new TypeError(`fault must be an object, got ${args.typeName(s)}`);
    }
    return JSON.parse(unwrap(this.#native.injectFault(JSON.stringify(s))));
  }

  /** Every armed fault. */
  async faults() {
    return JSON.parse(unwrap(this.#native.faults()));
  }

  /** Forgets every fault, armed or spent; resolves to how many there were. */
  async clearFaults() {
    return unwrap(this.#native.clearFaults());
  }

  /** Moves the emulator's clock forward: code expiry and rate-limit windows follow it. */
  async advanceClock(seconds) {
    if (typeof seconds !== 'number') throw new TypeError(`seconds must be a number, got ${args.typeName(seconds)}`);
    unwrap(this.#native.advanceClock(seconds));
  }

  /** Forgets everything: users, messages, faults, rate limits, clock. */
  async reset() {
    unwrap(this.#native.reset());
  }

  /** Stops listening and waits until every connection is closed. Safe to call twice. */
  async stop() {
    await this.#native.stop();
  }

  async [Symbol.asyncDispose]() {
    await this.stop();
  }

  toJSON() {
    return { url: this.url, project_id: this.project_id };
  }

  [util.inspect.custom](depth, inspectOptions, inspect = util.inspect) {
    return `Emulator ${inspect(this.toJSON(), inspectOptions)}`;
  }
}

if (Symbol.asyncDispose === undefined) {
  delete Emulator.prototype[Symbol.asyncDispose];
}

/** GET a loopback JSON URL with node:http (no agent: nothing lingers). */
function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = { error_message: text };
        }
        resolve({ status: res.statusCode, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

module.exports = { Emulator, EmulatorError };
