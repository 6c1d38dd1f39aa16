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

/** Each thread of this process: name -> its scheduling policies (0 normal, 3 batch), from /proc. */
function threadPolicies() {
  const fs = require('node:fs');
  const policies = new Map();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    // The name in stat is in parentheses and may hold spaces: fields count from its end.
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[38]);
    policies.set(name, new Set([...(policies.get(name) ?? []), policy]));
  }
  return policies;
}

// docs/client.md (threads): a worker woken to start or finish a call waits for the JS thread
// to yield instead of preempting it; the JS thread's own scheduling is never changed.
test('the runtime workers that ran sends are batch threads and the JS thread is left alone',
  { skip: process.platform !== 'linux' && 'scheduling policies are Linux\'s' }, async () => {
    const server = await HostileServer.start();
    try {
      const client = clientFor(server);
      await Promise.all(Array.from({ length: 50 }, () => client.otps.sms.send({ phone_number: '+12025550162' })));
      const policies = threadPolicies();
      assert.ok(policies.get('tokio-rt-worker')?.has(3), `no batch worker: ${[...policies]}`);
      const js = require('node:fs').readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
      assert.equal(js.slice(js.lastIndexOf(')') + 1).trim().split(/\s+/)[38], '0', 'the JS thread changed policy');
    } finally {
      await server.close();
    }
  });
