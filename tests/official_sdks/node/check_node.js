// Runs the official, unchanged `stytch` Node SDK (npm stytch@14.2.0) against the sms-otp
// emulator and checks that it surfaces every row of docs/emulator.md's behaviour table with the
// documented status_code and error_type, then drives a whole SMS login (loginOrCreate, wrong,
// right, reused and expired codes) and verifies the session JWT locally with the SDK's own
// `sessions.authenticateJwtLocal` against the emulator's JWKS.
//
// Usage: node check_node.js EMULATOR_URL   (the runner `tests/official_sdks/run` starts it)
//
// An `https://` URL is given to the SDK's documented `custom_base_url` option (the SDK refuses
// any other scheme there); trust for the emulator's self-signed certificate comes from Node's
// standard NODE_EXTRA_CA_CERTS, which the runner sets. An `http://` URL goes through the `env`
// option instead, which the SDK uses verbatim as a base URL (with a console warning).
//
// The SDK is only observed, never patched: it calls the global `fetch`, which is wrapped to
// record the request it built and the response headers it does not expose (`Retry-After`).
// Exits 1 on any mismatch.
"use strict";

const assert = require("node:assert");
const crypto = require("node:crypto");
const stytch = require("stytch");
const fs = require("node:fs");
const path = require("node:path");
// package.json is not in the SDK's "exports"; read it from next to its entry point.
const sdkVersion = JSON.parse(fs.readFileSync(
  path.join(path.dirname(require.resolve("stytch")), "..", "package.json"), "utf8")).version;

const PROJECT_ID = "project-test-00000000-0000-0000-0000-000000000000";
const SECRET = "secret-test-emulator";
const SANDBOX = "+10000000000";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const REQUEST_ID = new RegExp(`^request-id-test-${UUID}$`);
const USER_ID = new RegExp(`^user-test-${UUID}$`);
const PHONE_ID = new RegExp(`^phone-number-test-${UUID}$`);
// Every SendRequestLocale of the SDK's types (types/lib/b2c/otps_sms.d.ts).
const LOCALES = ["en", "es", "pt-br", "fr", "it", "de-DE", "zh-Hans", "ca-ES", "ja", "ru", "nl",
  "pl", "tr", "fa", "vi", "cs"];

const BASE = (process.argv[2] || process.env.EMULATOR_URL).replace(/\/+$/, "");
const ADMIN = `${BASE}/_emulator/v1`;

class Mismatch extends Error {}

function check(ok, what) {
  if (!ok) throw new Mismatch(what);
}

function eq(actual, expected, what) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch {
    throw new Mismatch(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// ------------------------------------------------------------------------------------------
// Observing the SDK: it calls the global fetch at request time.

const realFetch = globalThis.fetch;
const seen = [];
globalThis.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  if (String(url).includes("/v1/otps/sms/send")) {
    seen.push({ url: String(url), init, status: response.status, headers: response.headers });
  }
  return response;
};

// The admin API, through the real fetch.
async function admin(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const response = await realFetch(ADMIN + path, init);
  const text = await response.text();
  if (!response.ok) throw new Mismatch(`admin ${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function messages(phone) {
  return (await admin("GET", `/messages?phone_number=${encodeURIComponent(phone)}`)).messages;
}

function makeClient(project_id = PROJECT_ID, secret = SECRET) {
  if (BASE.startsWith("https://")) {
    return new stytch.Client({ project_id, secret, custom_base_url: BASE });
  }
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new stytch.Client({ project_id, secret, env: BASE });
  } finally {
    console.warn = warn;
  }
}

const client = makeClient();

async function expectError(call, status, errorType) {
  let resp;
  try {
    resp = await call();
  } catch (e) {
    if (!(e instanceof stytch.StytchError)) {
      throw new Mismatch(`expected StytchError ${status} ${errorType}, got ${e.name}: ${e.message}`);
    }
    eq(e.status_code, status, "status_code");
    eq(e.error_type, errorType, "error_type");
    check(REQUEST_ID.test(e.request_id), `request_id ${e.request_id}`);
    eq(e.error_url, `https://stytch.com/docs/api/errors/${status}`, "error_url");
    check(typeof e.error_message === "string" && e.error_message.length > 0, "error_message");
    return e;
  }
  throw new Mismatch(`expected StytchError ${status} ${errorType}, got success ${JSON.stringify(resp)}`);
}

function expectOk(resp) {
  eq(resp.status_code, 200, "status_code");
  check(REQUEST_ID.test(resp.request_id), `request_id ${resp.request_id}`);
  check(USER_ID.test(resp.user_id), `user_id ${resp.user_id}`);
  check(PHONE_ID.test(resp.phone_id), `phone_id ${resp.phone_id}`);
  return resp;
}

let nextNumber = 1000;
// A US number no earlier check has used (fresh rate-limit counter); distinct from Python's.
const freshNumber = () => `+1303555${String(nextNumber++).padStart(4, "0")}`;

const send = (params) => client.otps.sms.send(params);

// ------------------------------------------------------------------------------------------
// Rows

const rows = [];
const row = (name, f) => rows.push([name, f]);

// ------------------------------------------------------------------------------------------
// A whole login. These rows run first and share `login`: the SDK checks a JWT's iat/nbf/exp
// against the real clock, so they run while the emulator's virtual clock still equals it
// (only the expiry row advances it).

const LOGIN_NUMBER = "+13035559001";
const login = {};
const inboxCode = async (number) => (await messages(number)).at(-1).code;

row("login: login_or_create makes a pending user", async () => {
  await admin("POST", "/reset", {}); // the virtual clock back to real time
  const resp = await client.otps.sms.loginOrCreate({
    phone_number: LOGIN_NUMBER, create_user_as_pending: true,
  });
  eq(resp.status_code, 200, "status_code");
  eq(resp.user_created, true, "user_created");
  check(USER_ID.test(resp.user_id), `user_id ${resp.user_id}`);
  check(PHONE_ID.test(resp.phone_id), `phone_id ${resp.phone_id}`);
  check(REQUEST_ID.test(resp.request_id), `request_id ${resp.request_id}`);
  const { users } = await admin("GET", `/users?user_id=${resp.user_id}`);
  eq(users[0].status, "pending", "user status before authenticate");
  const again = await client.otps.sms.loginOrCreate({ phone_number: LOGIN_NUMBER });
  eq([again.user_created, again.user_id, again.phone_id], [false, resp.user_id, resp.phone_id],
    "second loginOrCreate");
  Object.assign(login, { user_id: resp.user_id, phone_id: resp.phone_id,
    code: await inboxCode(LOGIN_NUMBER) });
});

row("login: wrong code -> 404 otp_code_not_found", async () => {
  const wrong = String((Number(login.code) + 1) % 1000000).padStart(6, "0");
  const e = await expectError(() => client.otps.authenticate({
    method_id: login.phone_id, code: wrong }), 404, "otp_code_not_found");
  eq(e.error_message, "The passcode provided was incorrect and could not be authenticated.",
    "error_message");
});

row("login: right code + session_duration_minutes=60", async () => {
  const resp = await client.otps.authenticate({
    method_id: login.phone_id, code: login.code, session_duration_minutes: 60,
    session_custom_claims: { plan: "pro" },
    attributes: { ip_address: "203.0.113.7", user_agent: "check_node" },
  });
  eq(resp.status_code, 200, "status_code");
  eq([resp.user_id, resp.method_id], [login.user_id, login.phone_id], "ids");
  eq(resp.user.status, "active", "user.status (was pending)");
  eq(resp.user.phone_numbers, [{ phone_id: login.phone_id, phone_number: LOGIN_NUMBER,
    verified: true }], "user.phone_numbers");
  eq(resp.reset_sessions, false, "reset_sessions");
  check(/^session-test-/.test(resp.session?.session_id), "session.session_id");
  eq(resp.session.custom_claims, { plan: "pro" }, "session.custom_claims");
  const [factor] = resp.session.authentication_factors;
  eq([factor.type, factor.delivery_method, factor.phone_number_factor.phone_id],
    ["otp", "sms", login.phone_id], "factor");
  eq((Date.parse(resp.session.expires_at) - Date.parse(resp.session.started_at)) / 60000, 60,
    "session length in minutes");
  eq(resp.session_token.length, 44, "session_token length");
  Object.assign(login, { session: resp.session, session_jwt: resp.session_jwt,
    session_token: resp.session_token });
});

row("login: session JWT verified locally against the JWKS", async () => {
  const local = await client.sessions.authenticateJwtLocal({ session_jwt: login.session_jwt });
  eq(local.session_id, login.session.session_id, "session_id");
  eq(local.user_id, login.user_id, "user_id");
  eq(local.custom_claims, { plan: "pro" }, "custom_claims");
  // The SDK re-renders the inner expires_at with toISOString (milliseconds).
  eq(Date.parse(local.expires_at), Date.parse(login.session.expires_at), "expires_at");
  eq(local.started_at, login.session.started_at, "started_at");
  eq(local.authentication_factors, login.session.authentication_factors,
    "authentication_factors");
  // The verification is real: a forged payload or signature is refused.
  const [head, payload, sig] = login.session_jwt.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  claims.sub = "user-test-00000000-0000-4000-8000-000000000000";
  const other = Buffer.from(JSON.stringify(claims)).toString("base64url");
  for (const forged of [`${head}.${payload}.${sig.slice(0, -4)}AAAA`, `${head}.${other}.${sig}`]) {
    try {
      await client.sessions.authenticateJwtLocal({ session_jwt: forged });
    } catch (e) {
      check(e instanceof stytch.ClientError && e.code === "jwt_invalid",
        `forged JWT: ${e.name} ${e.message}`);
      continue;
    }
    throw new Mismatch("a forged JWT was accepted");
  }
});

row("login: reused code -> 401 unable_to_auth_otp_code", async () => {
  await expectError(() => client.otps.authenticate({ method_id: login.phone_id, code: login.code }),
    401, "unable_to_auth_otp_code");
});

row("login: expired code -> 401 unable_to_auth_otp_code", async () => {
  await client.otps.sms.loginOrCreate({ phone_number: LOGIN_NUMBER, expiration_minutes: 1 });
  const code = await inboxCode(LOGIN_NUMBER);
  await admin("POST", "/clock/advance", { seconds: 61 });
  await expectError(() => client.otps.authenticate({ method_id: login.phone_id, code }),
    401, "unable_to_auth_otp_code");
});

row("login: session extended by session_token / session_jwt", async () => {
  await client.otps.sms.loginOrCreate({ phone_number: LOGIN_NUMBER });
  let resp = await client.otps.authenticate({ method_id: login.phone_id,
    code: await inboxCode(LOGIN_NUMBER), session_token: login.session_token });
  eq(resp.session.session_id, login.session.session_id, "same session (token)");
  await client.otps.sms.loginOrCreate({ phone_number: LOGIN_NUMBER });
  resp = await client.otps.authenticate({ method_id: login.phone_id,
    code: await inboxCode(LOGIN_NUMBER), session_jwt: login.session_jwt,
    session_duration_minutes: 30 });
  eq(resp.session.session_id, login.session.session_id, "same session (JWT)");
  await expectError(() => client.otps.authenticate({ method_id: login.phone_id, code: "123456",
    session_token: "no-such-token" }), 404, "session_not_found");
});

row("login: sandbox +10000000000 with 000000", async () => {
  const resp = await client.otps.sms.loginOrCreate({ phone_number: SANDBOX });
  const done = await client.otps.authenticate({ method_id: resp.phone_id, code: "000000" });
  eq([done.status_code, done.session_token, done.session ?? null], [200, "", null], "sandbox");
});

row("wire: what the SDK sends", async () => {
  seen.length = 0;
  // Node SDK users pass a params object; fields set to undefined are dropped by JSON.stringify.
  expectOk(await send({ phone_number: freshNumber(), locale: "fr", user_id: undefined }));
  const { url, init, headers } = seen.at(-1);
  eq(init.method, "POST", "method");
  check(url.endsWith("/v1/otps/sms/send"), `url ${url}`);
  eq(init.headers["Content-Type"], "application/json", "Content-Type (no charset)");
  eq(init.headers["User-Agent"], `Stytch Node v${sdkVersion}`, "User-Agent");
  check(init.headers.Authorization.startsWith("Basic "), "Basic auth");
  eq(Object.keys(JSON.parse(init.body)).sort(), ["locale", "phone_number"], "body keys");
  eq(headers.get("content-type"), "application/json", "response Content-Type");
});

row("401 unauthorized_credentials", async () => {
  const wrong = makeClient(PROJECT_ID, "secret-test-wrong");
  await expectError(() => wrong.otps.sms.send({ phone_number: freshNumber() }), 401,
    "unauthorized_credentials");
  const other = makeClient("project-test-11111111-1111-4111-8111-111111111111", SECRET);
  await expectError(() => other.otps.sms.send({ phone_number: freshNumber() }), 401,
    "unauthorized_credentials");
});

row("400 bad_request", async () => {
  // send() with no params sends no body at all (Content-Length: 0).
  await expectError(() => client.otps.sms.send(), 400, "bad_request");
  await expectError(() => send({}), 400, "bad_request");
  await expectError(() => send({ phone_number: null }), 400, "bad_request");
  await expectError(() => send([]), 400, "bad_request");
});

row("400 invalid_phone_number", async () => {
  for (const bad of ["12025550162", "+1 202-555-0162", "+9991234567", "not a number"]) {
    await expectError(() => send({ phone_number: bad }), 400, "invalid_phone_number");
  }
});

row("400 invalid_phone_number_country_code", async () => {
  for (const number of ["+442079460958", "+33142685300"]) {
    await expectError(() => send({ phone_number: number }), 400,
      "invalid_phone_number_country_code");
  }
});

row("400 invalid_expiration_otp", async () => {
  for (const minutes of [0, 11, -1, 10000]) {
    await expectError(() => send({ phone_number: freshNumber(), expiration_minutes: minutes }),
      400, "invalid_expiration_otp");
  }
  for (const minutes of [1, 10]) {
    expectOk(await send({ phone_number: freshNumber(), expiration_minutes: minutes }));
  }
});

row("400 invalid_locale", async () => {
  for (const tag of ["xx", "english", "en_US"]) {
    await expectError(() => send({ phone_number: freshNumber(), locale: tag }), 400,
      "invalid_locale");
  }
});

row("every SendRequestLocale of the SDK accepted", async () => {
  for (const locale of LOCALES) {
    const number = freshNumber();
    expectOk(await send({ phone_number: number, locale }));
    eq((await messages(number)).at(-1).locale, locale, `inbox locale for ${locale}`);
  }
});

row("400 invalid_user_id / 404 user_not_found", async () => {
  await expectError(() => send({ phone_number: freshNumber(), user_id: "u1" }), 400,
    "invalid_user_id");
  await expectError(
    () => send({ phone_number: freshNumber(), user_id: `user-test-${crypto.randomUUID()}` }),
    404, "user_not_found");
  const { user_id } = await admin("POST", "/users", {});
  const resp = expectOk(await send({ phone_number: freshNumber(), user_id }));
  eq(resp.user_id, user_id, "user_id of a send with a seeded user_id");
});

row("400 too_many_session_arguments", async () => {
  const { user_id } = await admin("POST", "/users", {});
  const session = await admin("POST", "/sessions", { user_id });
  await expectError(() => send({
    phone_number: freshNumber(),
    session_token: session.session_token,
    session_jwt: session.session_jwt,
  }), 400, "too_many_session_arguments");
});

row("404 session_not_found", async () => {
  await expectError(() => send({ phone_number: freshNumber(), session_token: "no-such-token" }),
    404, "session_not_found");
  await expectError(() => send({ phone_number: freshNumber(), session_jwt: "a.b.c" }), 404,
    "session_not_found");
  const { user_id } = await admin("POST", "/users", {});
  const session = await admin("POST", "/sessions", { user_id });
  for (const kind of ["session_token", "session_jwt"]) {
    const resp = expectOk(await send({ phone_number: freshNumber(), [kind]: session[kind] }));
    eq(resp.user_id, user_id, `user_id of a send with a seeded ${kind}`);
  }
});

row("429 too_many_requests + Retry-After", async () => {
  const number = freshNumber();
  for (let i = 0; i < 5; i++) expectOk(await send({ phone_number: number }));
  seen.length = 0;
  await expectError(() => send({ phone_number: number }), 429, "too_many_requests");
  const retryAfter = seen.at(-1).headers.get("retry-after");
  check(/^\d+$/.test(retryAfter ?? "") && +retryAfter >= 1 && +retryAfter <= 3600,
    `Retry-After ${retryAfter}`);
  await admin("POST", "/clock/advance", { seconds: +retryAfter });
  expectOk(await send({ phone_number: number }));
});

row("413 bad_request (body over 1 MiB)", async () => {
  await expectError(() => send({
    phone_number: freshNumber(),
    attributes: { user_agent: "x".repeat(1 << 20) },
  }), 413, "bad_request");
  expectOk(await send({ phone_number: freshNumber() }));
});

row("200: documented fields, ID formats, stable phone_id", async () => {
  const number = freshNumber();
  const first = expectOk(await send({
    phone_number: number,
    expiration_minutes: 5,
    attributes: { ip_address: "203.0.113.7", user_agent: "check_node" },
  }));
  eq(Object.keys(first).sort(), ["phone_id", "request_id", "status_code", "user_id"],
    "fields of the 200 body");
  const second = expectOk(await send({ phone_number: number }));
  eq(second.phone_id, first.phone_id, "phone_id on a second send");
  eq(second.user_id, first.user_id, "user_id on a second send");
  check(second.request_id !== first.request_id, "request_id differs per call");
  // null fields (inside attributes too) are sent as null and read as absent.
  const third = expectOk(await send({ phone_number: number, locale: null,
    attributes: { ip_address: "203.0.113.7", user_agent: null } }));
  eq(third.phone_id, first.phone_id, "phone_id on a third send");
  const inbox = await messages(number);
  eq(inbox.length, 3, "messages recorded");
  const [msg] = inbox;
  check(/^\d{6}$/.test(msg.code), `code ${msg.code}`);
  eq([msg.request_id, msg.phone_id, msg.user_id], [first.request_id, first.phone_id, first.user_id],
    "message ids");
  check(msg.text.includes(msg.code), "the code is in the SMS text");
});

row("sandbox +10000000000: code 000000, no rate limit", async () => {
  await admin("DELETE", "/messages");
  for (let i = 0; i < 7; i++) expectOk(await send({ phone_number: SANDBOX }));
  eq((await messages(SANDBOX)).map((m) => m.code), Array(7).fill("000000"), "sandbox codes");
});

row("resend invalidates the earlier code", async () => {
  const number = freshNumber();
  for (let i = 0; i < 3; i++) expectOk(await send({ phone_number: number }));
  eq((await messages(number)).map((m) => m.status), ["invalidated", "invalidated", "active"],
    "statuses after three sends");
  await admin("POST", "/clock/advance", { seconds: 121 });
  eq((await messages(number)).at(-1).status, "expired", "status after the default 2 minutes");
});

row("fault: 503 server_unavailable", async () => {
  const number = freshNumber();
  await admin("POST", "/faults", { status: 503, phone_number: number });
  await expectError(() => send({ phone_number: number }), 503, "server_unavailable");
  expectOk(await send({ phone_number: number }));
});

row("fault: malformed_body (HTML 502)", async () => {
  const number = freshNumber();
  await admin("POST", "/faults", { kind: "malformed_body", phone_number: number });
  // The SDK cannot parse the page: a RequestError, without the status.
  try {
    await send({ phone_number: number });
  } catch (e) {
    check(e instanceof stytch.RequestError, `expected RequestError, got ${e.name}`);
    check(e.message.startsWith("Unable to parse JSON response from server"), e.message);
    return;
  }
  throw new Mismatch("malformed_body: the send succeeded");
});

row("burst: 200 concurrent sends, one client", async () => {
  const numbers = Array.from({ length: 200 }, () => freshNumber());
  const results = await Promise.all(numbers.map((phone_number) => send({ phone_number })));
  results.forEach(expectOk);
  eq(new Set(results.map((r) => r.phone_id)).size, 200, "distinct phone_ids");
  const inbox = (await admin("GET", "/messages")).messages;
  eq(numbers.filter((n) => !inbox.some((m) => m.phone_number === n)), [], "numbers without a message");
});

async function main() {
  console.log(`stytch (Node) ${sdkVersion} against ${BASE}`);
  await admin("POST", "/reset", {});
  const results = [];
  for (const [name, f] of rows) {
    try {
      await f();
      results.push([name, "pass", ""]);
    } catch (e) {
      const where = (e.stack ?? "").split("\n").find((l) => l.includes(__filename)) ?? "";
      results.push([name, "FAIL", e instanceof Mismatch ? e.message
        : `${e.name}: ${e.message}`.slice(0, 400) + ` ${where.trim()}`]);
    }
  }
  const width = Math.max(...results.map(([name]) => name.length));
  for (const [name, verdict, detail] of results) {
    console.log(`  ${name.padEnd(width)}  ${verdict}`);
    for (const line of detail.split("\n").filter(Boolean)) {
      console.log(`  ${"".padEnd(width)}    ${line}`);
    }
  }
  if (process.env.OFFICIAL_SDK_RESULTS) {
    fs.writeFileSync(process.env.OFFICIAL_SDK_RESULTS,
      JSON.stringify(results.map(([row, verdict, detail]) => ({ row, verdict, detail }))));
  }
  const failed = results.filter(([, verdict]) => verdict !== "pass").length;
  console.log(`node: ${results.length - failed}/${results.length} rows pass`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
