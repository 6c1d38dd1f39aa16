'use strict';
// Shared bits of the test files.

const path = require('node:path');

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

module.exports = { sms, PACKAGE_DIR, PROJECT_ID, SECRET, SECRET_MARK, BASIC, clientFor, rejection, thrown };
