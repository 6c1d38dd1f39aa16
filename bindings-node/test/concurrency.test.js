'use strict';
// One client serves a thousand concurrent sends.

const test = require('node:test');
const assert = require('node:assert/strict');
const { HostileServer } = require('./hostile-server.js');
const { clientFor } = require('./helpers.js');

test('1,000 concurrent sends on one client all succeed, each sent exactly once', async () => {
  const server = await HostileServer.start();
  try {
    const client = clientFor(server);
    const count = 1000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.otps.sms.send({ phone_number: `+1202555${String(i).padStart(4, '0')}` }),
      ),
    );
    assert.equal(results.length, count);
    assert.ok(results.every((r) => r.status_code === 200));
    assert.equal(new Set(results.map((r) => r.request_id)).size, count, 'every answer is its own');
    assert.equal((await server.requests()).length, count);
    const numbers = new Set((await server.requests()).map((r) => r.json().phone_number));
    assert.equal(numbers.size, count, 'every request arrived once');
  } finally {
    await server.close();
  }
});
