'use strict';
// A hostile HTTP/1.1 server on loopback, written on node:net so that tests see the request
// exactly as it was on the wire (raw bytes, header order and case) and can answer in ways a
// well-behaved server never would: stall, reset after reading the request, redirect, HTML
// gateway pages, bodies over the client's size cap, echoes of the credentials.

const net = require('node:net');

const OK_BODY = (n) => ({
  request_id: `request-id-test-${String(n).padStart(8, '0')}-0000-0000-0000-000000000000`,
  user_id: 'user-test-11111111-1111-1111-1111-111111111111',
  phone_id: 'phone-number-test-22222222-2222-2222-2222-222222222222',
  status_code: 200,
});

/** A Stytch error body, as the API documents it. */
function stytchError(status, errorType, message = `the ${errorType} message`) {
  return {
    status_code: status,
    request_id: `request-id-test-err-${status}`,
    error_type: errorType,
    error_message: message,
    error_url: `https://stytch.com/docs/api/errors/${status}`,
  };
}

const REASONS = {
  200: 'OK',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  418: "I'm a teapot",
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The bytes of a complete response, to be written in one write (no Nagle stalls). */
function responseBytes(status, headers, body) {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`];
  const all = { 'Content-Length': String(payload.length), ...headers };
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), payload]);
}

function json(status, object, headers = {}) {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(object) };
}

/** Ready-made answers. Each is a function (request, server) → action. */
const answers = {
  ok: (extra = {}) => (req, server) => json(200, { ...OK_BODY(server.requests.length), ...extra }),
  error: (status, errorType, headers = {}, message = undefined) => () =>
    json(status, stytchError(status, errorType, message), headers),
  html: (status = 502) => () => ({
    status,
    headers: { 'Content-Type': 'text/html' },
    body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
  }),
  text: (status, body, headers = {}) => () => ({ status, headers: { 'Content-Type': 'text/plain', ...headers }, body }),
  redirect: (location) => () => ({ status: 302, headers: { Location: location }, body: '' }),
  huge: (bytes = 2 * 1024 * 1024) => () => ({
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(bytes, 'x'), Buffer.from('"}')]),
  }),
  stall: () => () => ({ kind: 'stall' }),
  reset: () => () => ({ kind: 'reset' }),
  close: () => () => ({ kind: 'close' }),
  /** Headers announcing `total` bytes, then one byte every `everyMs` (a slow drip). */
  drip: (everyMs, total) => () => ({ kind: 'drip', everyMs, total }),
  /** A chunked 200 streaming `total` bytes in 64 KiB chunks. */
  chunked: (total) => () => ({ kind: 'chunked', total }),
  /** These bytes as the whole answer, then a clean close (not HTTP, truncated, …). */
  raw: (bytes) => () => ({ kind: 'raw', bytes: Buffer.from(bytes) }),
  /** A keep-alive `ok`, then FIN while still reading: later requests on the connection are
   * recorded and never answered. */
  okThenHalfClose: () => (req, server) => ({ ...answers.ok()(req, server), after: 'half-close' }),
  /** A keep-alive `ok`, then the connection is closed (data arriving later is reset). */
  okThenClose: () => (req, server) => ({ ...answers.ok()(req, server), after: 'close' }),
  /** Request `n` gets `list[n]`; the last entry repeats (as the Rust hostile server's script). */
  script: (...list) => (req, server) => list[Math.min(server.requests.length, list.length) - 1](req, server),
  /** A 400 whose message repeats the Authorization header it received. */
  echoAuth: () => (req) =>
    json(400, stytchError(400, 'bad_request', `you sent ${req.header('authorization')} ${req.body}`)),
};

class Request {
  constructor(head, body) {
    const [requestLine, ...headerLines] = head.split('\r\n');
    const [method, target, version] = requestLine.split(' ');
    this.method = method;
    this.target = target;
    this.version = version;
    /** [name, value] pairs in wire order, names as sent. */
    this.headers = headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    this.rawBody = body;
    this.body = body.toString('utf8');
    this.raw = Buffer.concat([Buffer.from(head + '\r\n\r\n'), body]);
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
  constructor() {
    /** Every request received, in order. */
    this.requests = [];
    /** How many TCP connections were accepted. */
    this.connections = 0;
    /** Resolvers waiting for a connection to close (see `nextClose`). */
    this.closeWaiters = [];
    /** How many accepted connections have closed (see `whenClosed`). */
    this.closed = 0;
    this.answer = answers.ok();
    this.sockets = new Set();
    this.server = net.createServer({ noDelay: true }, (socket) => this.#serve(socket));
  }

  static async start() {
    const s = new HostileServer();
    await s.#listen(0);
    return s;
  }

  /**
   * Like `start`, but the port refuses connections (nothing listens on it yet: the kernel
   * answers RST) until `openAfter(ms)` has run its course, so a client's first attempts
   * fail in the connect phase. Node cannot bind without listening, so the port is a free
   * one found by a probe.
   */
  static async startRefusing() {
    const s = new HostileServer();
    s.port = await portToOpenLater();
    s.url = `http://127.0.0.1:${s.port}`;
    return s;
  }

  /** Starts listening on a `startRefusing` server's port `ms` from now; `opened` resolves
   * once it listens. Called right before the send, so the time it takes to build a client
   * (slow on a loaded machine) does not eat into the refused period. */
  openAfter(ms) {
    this.opened = new Promise((resolve, reject) => {
      this.openTimer = setTimeout(() => {
        this.openTimer = undefined;
        this.#listen(this.port).then(resolve, reject);
      }, ms);
    });
  }

  async #listen(port) {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port, backlog: 4096 }, resolve);
    });
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Sets how the next requests are answered (a function of `answers`). */
  respond(answer) {
    this.answer = answer;
    return this;
  }

  /** Resolves when the next connection closes (from either side). */
  nextClose() {
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Resolves once `count` connections in all have closed (however long ago). */
  async whenClosed(count) {
    while (this.closed < count) await this.nextClose();
  }

  reset() {
    this.requests = [];
    this.connections = 0;
    this.answer = answers.ok();
  }

  async close() {
    if (this.openTimer !== undefined || (this.opened === undefined && !this.server.listening)) {
      // A refusing port closed before it opened: it never will.
      clearTimeout(this.openTimer);
      return;
    }
    if (this.opened) await this.opened;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #serve(socket) {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => {
      this.closed += 1;
      this.sockets.delete(socket);
      const waiters = this.closeWaiters.splice(0);
      for (const resolve of waiters) resolve();
    });
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let stalled = false;
    // After `okThenHalfClose`: requests are still read and recorded, never answered.
    let halfClosed = false;
    // After `okThenClose`: anything more that arrives is answered with a reset, as the
    // kernel does for a closed socket.
    let closed = false;
    socket.on('data', (chunk) => {
      if (closed) {
        socket.resetAndDestroy();
        return;
      }
      if (stalled) return;
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const length = lengthMatch ? Number(lengthMatch[1]) : 0;
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length);
        buffer = buffer.subarray(end + 4 + length);
        const request = new Request(head, Buffer.from(body));
        this.requests.push(request);
        if (halfClosed) continue;
        const action = this.answer(request, this);
        if (action.kind === 'stall') {
          stalled = true;
          return;
        }
        if (action.kind === 'reset') {
          socket.resetAndDestroy();
          return;
        }
        if (action.kind === 'close') {
          socket.destroy();
          return;
        }
        if (action.kind === 'raw') {
          socket.end(action.bytes);
          stalled = true;
          return;
        }
        if (action.kind === 'drip') {
          stalled = true;
          this.#drip(socket, action);
          return;
        }
        if (action.kind === 'chunked') {
          stalled = true;
          this.#chunked(socket, action.total);
          return;
        }
        socket.write(responseBytes(action.status, action.headers, action.body));
        if (action.after === 'half-close') {
          socket.end();
          halfClosed = true;
        } else if (action.after === 'close') {
          socket.end();
          closed = true;
          return;
        }
      }
    });
  }

  #drip(socket, { everyMs, total }) {
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`,
    );
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= total) {
        clearInterval(timer);
        return;
      }
      socket.write(' ');
      sent += 1;
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  }

  #chunked(socket, total) {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let sent = 0;
    // Written as the client reads (drain), so a client that stops early stops the stream.
    const pump = () => {
      while (sent < total && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(frame)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!socket.destroyed) socket.end('0\r\n\r\n');
    };
    pump();
  }
}

/**
 * A free loopback port to listen on later, drawn from below the kernel's ephemeral range:
 * a port from `refusedPort()` is ephemeral, so any server started meanwhile with port 0
 * (tests run concurrently) may be given it, and a client meant to be refused would reach
 * that other server instead.
 */
async function portToOpenLater() {
  let low = 32768;
  try {
    low = Number(require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    // Not Linux: the usual lower bound.
  }
  for (;;) {
    const port = 10000 + Math.floor(Math.random() * Math.max(1000, low - 10000));
    const probe = net.createServer();
    const free = await new Promise((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen({ host: '127.0.0.1', port }, () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => probe.close(resolve));
      return port;
    }
  }
}

/** A loopback port with nothing listening on it (connections are refused). Taken from
 * below the ephemeral range too, so that no server of a test running meanwhile (in this
 * process or another) is handed it by the kernel. */
function refusedPort() {
  return portToOpenLater();
}

module.exports = { HostileServer, answers, stytchError, refusedPort, portToOpenLater, OK_BODY };
