'use strict';
// The Node suite's handle on the hostile server: the workspace's `sms-otp-hostile` program
// (tests/hostile-server, the one hostile server of the Rust, Python and Node suites). It is
// started once per test process and driven over its JSON control endpoint; each
// HostileServer is a server of its own on its own port that answers each request with a
// scripted behaviour (status and body, stall, slow drip, reset, close, huge body, raw bytes,
// redirect, HTML gateway page, an echo of the credentials, …) and records it exactly as it
// arrived (header order and case). `HostileServer.startProxy` is its refusing proxy.
//
// The program is found at $SMS_OTP_HOSTILE, else under $CARGO_TARGET_DIR or target/
// (debug): `cargo test --workspace` (tests/run-all) or `cargo build -p sms-otp-hostile`.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');

/** The successful body the Node tests compare against (wire.test.js). */
const OK_BODY = (n) => ({
  request_id: `request-id-test-${String(n).padStart(8, '0')}-0000-0000-0000-000000000000`,
  user_id: 'user-test-11111111-1111-1111-1111-111111111111',
  phone_id: 'phone-number-test-22222222-2222-2222-2222-222222222222',
  status_code: 200,
});

/** A Stytch error body, as the API documents it (and as the hostile server writes it). */
function stytchError(status, errorType, message = `the ${errorType} message`) {
  return {
    status_code: status,
    request_id: 'request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141',
    error_type: errorType,
    error_message: message,
    error_url: `https://stytch.com/docs/api/errors/${status}`,
  };
}

/** Where the sms-otp-hostile program is. */
function binary() {
  if (process.env.SMS_OTP_HOSTILE) return process.env.SMS_OTP_HOSTILE;
  const target = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
  for (const profile of ['debug', 'release']) {
    const candidate = path.join(target, profile, 'sms-otp-hostile');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    `no sms-otp-hostile under ${target}: run \`cargo build -p sms-otp-hostile\` ` +
      '(tests/run-all builds it with `cargo test --workspace`)',
  );
}

let started;

/** The control port of this process's sms-otp-hostile (started on first use). */
function controlPort() {
  started ??= new Promise((resolve, reject) => {
    // Its standard input is a pipe it watches: when this process ends, however it ends,
    // the pipe closes and the program exits.
    const child = spawn(binary(), ['--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(out);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        // From now on neither the program nor its pipes keep this process alive.
        child.unref();
        for (const stream of [child.stdin, child.stdout]) stream._handle?.unref?.();
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`sms-otp-hostile exited (${code}) before it listened: ${out}`)));
    process.on('exit', () => child.kill());
  });
  return started;
}

/** One call to the control endpoint: resolves with its JSON answer. */
async function call(method, route, body = {}) {
  const port = await controlPort();
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: route,
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data;
          try {
            data = JSON.parse(text || '{}');
          } catch (e) {
            reject(new Error(`sms-otp-hostile ${method} ${route}: ${text}`));
            return;
          }
          if (res.statusCode === 200) resolve(data);
          else reject(new Error(`sms-otp-hostile ${method} ${route}: ${res.statusCode} ${text}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Bytes as the hostile server takes them: a string (UTF-8), or a Buffer (hex). */
function bytes(value) {
  if (Buffer.isBuffer(value)) return [{ hex: value.toString('hex') }];
  return value;
}

/** Behaviours of the hostile server, as JSON (tests/hostile-server/src/lib.rs lists them). */
const answers = {
  /** A successful send whose request_id carries the request's number (every answer is its
   * own); `extra` fields are added to the body. */
  ok: (extra = undefined) => ({ kind: 'ok', numbered: true, ...(extra ? { extra } : {}) }),
  /** This status, headers and body (a string, a Buffer, or the server's bytes spec). */
  respond: (status, headers = {}, body = '') => ({
    kind: 'respond',
    status,
    headers: Object.entries(headers),
    body: bytes(body),
  }),
  json: (status, value, headers = {}) =>
    answers.respond(status, { 'Content-Type': 'application/json', ...headers }, { json: value }),
  error: (status, errorType, headers = {}, message = undefined) => ({
    kind: 'stytch_error',
    status,
    error_type: errorType,
    headers: Object.entries(headers),
    ...(message === undefined ? {} : { message }),
  }),
  html: (status = 502) =>
    answers.respond(
      status,
      { 'Content-Type': 'text/html' },
      '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
    ),
  text: (status, body, headers = {}) => answers.respond(status, { 'Content-Type': 'text/plain', ...headers }, body),
  redirect: (location) => answers.respond(302, { Location: location }, ''),
  /** A 200 whose JSON body is `bytes` long and over the client's size cap. */
  huge: (size = 2 * 1024 * 1024) => ({
    kind: 'respond',
    status: 200,
    headers: [['Content-Type', 'application/json']],
    body: [{ text: '{"pad":"' }, { text: 'x', repeat: size }, { text: '"}' }],
  }),
  stall: () => ({ kind: 'stall' }),
  reset: () => ({ kind: 'reset' }),
  close: () => ({ kind: 'close' }),
  /** Headers announcing `total` bytes, then one byte every `everyMs` (a slow drip). */
  drip: (everyMs, total) => ({ kind: 'drip', every_ms: everyMs, total }),
  /** A chunked 200 streaming `total` bytes in 64 KiB chunks. */
  chunked: (total) => ({ kind: 'huge_chunked', total }),
  /** These bytes as the whole answer, then a clean close (not HTTP, truncated, …). */
  raw: (value) => ({ kind: 'raw', bytes: bytes(value) }),
  /** A keep-alive `ok`, then FIN while still reading: later requests on the connection are
   * recorded and never answered. */
  okThenHalfClose: () => ({ kind: 'ok_then_half_close' }),
  /** A keep-alive `ok`, then the connection is closed (data arriving later is reset). */
  okThenClose: () => ({ kind: 'ok_then_close' }),
  /** A 400 whose message repeats the Authorization header and the body it received. */
  echoAuth: () => ({ kind: 'echo_auth' }),
  /** This status, headers and body, with {authorization} and {body} in the body replaced
   * by what the request carried. */
  echo: (status, headers, template) => ({ kind: 'echo', status, headers: Object.entries(headers), body: template }),
  /** The first route whose `path` / `body_contains` match the request answers it. */
  route: (routes, otherwise = answers.ok()) => ({ kind: 'route', routes, otherwise }),
};

/** One request as it arrived. */
class Request {
  constructor(recorded) {
    this.method = recorded.method;
    this.target = recorded.path;
    this.version = recorded.version;
    /** [name, value] pairs in wire order, names as sent. */
    this.headers = recorded.headers;
    this.body = recorded.body;
    this.rawBody = Buffer.from(recorded.body, 'utf8');
  }

  /** The value of a header (case-insensitive), or undefined. */
  header(name) {
    const found = this.headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
    return found?.[1];
  }

  json() {
    return JSON.parse(this.body);
  }
}

class HostileServer {
  /** A server answering with `script` (request n gets script[n], the last repeats). */
  static async start(script = [answers.ok()]) {
    return HostileServer.#make('/servers', { script: [script].flat(), refuse: false });
  }

  /**
   * Like `start`, but the port refuses connections (bound, not listening: the kernel
   * answers RST) until `openAfter(ms)` has run its course, so a client's first attempts
   * fail in the connect phase.
   */
  static async startRefusing(script = [answers.ok()]) {
    return HostileServer.#make('/servers', { script: [script].flat(), refuse: true });
  }

  /** A server answering with a shared case's `server.hostile` steps, which it reads itself. */
  static async startCase(steps) {
    return HostileServer.#make('/servers', { case_steps: steps });
  }

  /** The refusing proxy: refuses until `openAfter(ms)`, then forwards to `upstreamPort`. */
  static async startProxy(upstreamPort) {
    return HostileServer.#make('/proxies', { upstream_port: upstreamPort });
  }

  static async #make(route, body) {
    const made = await call('POST', route, body);
    const server = new HostileServer();
    server.id = made.id;
    server.port = made.port;
    server.url = made.url;
    /** GET this for the server's state (requests, connections, …) from another process. */
    server.stateUrl = `http://127.0.0.1:${await controlPort()}/servers/${made.id}`;
    return server;
  }

  /** Starts listening `ms` from now: resolves once the timer is armed; `opened` resolves
   * once it listens. Called right before the send, so the time it takes to build a client
   * does not eat into the refused period. */
  async openAfter(ms) {
    await call('POST', `/servers/${this.id}/open`, { after_ms: ms });
    this.opened = this.waitFor({ opened: true }, ms + 10_000);
    this.opened.catch(() => {});
  }

  /** How the next requests are answered: a behaviour, or a script of them. */
  async respond(script) {
    await call('PUT', `/servers/${this.id}/script`, { script: [script].flat() });
    return this;
  }

  /** { requests, connections, closed, closed_by_client, opened } as the server has them. */
  async state() {
    const state = await call('GET', `/servers/${this.id}`);
    return { ...state, requests: state.requests.map((r) => new Request(r)) };
  }

  /** Every request received, in order. */
  async requests() {
    return (await this.state()).requests;
  }

  /** How many TCP connections were accepted. */
  async connections() {
    return (await this.state()).connections;
  }

  /** Resolves once at least these counts (requests, connections, closed,
   * closed_by_client) are reached, or `opened`; rejects after `timeoutMs`. */
  async waitFor(want, timeoutMs = 10_000) {
    const { met, state } = await call('POST', `/servers/${this.id}/wait`, { ...want, timeout_ms: timeoutMs });
    if (!met) throw new Error(`hostile server: ${JSON.stringify(want)} not reached in ${timeoutMs} ms: ${JSON.stringify({ ...state, requests: state.requests.length })}`);
    return state;
  }

  /** Resolves once `count` connections in all have closed (from either side). */
  whenClosed(count) {
    return this.waitFor({ closed: count });
  }

  /** Forgets the requests and counts so far. */
  async reset() {
    await call('POST', `/servers/${this.id}/clear`);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await call('DELETE', `/servers/${this.id}`);
  }
}

/**
 * A loopback port with nothing listening on it (connections are refused): bound by the
 * hostile server and never opened, so no other server can be given it meanwhile.
 */
async function refusedPort() {
  const server = await HostileServer.startRefusing();
  refused.push(server);
  return server.port;
}
/** Kept (bound) until the process ends. */
const refused = [];

module.exports = { HostileServer, answers, stytchError, refusedPort, OK_BODY, binary };
