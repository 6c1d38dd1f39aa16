'use strict';
// The JS error classes are made from the Rust core's error table; the hand-kept TypeScript
// declarations (index.d.ts) and the ESM entry must match it and the core's locale list. On a
// mismatch the message says what to write.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const native = require('../lib/native.js');
const errors = require('../lib/errors.js');
const { sms, PACKAGE_DIR } = require('./helpers.js');

const dts = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), 'utf8');

/** The string literals of `export type NAME = | 'a' | 'b';` in index.d.ts. */
function union(name) {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(dts);
  assert.ok(match, `index.d.ts has no \`export type ${name}\``);
  return [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
}

test('the Locale union of index.d.ts is exactly the core locale list', () => {
  const core = errors.TABLES.locales;
  assert.deepEqual(union('Locale'), core, `set index.d.ts Locale to: ${core.map((l) => `'${l}'`).join(' | ')}`);
  assert.deepEqual([...sms.LOCALES], core);
  assert.equal(core.length, 16);
});

test('the ErrorCode union of index.d.ts is exactly the core error codes', () => {
  const core = errors.TABLE.map((row) => row.code);
  assert.deepEqual(union('ErrorCode'), core, `set index.d.ts ErrorCode to: ${core.map((c) => `'${c}'`).join(' | ')}`);
  assert.deepEqual([...sms.ERROR_CODES], core);
  assert.ok(core.includes('internal_error'));
});

/** `export declare class NAME extends PARENT { BODY }` of index.d.ts, by name. */
function declaredClasses() {
  const declared = {};
  for (const m of dts.matchAll(/export declare class (\w+) extends (\w+) \{([\s\S]*?)\n\}/g)) {
    declared[m[1]] = { parent: m[2], body: m[3] };
  }
  return declared;
}

/** What index.d.ts should say for a row of the core's table. */
function expectedDeclaration(row, table) {
  if (row.parentClassName == null) return `export declare class ${row.className} extends Error {\n  readonly code: ErrorCode;\n  …\n}`;
  const lineage = (name) => {
    const chain = [];
    for (let n = name; n != null; n = table.find((r) => r.className === n).parentClassName) chain.push(n);
    return chain;
  };
  // A class's instances include its subclasses', so its `code` may hold their codes too.
  const codes = table.filter((r) => lineage(r.className).includes(row.className)).map((r) => `'${r.code}'`);
  return `/** ${row.summary} */\nexport declare class ${row.className} extends ${row.parentClassName} {\n  readonly code: ${codes.join(' | ')};\n}`;
}

test('the error classes are made from the core table, exported, and declared in index.d.ts', async () => {
  const table = errors.TABLE;
  const declared = declaredClasses();
  const esm = await import('../index.mjs');
  const problems = [];
  for (const row of table) {
    const cls = errors.classes[row.className];
    assert.ok(cls, `lib/errors.js made no class ${row.className}`);
    assert.equal(cls.code, row.code, `${row.className}.code`);
    assert.equal(cls.name, row.className);
    assert.equal(cls.defaultMaybeDelivered, row.defaultMaybeDelivered);
    assert.equal(new cls('m').maybe_delivered, row.defaultMaybeDelivered, `new ${row.className}().maybe_delivered`);
    assert.equal(Object.getPrototypeOf(cls).name, row.parentClassName ?? 'Error', `${row.className} must extend ${row.parentClassName}`);
    assert.equal(sms[row.className], cls, `index.js must export ${row.className}`);
    assert.equal(esm[row.className], cls, `index.mjs must export ${row.className}`);
    const d = declared[row.className];
    const want = expectedDeclaration(row, table);
    if (d === undefined) {
      problems.push(`index.d.ts lacks ${row.className}; write:\n${want}`);
      continue;
    }
    if (d.parent !== (row.parentClassName ?? 'Error')) problems.push(`index.d.ts: ${row.className} extends ${d.parent}; write:\n${want}`);
    const code = /readonly code:\s*([^;]*);/.exec(d.body)?.[1].replace(/\s+/g, ' ').replace(/^\| /, '');
    const wantCode = row.parentClassName == null ? 'ErrorCode' : /readonly code: ([^;]*);/.exec(want)[1];
    if (code !== wantCode) problems.push(`index.d.ts: ${row.className}.code is ${code}; write:\n${want}`);
    const maybe = /readonly maybe_delivered: (true|false);/.exec(d.body)?.[1];
    if (maybe !== undefined && maybe !== String(row.defaultMaybeDelivered)) {
      problems.push(`index.d.ts: ${row.className}.maybe_delivered is ${maybe}, the core's default is ${row.defaultMaybeDelivered}`);
    }
    // A field declared non-null must be one the core's table says the class carries.
    for (const m of d.body.matchAll(/readonly (\w+): ([^;]*);/g)) {
      if (errors.FIELDS.includes(m[1]) && !m[2].includes('null') && !row.attributes.includes(m[1])) {
        problems.push(`index.d.ts: ${row.className}.${m[1]} is declared non-null, but the class does not carry it`);
      }
    }
  }
  const inTable = (name) => table.some((row) => row.className === name);
  const extra = Object.keys(declared).filter((name) => !inTable(name) && inTable(declared[name].parent));
  if (extra.length) problems.push(`index.d.ts declares classes the core's table does not know: ${extra}`);
  assert.deepEqual(problems, [], problems.join('\n\n'));
  assert.deepEqual(Object.keys(errors.classes), table.map((row) => row.className), 'one JS class per row, in table order');
});

test('SmsOtpError is the base class, with the code internal_error, in Node as in Python', () => {
  const rootRow = errors.TABLE.find((row) => row.parentClassName == null);
  assert.equal(rootRow.className, 'SmsOtpError');
  assert.equal(sms.SmsOtpError.code, 'internal_error');
  assert.equal(rootRow.code, 'internal_error');
  assert.equal(rootRow.defaultMaybeDelivered, true);
  assert.deepEqual(rootRow.attributes, []);
});

test('the payload fields the JS layer reads are the ones the core sends', () => {
  // A payload built by the core for a configuration error has every key fromPayload reads.
  const payload = native.argumentError('configuration', 'secret', 'why');
  const details = JSON.parse(payload.details);
  for (const key of ['class_name', 'code', 'message', 'maybe_delivered', 'attempts', ...errors.FIELDS]) {
    assert.ok(key in details, key);
  }
  const err = errors.fromPayload(payload);
  assert.ok(err instanceof sms.ConfigurationError);
  assert.deepEqual([err.field, err.reason], ['secret', 'why']);
  for (const field of errors.FIELDS) {
    assert.ok(new RegExp(`readonly ${field}: `).test(dts), `index.d.ts must declare SmsOtpError.${field}`);
  }
});

test('the version is the workspace version, and package.json agrees', () => {
  const cargo = fs.readFileSync(path.join(PACKAGE_DIR, '..', 'Cargo.toml'), 'utf8');
  const workspaceVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1];
  assert.equal(sms.VERSION, workspaceVersion);
  assert.equal(require('../package.json').version, workspaceVersion, 'bump package.json with the workspace version');
});

test('the defaults documented in index.d.ts are the core defaults', () => {
  const core = errors.TABLES.defaults;
  const documented = (option) => {
    const match = new RegExp(`/\\*\\*([^*]|\\*(?!/))*\\*/\\s*${option}\\?:`).exec(dts);
    assert.ok(match, `index.d.ts documents no option ${option}`);
    return match[0];
  };
  for (const [option, want] of [
    ['timeout_ms', `Default ${core.timeout_ms}.`],
    ['connect_timeout_ms', `Default ${core.connect_timeout_ms}.`],
    ['max_retries', `Default ${core.max_retries}, at most ${core.max_max_retries}.`],
    ['retry_rate_limited', `Default ${core.retry_rate_limited}.`],
  ]) {
    assert.ok(documented(option).includes(want), `index.d.ts: the comment of ${option} must say "${want}" (the core's default)`);
  }
});

test('the testing API: the native methods, declared in testing.d.ts, and the same as Python', () => {
  const { Emulator } = require('../testing.js');
  const camel = (name) => name.replace(/_(.)/g, (_, c) => c.toUpperCase());
  // `client` makes each language's own client; the rest is the native emulator's `call`.
  const expected = [...native.NativeEmulator.methods().map(camel), 'client'].sort();
  const proto = Object.getOwnPropertyDescriptors(Emulator.prototype);
  const own = (kind) => Object.keys(proto).filter((n) => typeof proto[n][kind] === 'function' && n !== 'constructor' && n !== 'toJSON');
  assert.deepEqual(own('value').sort(), expected, 'testing.js Emulator methods');
  assert.deepEqual(own('get').sort(), ['project_id', 'secret', 'url']);
  const tdts = fs.readFileSync(path.join(PACKAGE_DIR, 'testing.d.ts'), 'utf8');
  const body = /export declare class Emulator \{([\s\S]*?)\n\}/.exec(tdts)[1];
  const declared = [...body.matchAll(/^ {2}([a-zA-Z]\w*)\(/gm)].map((m) => m[1]).filter((n) => n !== 'toJSON');
  assert.deepEqual(declared.sort(), expected, 'testing.d.ts Emulator methods');
  const python = path.join(PACKAGE_DIR, '..', 'bindings-python', 'python', 'sms_otp', 'testing.pyi');
  const pyClass = /^class Emulator:([\s\S]*?)(?=^\S)/m.exec(fs.readFileSync(python, 'utf8'))[1];
  const pyMethods = [...pyClass.matchAll(/^ {4}def ([a-z]\w*)\(\s*self/gm)].map((m) => camel(m[1]));
  assert.deepEqual(pyMethods.sort(), expected, 'sms_otp.testing.Emulator methods (Python), in camelCase');
});

/** The keys of `export interface NAME { … }` in index.d.ts, in order. */
function interfaceKeys(name) {
  const match = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(dts);
  assert.ok(match, `index.d.ts has no \`export interface ${name}\``);
  return [...match[1].matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
}

test('the options and request interfaces of index.d.ts declare the core field tables', () => {
  // Options and requests go to the Rust core whole; its tables (core/src/host/mod.rs) say
  // which keys it reads, and index.d.ts must declare exactly those.
  const core = errors.TABLES.fields;
  for (const [name, call] of [
    ['ClientOptions', 'Client'],
    ['SendRequest', 'send'],
    ['LoginOrCreateRequest', 'login_or_create'],
    ['AuthenticateRequest', 'authenticate'],
    ['Attributes', 'attributes'],
    ['AuthenticateOptions', 'authenticate_options'],
  ]) {
    assert.deepEqual(interfaceKeys(name), core[call], `index.d.ts: declare in ${name}, in this order: ${core[call].join(', ')}`);
  }
});
