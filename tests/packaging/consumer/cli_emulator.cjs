// `sms-otp emulator` from the installed main package (its `bin`), started as a separate
// process, answering a send, stopped by SIGTERM with exit 0.
//
//   node cli_emulator.cjs npx       through `npx sms-otp`
//   node cli_emulator.cjs bin       node_modules/.bin/sms-otp itself: must exit 0
//
// The SIGTERM goes to the process group, as a terminal's Ctrl-C or a container stop does:
// npm does not pass a SIGTERM sent to itself alone on to the command it runs. Done means the
// emulator's stdout closed (every process of the group that held it has exited).
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { Client } = require('sms-otp');

const viaNpx = process.argv[2] === 'npx';
const command = viaNpx ? ['npx', '--no-install', 'sms-otp'] : [require('node:path').join('node_modules', '.bin', 'sms-otp')];
const child = spawn(command[0], [...command.slice(1), 'emulator', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
const closed = new Promise((resolve) => child.stdout.once('close', resolve));
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
const timer = setTimeout(() => {
  console.error(`${command.join(' ')} emulator: no answer in 30 s`);
  process.kill(-child.pid, 'SIGKILL');
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
    process.kill(-child.pid, 'SIGTERM');
    const [{ code, signal }] = await Promise.all([exited, closed]);
    clearTimeout(timer);
    // npm ends itself by the signal it was sent; the command it ran must exit 0.
    if (!(viaNpx && signal === 'SIGTERM')) assert.equal(code, 0, `exit code ${code} (signal ${signal}) after SIGTERM`);
    console.log(`${command.join(' ')} emulator: ${match[1]} answered a send, stopped by SIGTERM`);
  } catch (e) {
    console.error(e);
    process.kill(-child.pid, 'SIGKILL');
    process.exit(1);
  }
});
