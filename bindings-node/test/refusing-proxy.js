'use strict';
// A loopback port that refuses connections for a while, then forwards every connection to
// an upstream (the emulator), passing a reset on as a reset: a client's first attempts fail
// in the connect phase and are retried, then the real exchange happens unchanged. The Node
// twin of `refusing_proxy` in emulator/tests/fault_matrix.rs.

const net = require('node:net');
const { portToOpenLater } = require('./hostile-server.js');

class RefusingProxy {
  /**
   * A proxy whose port refuses connections until `openAfter(ms)` has run its course.
   * @param {number} upstreamPort a loopback port to forward to
   */
  static async start(upstreamPort) {
    const proxy = new RefusingProxy();
    proxy.sockets = new Set();
    proxy.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) =>
      proxy.#forward(client, upstreamPort),
    );
    // Node cannot bind without listening: a free port found by a probe, listened on later.
    proxy.port = await portToOpenLater();
    proxy.url = `http://127.0.0.1:${proxy.port}`;
    return proxy;
  }

  /** Listens `ms` from now (called right before the send); `opened` resolves then. */
  openAfter(ms) {
    this.opened = new Promise((resolve, reject) => {
      this.openTimer = setTimeout(() => {
        this.openTimer = undefined;
        this.server.once('error', reject);
        this.server.listen({ host: '127.0.0.1', port: this.port, backlog: 512 }, resolve);
      }, ms);
    });
  }

  #forward(client, upstreamPort) {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true, noDelay: true });
    this.sockets.add(client).add(upstream);
    client.on('close', () => this.sockets.delete(client));
    upstream.on('close', () => this.sockets.delete(upstream));
    // pipe() passes a FIN on as a FIN (allowHalfOpen keeps the other direction open).
    client.pipe(upstream);
    upstream.pipe(client);
    // A reset from the emulator (reset_before_processing, process_then_reset) reaches the
    // client as a reset, not as a clean close that would read differently.
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.destroy());
    // The client went away (it gave up on a stall): the emulator must see that too.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!client.destroyed && client.writableFinished) client.destroy();
    });
  }

  async close() {
    if (this.openTimer !== undefined || this.opened === undefined) {
      clearTimeout(this.openTimer);
      return;
    }
    await this.opened;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

module.exports = { RefusingProxy };
