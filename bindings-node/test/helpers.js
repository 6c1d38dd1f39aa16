'use strict';
// Shared bits of the test files.

const path = require('node:path');
const { spawn } = require('node:child_process');

const PACKAGE_DIR = path.join(__dirname, '..');
const sms = require(PACKAGE_DIR);

const PROJECT_ID = 'project-test-6c4d8b7e-0000-4000-8000-000000000001';
/** A recognisable secret: no test output may ever contain MARK-5f2c. */
const SECRET = 'secret-test-MARK-5f2c-9d1e';
const SECRET_MARK = 'MARK-5f2c';
const BASIC = 'Basic ' + Buffer.from(`${PROJECT_ID}:${SECRET}`).toString('base64');

function clientFor(server, options = {}) {
  return new sms.Client({ project_id: PROJECT_ID, secret: SECRET, base_url: server.url, ...options });
}

/** Awaits a promise expected to reject and returns the rejection. */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Calls `fn` expecting it to throw synchronously and returns the error. */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/**
 * Runs `node args…` in the package folder and resolves with { code, signal, stdout, stderr,
 * ms }; kills the child after `limitMs`, so a hang shows as signal SIGKILL instead of
 * hanging the suite.
 */
function runNode(args, { limitMs = 15_000, env = {} } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

module.exports = { sms, runNode, PACKAGE_DIR, PROJECT_ID, SECRET, SECRET_MARK, BASIC, clientFor, rejection, thrown };
