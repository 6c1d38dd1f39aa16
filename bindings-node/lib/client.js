'use strict';
// `Client`, `client.otps.sms.send(...)` and `normalizePhoneNumber`: argument conversion
// (args.js), one native call, and the result or error turned into plain JS values and the
// classes of errors.js. The native handle lives in private fields, so neither
// `util.inspect` nor `JSON.stringify` can reach anything of it, and the secret never
// leaves Rust after construction.

const util = require('node:util');
const native = require('./native.js');
const { fromPayload } = require('./errors.js');
const args = require('./args.js');

const NODE_VERSION = process.versions.node;
/** Passed by `Client.fromEnv` to the constructor; not exported. */
const FROM_ENV = Symbol('sms-otp fromEnv');

function isErrorPayload(value) {
  return typeof value === 'object' && value !== null && typeof value.className === 'string';
}

// One 'abort' listener per signal however many sends share it (no MaxListeners warning
// with thousands of concurrent sends on one signal).
const abortWatchers = new WeakMap();

/** Calls `onAbort` when `signal` aborts; returns the function that stops watching. */
function watchAbort(signal, onAbort) {
  let callbacks = abortWatchers.get(signal);
  if (callbacks === undefined) {
    callbacks = new Set();
    abortWatchers.set(signal, callbacks);
    const fire = () => {
      const pending = [...callbacks];
      callbacks.clear();
      for (const callback of pending) callback();
    };
    signal.addEventListener('abort', fire, { once: true });
  }
  callbacks.add(onAbort);
  return () => callbacks.delete(onAbort);
}

function abortReason(signal) {
  if (signal.reason !== undefined) return signal.reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

/** A native outcome as the response object, or throws the error of its payload. */
function settle(outcome) {
  if (typeof outcome !== 'string') throw fromPayload(outcome.error);
  // The core validated these four fields from this very body before returning it.
  const raw = JSON.parse(outcome);
  return {
    request_id: raw.request_id,
    user_id: raw.user_id,
    phone_id: raw.phone_id,
    status_code: raw.status_code,
    raw,
  };
}

class Sms {
  #native;

  constructor(nativeClient) {
    this.#native = nativeClient;
  }

  /**
   * Sends a one-time passcode. Arguments are checked before any request; an aborted
   * `signal` drops the request at once and rejects with the signal's reason.
   */
  async send(request, options = undefined) {
    const nativeRequest = args.sendRequest(request);
    const signal = args.sendOptions(options);
    if (signal === undefined) {
      return settle(await this.#native.send(nativeRequest, null));
    }
    if (signal.aborted) throw abortReason(signal);
    const token = new native.CancelToken();
    const pending = this.#native.send(nativeRequest, token);
    let unwatch;
    const aborted = new Promise((_, reject) => {
      unwatch = watchAbort(signal, () => {
        token.cancel();
        reject(abortReason(signal));
      });
    });
    try {
      return settle(await Promise.race([pending, aborted]));
    } finally {
      unwatch();
    }
  }

  [util.inspect.custom]() {
    return 'Sms {}';
  }
}

class Otps {
  constructor(nativeClient) {
    /** SMS one-time passcodes. */
    this.sms = new Sms(nativeClient);
    Object.freeze(this);
  }
}

/** The client options that are safe to show (no secret). */
function summary(nativeClient) {
  return {
    project_id: nativeClient.projectId,
    environment: nativeClient.environment,
    endpoint: nativeClient.endpoint,
  };
}

class Client {
  #native;

  /**
   * @param {object} options `project_id`, `secret` and the optional settings of API.md
   */
  constructor(options, fromEnv = undefined) {
    const useEnv = fromEnv === FROM_ENV;
    const made = native.createClient(args.clientOptions(options, useEnv), useEnv, NODE_VERSION);
    if (isErrorPayload(made)) throw fromPayload(made);
    this.#native = made;
    /** `client.otps.sms.send(...)`, as in the official SDK. */
    this.otps = new Otps(made);
  }

  /**
   * A client from `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and optional `STYTCH_BASE_URL`
   * (an explicit `base_url` wins); other options as in the constructor.
   */
  static fromEnv(options = undefined) {
    return new Client(options, FROM_ENV);
  }

  /** The project id the client authenticates as. */
  get project_id() {
    return this.#native.projectId;
  }

  /** `"test"` or `"live"`. */
  get environment() {
    return this.#native.environment;
  }

  /** The full URL sends go to. */
  get endpoint() {
    return this.#native.endpoint;
  }

  toJSON() {
    return summary(this.#native);
  }

  [util.inspect.custom](depth, inspectOptions, inspect = util.inspect) {
    return `Client ${inspect(summary(this.#native), inspectOptions)}`;
  }
}

/**
 * Turns what people type (`(202) 555-0162`, `+44 20 7946 0958`, `020 7946 0958` with region
 * `GB`) into E.164, or throws `ValidationError`. The region defaults to `US`.
 */
function normalizePhoneNumber(text, default_region = undefined) {
  const phone = args.string(text, 'phone_number', 'validation');
  const region = args.optionalString(default_region, 'default_region', 'validation');
  const result = native.normalizePhoneNumber(phone, region ?? null);
  if (isErrorPayload(result)) throw fromPayload(result);
  return result;
}

module.exports = { Client, Otps, Sms, normalizePhoneNumber };
