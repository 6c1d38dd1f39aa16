// `npx sms-otp emulator` from the installed main package (its `bin`), started as a separate
// process, answering a send, stopped by SIGTERM with exit 0.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { Client } = require('sms-otp');

const child = spawn('npx', ['--no-install', 'sms-otp', 'emulator', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const timer = setTimeout(() => {
  console.error('npx sms-otp emulator: no answer in 30 s');
  child.kill('SIGKILL');
  process.exit(1);
}, 30_000);
const lines = readline.createInterface({ input: child.stdout });
lines.once('line', async (line) => {
  try {
    const match = /^listening on (http:\/\/\S+)$/.exec(line);
    assert.ok(match, `unexpected first line ${JSON.stringify(line)}`);
    const client = new Client({
      project_id: 'project-test-00000000-0000-0000-0000-000000000000',
      secret: 'secret-test-emulator',
      custom_base_url: match[1],
    });
    const resp = await client.otps.sms.send({ phone_number: '+12025550162' });
    assert.equal(resp.status_code, 200);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      assert.equal(code, 0, `exit code ${code} (signal ${signal}) after SIGTERM`);
      console.log(`npx sms-otp emulator: ${match[1]} answered a send, exited 0 on SIGTERM`);
    });
    child.kill('SIGTERM');
  } catch (e) {
    console.error(e);
    child.kill('SIGKILL');
    process.exit(1);
  }
});
