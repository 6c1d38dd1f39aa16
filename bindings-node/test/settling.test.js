'use strict';
// How finished sends settle their promises: outcomes come back from the native side in
// batches through one threadsafe function per client (src/batched_settling.rs). Each promise
// must get its own outcome, whatever else is in the batch; the function keeps the process
// alive exactly while sends are in flight; and a client that is garbage-collected with
// sends in flight still settles them.

const test = require('node:test');
const assert = require('node:assert/strict');
const { HostileServer, answers } = require('./hostile-server.js');
const { clientFor, runNode, PACKAGE_DIR } = require('./helpers.js');
const sms = require(PACKAGE_DIR);


test('mixed outcomes finishing together each settle their own promise', async () => {
  const server = await HostileServer.start();
  try {
    // The answer depends on the number: 0 → 200 echoing it, 1 → 429, 2 → 400, 3 → HTML 502
    // (a route per number ending in 0, 4 or 8, then one per last digit).
    const count = 400;
    const phones = Array.from({ length: count }, (_, i) => `+1202555${String(i).padStart(4, '0')}`);
    const byDigit = [null, answers.error(429, 'too_many_requests'), answers.error(400, 'invalid_phone_number'), answers.html(502)];
    await server.respond(
      answers.route([
        ...phones
          .filter((phone) => Number(phone.slice(-1)) % 4 === 0)
          .map((phone) => ({ body_contains: `"${phone}"`, then: answers.ok({ echo: phone }) })),
        ...['1', '2', '3', '5', '6', '7', '9'].map((d) => ({ body_contains: `${d}"`, then: byDigit[Number(d) % 4] })),
      ]),
    );
    const client = clientFor(server);
    const settled = await Promise.allSettled(phones.map((phone_number) => client.otps.sms.send({ phone_number })));
    const expected = [null, sms.RateLimitedError, sms.ApiError, sms.UnexpectedResponseError];
    settled.forEach((result, i) => {
      const kind = Number(phones[i].slice(-1)) % 4;
      if (kind === 0) {
        assert.equal(result.status, 'fulfilled', `send ${i}`);
        assert.equal(result.value.raw.echo, phones[i], `send ${i} got another send's answer`);
      } else {
        assert.equal(result.status, 'rejected', `send ${i}`);
        assert.ok(result.reason instanceof expected[kind], `send ${i}: ${result.reason}`);
      }
    });
    assert.equal((await server.requests()).length, count);
  } finally {
    await server.close();
  }
});

test('a send that cannot even be represented rejects at once and sends nothing', async () => {
  const server = await HostileServer.start();
  try {
    const client = clientFor(server);
    const e = await client.otps.sms.send({ phone_number: '+12025550162', locale: 'xx' }).catch((err) => err);
    assert.ok(e instanceof sms.ValidationError, String(e));
    assert.equal(e.field, 'locale');
    // The client still works, and nothing was sent for the refused call.
    await client.otps.sms.send({ phone_number: '+12025550162' });
    assert.equal((await server.requests()).length, 1);
  } finally {
    await server.close();
  }
});

test('after its sends settle, a later send keeps the process alive again', async () => {
  const server = await HostileServer.start();
  try {
    // First request answered, the next ones stall until the client's 400 ms timeout.
    await server.respond([answers.ok(), answers.stall()]);
    const script = `
      const { Client } = require(${JSON.stringify(PACKAGE_DIR)});
      const client = new Client({ project_id: 'project-test-1', secret: 'secret-test-1',
                                  base_url: process.env.SERVER_URL, timeout_ms: 400 });
      client.otps.sms.send({ phone_number: '+12025550162' }).then((r) => {
        console.log('first', r.status_code);
        // Nothing in flight now: only this timer keeps the process alive until it fires.
        setTimeout(() => {
          client.otps.sms.send({ phone_number: '+12025550162' })
            .catch((e) => console.log('second', e.code, e.phase));
        }, 50);
      });
    `;
    const result = await runNode(['-e', script], { env: { SERVER_URL: server.url } });
    assert.equal(result.signal, null, `killed after ${result.ms} ms: the process did not exit by itself`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), ['first 200', 'second timeout response']);
    assert.ok(result.ms >= 400, `exited after ${result.ms} ms, before the second send settled`);
  } finally {
    await server.close();
  }
});

test('a client garbage-collected with sends in flight still settles them, then the process exits', async () => {
  const server = await HostileServer.start();
  try {
    // Every send waits on the server until the client's timeout, well after the gc.
    await server.respond(answers.stall());
    const script = `
      const { Client } = require(${JSON.stringify(PACKAGE_DIR)});
      const collected = new FinalizationRegistry(() => console.log('collected'));
      // Handlers made out here: a closure made inside the function below would keep its
      // scope, and so the client, alive.
      const ok = () => 'ok';
      const code = (e) => e.code;
      let sends;
      (() => {
        const client = new Client({ project_id: 'project-test-1', secret: 'secret-test-1',
                                    base_url: process.env.SERVER_URL, timeout_ms: 1500 });
        collected.register(client, 'client');
        sends = [];
        for (let i = 0; i < 20; i++) sends.push(client.otps.sms.send({ phone_number: '+12025550162' }));
      })();
      sends = sends.map((p) => p.then(ok, code));
      // Let the client go while its sends wait on the server.
      setTimeout(() => { gc(); }, 100);
      Promise.all(sends).then((codes) => console.log('settled', [...new Set(codes)].join(',')));
    `;
    const result = await runNode(['--expose-gc', '-e', script], { env: { SERVER_URL: server.url } });
    assert.equal(result.signal, null, `killed after ${result.ms} ms: the process did not exit by itself`);
    assert.equal(result.code, 0, result.stderr);
    // The client really was collected before its sends settled.
    assert.deepEqual(result.stdout.trim().split('\n'), ['collected', 'settled timeout']);
    assert.equal((await server.requests()).length, 20);
  } finally {
    await server.close();
  }
});
