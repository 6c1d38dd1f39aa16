'use strict';
// `Client`, `client.otps.sms.send / loginOrCreate`, `client.otps.authenticate` and
// `normalizePhoneNumber`: one native call with the options or request object whole, as
// host-value text (host.js; the Rust core reads it, a wrong type is thrown there as a
// TypeError), and the result or error turned into plain JS values and the classes of
// errors.js. The native handle lives in private fields, so neither `util.inspect` nor
// `JSON.stringify` can reach anything of it, and the secret never leaves Rust.

const util = require('node:util');
const native = require('./native.js');
const { fromPayload, TABLES } = require('./errors.js');
const args = require('./args.js');
const { hostText } = require('./host.js');

/** Passed by `Client.fromEnv` to the constructor; not exported. */
const FROM_ENV = Symbol('sms-otp fromEnv');

function isErrorPayload(value) {
  return typeof value === 'object' && value !== null && typeof value.details === 'string';
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

const SECRETS = new Set(TABLES.secret_fields);

/** `util.inspect` of a login call's response: the session token and JWT hidden. */
function inspectRedacted(depth, inspectOptions, inspect = util.inspect) {
  const shown = {};
  for (const [key, value] of Object.entries(this)) shown[key] = SECRETS.has(key) && value ? '[redacted]' : value;
  return inspect(shown, inspectOptions);
}

/** A login call's body (JSON text) as a plain object with the wire names, as the official
 * SDK returns it; `console.log` and `util.inspect` show it without its secrets. */
function body(text) {
  const raw = JSON.parse(text);
  Object.defineProperty(raw, util.inspect.custom, { value: inspectRedacted });
  return raw;
}

/** A successful send's body (JSON text) as the response object. */
function response(body) {
  // The core validated these four fields from this very body before returning it.
  const raw = JSON.parse(body);
  const { request_id, user_id, phone_id, status_code } = raw;
  return { request_id, user_id, phone_id, status_code, raw };
}

/**
 * The promises of one client's sends in flight, by id, and the callback through which the
 * native side settles them: one call per batch of finished sends, `[id, outcome, …]`.
 * The callback holds only this table (never the client), so an unused client can still be
 * garbage-collected while its last sends finish.
 */
class InFlight {
  #pending = new Map();
  #nextId = 0;

  /** A fresh id for a send (u32, skipping any still in use after wrapping). */
  nextId() {
    do {
      this.#nextId = (this.#nextId + 1) >>> 0;
    } while (this.#pending.has(this.#nextId));
    return this.#nextId;
  }

  /** `shape` makes the result from the body's JSON text. */
  add(id, shape, resolve, reject) {
    this.#pending.set(id, { shape, resolve, reject });
  }

  /** Forgets a send (aborted): its late outcome is then ignored. */
  drop(id) {
    this.#pending.delete(id);
  }

  /** Settles a batch. Never throws: it runs straight from the native event. */
  settle(batch) {
    for (let i = 0; i < batch.length; i += 2) {
      const id = batch[i];
      const entry = this.#pending.get(id);
      if (entry === undefined) continue; // aborted: already rejected
      this.#pending.delete(id);
      const outcome = batch[i + 1];
      try {
        if (typeof outcome === 'string') entry.resolve(entry.shape(outcome));
        else entry.reject(fromPayload(outcome));
      } catch (e) {
        entry.reject(e);
      }
    }
  }
}

/**
 * Starts the call `name` of `request` and returns its promise. Arguments are checked before
 * any request; an aborted `signal` (`options.signal`) drops the request at once and rejects
 * with the signal's reason.
 */
function start(nativeClient, inFlight, name, method, request, options, shape) {
  const id = inFlight.nextId();
  let signal, token, refused;
  try {
    signal = args.callOptions(options, method);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    token = signal === undefined ? null : new native.CancelToken();
    refused = nativeClient.call(id, name, hostText(request), token);
  } catch (e) {
    return Promise.reject(e);
  }
  if (refused != null) return Promise.reject(fromPayload(refused));
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      inFlight.add(id, shape, resolve, reject);
      return;
    }
    const unwatch = watchAbort(signal, () => {
      inFlight.drop(id);
      token.cancel();
      reject(abortReason(signal));
    });
    const settled = (settle) => (value) => {
      unwatch();
      settle(value);
    };
    inFlight.add(id, shape, settled(resolve), settled(reject));
  });
}

class Sms {
  #native;
  #inFlight;

  constructor(nativeClient, inFlight) {
    this.#native = nativeClient;
    this.#inFlight = inFlight;
  }

  /** Sends a one-time passcode. */
  send(request, options = undefined) {
    return start(this.#native, this.#inFlight, 'send', 'send', request, options, response);
  }

  /** Sends a one-time passcode, creating the user first when no user has the number. */
  loginOrCreate(request, options = undefined) {
    return start(this.#native, this.#inFlight, 'login_or_create', 'loginOrCreate', request, options, body);
  }

  [util.inspect.custom]() {
    return 'Sms {}';
  }
}

class Otps {
  #native;
  #inFlight;

  constructor(nativeClient, inFlight) {
    this.#native = nativeClient;
    this.#inFlight = inFlight;
    /** SMS one-time passcodes. */
    this.sms = new Sms(nativeClient, inFlight);
    Object.freeze(this);
  }

  /** Checks a passcode; a refused one rejects with `InvalidCodeError`. */
  authenticate(request, options = undefined) {
    return start(this.#native, this.#inFlight, 'authenticate', 'authenticate', request, options, body);
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
   * @param {object} options `project_id`, `secret` and the optional settings of docs/client.md
   */
  constructor(options, fromEnv = undefined) {
    const useEnv = fromEnv === FROM_ENV;
    const inFlight = new InFlight();
    const made = native.createClient(hostText(options), useEnv, (batch) => inFlight.settle(batch));
    if (isErrorPayload(made)) throw fromPayload(made);
    this.#native = made;
    /** `client.otps.sms.send(...)`, as in the official SDK. */
    this.otps = new Otps(made, inFlight);
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
  const region = default_region == null ? null : args.string(default_region, 'default_region', 'validation');
  const result = native.normalizePhoneNumber(phone, region);
  if (isErrorPayload(result)) throw fromPayload(result);
  return result;
}

module.exports = { Client, Otps, Sms, normalizePhoneNumber };
