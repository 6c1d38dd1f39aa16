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
// The same API as Python's sms_otp.testing (names in camelCase, durations in milliseconds),
// implemented once in Rust (sms_otp_emulator::testing): this file only hands JS values over
// (lib/host.js, the conversion the client uses too) and turns failures into errors. A running emulator does not keep the process alive.

const util = require('node:util');
const native = require('./lib/native.js');
const { Client } = require('./lib/client.js');
const args = require('./lib/args.js');
const { hostText } = require('./lib/host.js');

/** An emulator call failed. `kind`: `live_credentials`, `invalid_config`, `bind` or `start`
 * (it did not start), `admin` (refused, with the admin API's `status` and `error_type`) or
 * `stopped`; `field` names the option or argument at fault, when one is. */
class EmulatorError extends Error {
  constructor(message, { kind = 'admin', field = null, status = null, error_type = null } = {}) {
    super(message);
    Object.assign(this, { kind, field, status, error_type });
  }
}
Object.defineProperty(EmulatorError.prototype, 'name', { value: 'EmulatorError', writable: true, configurable: true });

/** A native failure as the error to throw (`type`: a TypeError). */
function failure(f) {
  if (f.kind === 'type') return new TypeError(f.message);
  const { kind, field = null, status = null, errorType: error_type = null } = f;
  return new EmulatorError(f.message, { kind, field, status, error_type });
}

/** The key of the method every testing method goes through. */
const CALL = Symbol('call');

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
   * Starts an emulator (on a free loopback port by default); listening when this resolves.
   * Options: host, port, project_id, secret, seed, allowed_country_codes (default ["1"]),
   * rate_limit (default 5 per number per window), rate_window_ms (default one hour).
   */
  static async start(options = undefined) {
    const result = await native.startEmulator(hostText(options));
    if (!(result instanceof native.NativeEmulator)) throw failure(result);
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
    if (options != null && !args.isPlainObject(options)) {
      throw new TypeError(`Emulator.client options must be an object, got ${args.typeName(options)}`);
    }
    return new Client({ project_id: this.project_id, secret: this.secret, base_url: this.url, ...options });
  }

  /** One of the core's testing methods (`sms_otp_emulator::testing::METHODS`). */
  async [CALL](method, value) {
    const name = method.replace(/_(.)/g, (_, c) => c.toUpperCase());
    const result = await this.#native.call(method, hostText(value), `${name} options`);
    if (typeof result !== 'string') throw failure(result);
    return JSON.parse(result);
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

// The testing methods, one per entry of the core's list, in camelCase (testing.d.ts declares
// each with its options and result): `messages(filter)`, `nextMessage(filter)`,
// `clearMessages()`, `createUser(options)`, `createSession(options)`, `injectFault(spec)`,
// `faults()`, `clearFaults()`, `advanceClock(ms)`, `reset()`, `stop()` (safe to call twice).
const NO_RESULT = new Set(['advance_clock', 'reset', 'stop']);
for (const method of native.NativeEmulator.methods()) {
  const name = method.replace(/_(.)/g, (_, c) => c.toUpperCase());
  async function call(value = undefined) {
    const result = await this[CALL](method, method === 'advance_clock' ? { ms: value } : value);
    return NO_RESULT.has(method) ? undefined : result;
  }
  Object.defineProperty(call, 'name', { value: name });
  Object.defineProperty(Emulator.prototype, name, { value: call, writable: true, configurable: true });
}

if (Symbol.asyncDispose === undefined) {
  delete Emulator.prototype[Symbol.asyncDispose];
}

module.exports = { Emulator, EmulatorError };
