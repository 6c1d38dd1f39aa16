'use strict';
// The inputs of the bad-input sweep (bad-input-sweep.test.js): a seeded PRNG, catalogues of
// hostile JS values (wrong types, 10 MB strings, non-BMP text, lone surrogates, NaN /
// Infinity / -0 / huge numbers and BigInts, Symbols, nested junk, throwing getters, Proxies,
// frozen and null-prototype objects, unknown keys) and, per argument of every Node surface,
// a generator of good values and one of bad values. Kept apart from the runner so that the
// catalogue can grow without touching how outcomes are judged.

/** sfc32: small, fast, and the same sequence for the same seed on every platform. */
function prng(seed) {
  let [a, b, c, d] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0];
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i += 1) next();
  const rng = {
    random: next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
  };
  return rng;
}

/** What throwing getters and Proxy traps throw: the caller's own exception, which must come
 * back out unchanged (the same object), never wrapped, swallowed or turned into a crash. */
class Boom extends Error {}
const BOOM = new Boom('thrown by a getter or Proxy trap of the caller');

const MB10 = 10 * 1024 * 1024;
const LONE = '\ud800';
const HUGE = {
  ascii: '9'.repeat(MB10),
  plus: '+' + '1'.repeat(MB10 - 1),
  astral: '\u{1F600}'.repeat(MB10 / 4), // 10 MB of UTF-8, all outside the BMP
  surrogates: '\ud800'.repeat(MB10 / 3), // invalid UTF-16 throughout
};
const HUGE_VALUES = new Set(Object.values(HUGE));

function nested(depth) {
  let value = [];
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { k: value };
  return value;
}

function throwingGetter(key = 'k') {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw BOOM;
    },
  });
}

function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Numbers and BigInts of every awkward kind: a TypeError for any string or object field. */
const NUMBERS = [
  0, 1, -1, -0, NaN, Infinity, -Infinity, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE,
  0n, 10n, -1n, 2n ** 64n, -(2n ** 1000n),
];
/**
 * Values that are neither strings, numbers nor plain objects with known keys: wrong for
 * every argument (a TypeError, or the BOOM of a throwing getter or trap).
 */
const OBJECTS = [
  true, false, Symbol('junk'), Symbol.iterator, [], ['+12025550162'], [LONE], { toString: () => '+12025550162' },
  new String('+12025550162'), new Number(5), new Boolean(true), Buffer.from('+12025550162'), new Uint8Array(8),
  new ArrayBuffer(16), new Date(), /re/, () => '+12025550162', class {}, new Map([[1, 2]]), new Set([1]),
  new WeakMap(), Promise.resolve('+12025550162'), new Error('x'), nested(50), nested(2000), throwingGetter(),
  new Proxy({}, { get() { throw BOOM; } }), new Proxy({}, { ownKeys() { throw BOOM; } }), revokedProxy(),
  Object.freeze({ a: 1 }), globalThis, process.env,
];
/** Plain objects with no bad key: fine where an object is expected, wrong for a string. */
const EMPTY_OBJECTS = [{}, Object.create(null)];
/** For a string field. */
const NOT_STRING = [...NUMBERS, ...OBJECTS, ...EMPTY_OBJECTS];
/** For an integer field (a number or a BigInt), on top of its own out-of-range values. */
const NOT_INTEGER = [1.5, 5e-324, NaN, Infinity, -Infinity, '5', '', ...OBJECTS, ...EMPTY_OBJECTS];
/** For a milliseconds field: none of these is a positive, finite number of at most a day. */
const BAD_MS = [
  NaN, Infinity, -Infinity, -0, 0, -1, -1e300, 1e300, 5e-324, 86_400_001, 5n, '5', '', ...OBJECTS, ...EMPTY_OBJECTS,
];
/** For an object field: wrong types, and objects of the wrong kind. */
const NOT_OBJECT = [...NUMBERS, ...OBJECTS, '', 'x', LONE];

/** A 10 MB value only one time in ten it is drawn: they cost milliseconds each. */
function pick(rng, values) {
  for (;;) {
    const value = rng.pick(values);
    if (!HUGE_VALUES.has(value) || rng.chance(0.1)) return value;
  }
}

/**
 * The object an options / request argument arrives in. Frozen, null-prototype, transparent
 * Proxy and class-instance containers are all fine (the "bad" flag is false); an unknown key,
 * a throwing getter or a throwing Proxy trap makes the argument bad.
 */
function container(rng, fields, allowBad) {
  const plain = { ...fields };
  const kinds = ['plain', 'plain', 'plain', 'frozen', 'null-proto', 'proxy', 'instance'];
  if (allowBad) kinds.push('unknown-key', 'camelCase-key', 'getter', 'trap', 'symbol-key');
  const kind = rng.pick(kinds);
  switch (kind) {
    case 'frozen':
      return { value: Object.freeze(plain), bad: false };
    case 'null-proto':
      return { value: Object.assign(Object.create(null), plain), bad: false };
    case 'proxy':
      return { value: new Proxy(plain, {}), bad: false };
    case 'instance': {
      class Options {}
      return { value: Object.assign(new Options(), plain), bad: false };
    }
    case 'unknown-key':
      return { value: { ...plain, [rng.pick(['extra', 'timeout', 'env', '__proto__x', '', LONE])]: 1 }, bad: true };
    case 'camelCase-key':
      return { value: { ...plain, phoneNumber: '+12025550162', projectId: 'p' }, bad: true };
    case 'getter': {
      const keys = Object.keys(plain);
      const key = keys.length > 0 ? rng.pick(keys) : 'phone_number';
      return { value: Object.defineProperty({ ...plain }, key, { enumerable: true, get() { throw BOOM; } }), bad: true };
    }
    case 'trap':
      return { value: new Proxy(plain, { [rng.pick(['get', 'ownKeys', 'getOwnPropertyDescriptor'])]() { throw BOOM; } }), bad: true };
    case 'symbol-key':
      // Symbol keys are not options: ignored like any non-enumerable property would be.
      return { value: { ...plain, [Symbol('x')]: 1 }, bad: false };
    default:
      return { value: plain, bad: false };
  }
}

/** One argument: `good(rng)` and `bad(rng)` generators; `undefined` means "left out". */
const arg = (good, bad) => ({ good, bad });

const BAD_PHONES = [
  '', ' ', '\0', '\n', '+', '+1', '+0', '+0123456789', '12025550162', '0012025550162', '+1 202 555 0162',
  '+1-202-555-0162', '(202) 555-0162', '+1202555016a', '+１２０２５５５０１６２', '+\u{1F600}', '\u{1F600}'.repeat(3),
  LONE, `+1202555${LONE}`, '\udfff\ud800', '+999123456', '+1234567890123456', '+' + '1'.repeat(100),
  '+12025550162\u200b', '\u202e+12025550162', '+12025550162\0', 'null', 'undefined', '+12025550162 ',
  ' +12025550162', HUGE.ascii, HUGE.plus, HUGE.astral, HUGE.surrogates,
];
const BLANK = ['', ' ', '\t\n', LONE, '\udfff', `a${LONE}b`, HUGE.surrogates];

function sendArguments() {
  return {
    phone_number: arg(
      (r) => r.pick(['+12025550162', '+10000000000', '+442079460958', '+15005550006']),
      (r) => pick(r, [...BAD_PHONES, ...NOT_STRING, undefined, null]),
    ),
    expiration_minutes: arg(
      (r) => r.pick([undefined, null, 1, 5, 10, 2n, 10n]),
      (r) => pick(r, [0, -0, 11, -1, 2 ** 31, 2 ** 53, -1e300, 1e300, 0n, 11n, -1n, 2n ** 64n, 2n ** 1000n, ...NOT_INTEGER]),
    ),
    attributes: arg(
      (r) => r.pick([undefined, null, {}, { ip_address: '203.0.113.7' }, { ip_address: '::1', user_agent: 'UA \u{1F600}' }]),
      (r) =>
        pick(r, [
          { ip_address: 'not an ip' }, { ip_address: '256.1.1.1' }, { ip_address: LONE }, { ip_address: HUGE.ascii },
          { user_agent: HUGE.astral }, { user_agent: 'a'.repeat(1025) }, { user_agent: '\u{1F600}'.repeat(1025) },
          { ip_address: 1 }, { ip_address: { a: [1] } }, { user_agent: [LONE] }, { other: 'x' },
          { ip_address: '1.2.3.4', x: nested(30) }, throwingGetter('ip_address'), '203.0.113.7', ['ip_address'],
          ...NOT_OBJECT,
        ]),
    ),
    locale: arg(
      (r) => r.pick([undefined, null, 'en', 'es', 'pt-br', 'de-DE', 'zh-Hans', 'ca-ES', 'fa', 'cs']),
      (r) => pick(r, ['EN', 'pt-BR', 'de', 'zh', 'xx', '', ' en', LONE, '\u{1F600}', HUGE.ascii, HUGE.surrogates, ...NOT_STRING]),
    ),
    // Real user ids and sessions would tie numbers to users across calls: left out when good.
    user_id: arg(() => undefined, (r) => pick(r, [...BLANK, ...NOT_STRING])),
    session_token: arg(() => undefined, (r) => pick(r, [...BLANK, ...NOT_STRING])),
    session_jwt: arg(() => undefined, (r) => pick(r, [...BLANK, ...NOT_STRING])),
  };
}

/** The second argument of send: `{ signal }`. */
function sendOptions(rng, bad) {
  if (!bad) {
    return rng.pick([undefined, null, {}, { signal: undefined }, { signal: new AbortController().signal }]);
  }
  return pick(rng, [
    { signal: {} }, { signal: 'abort' }, { signal: { aborted: 'no', addEventListener() {}, removeEventListener() {} } },
    { signal: new EventTarget() }, { signal: throwingGetter('aborted') }, { other: 1 }, { Signal: null },
    throwingGetter('signal'), { signal: new Date() }, ...NOT_OBJECT,
  ]);
}

function clientArguments(notPem) {
  return {
    project_id: arg(
      () => 'project-test-6c4d8b7e-0000-4000-8000-000000000001',
      (r) => pick(r, ['', ' ', 'a:b', 'p\n', 'p\0', ' p', LONE, HUGE.surrogates, ...NOT_STRING, undefined, null]),
    ),
    secret: arg(
      () => 'secret-test-MARK-5f2c-9d1e',
      (r) => pick(r, ['', '\t', 's\r\n', 's\x7f', LONE, ...NOT_STRING, undefined, null]),
    ),
    environment: arg(
      (r) => r.pick([undefined, null, 'test', 'live']),
      // With a base_url given, a URL environment is ignored (base_url wins): only names here.
      (r) => pick(r, ['prod', '', 'TEST', ' test', LONE, '\u{1F600}', HUGE.ascii, ...NOT_STRING]),
    ),
    base_url: arg(
      (r) => r.pick(['http://127.0.0.1:9', 'https://proxy.example/stytch', new URL('http://[::1]:9/p/')]),
      (r) =>
        pick(r, [
          '', 'not a url', 'http://example.com', 'ftp://127.0.0.1', 'https://u:p@x.com', 'https://x.com/?q=1',
          'http://localhost.evil.com', 'https://', LONE, 'https://\u{1F600}.com:99999', HUGE.ascii,
          'https://' + 'a'.repeat(70000) + '.com', new URL('file:///etc/passwd'), ...NOT_STRING,
        ]),
    ),
    timeout_ms: arg((r) => r.pick([undefined, null, 500, 10000, 86_400_000]), (r) => pick(r, BAD_MS)),
    connect_timeout_ms: arg((r) => r.pick([undefined, 3000, 1.5]), (r) => pick(r, BAD_MS)),
    max_retries: arg(
      (r) => r.pick([undefined, 0, -0, 2, 10, 3n]),
      (r) => pick(r, [11, -1, 1e300, -1e300, 2 ** 53, 11n, -1n, 2n ** 64n, 2n ** 1000n, ...NOT_INTEGER]),
    ),
    retry_rate_limited: arg(
      (r) => r.pick([undefined, null, true, false]),
      (r) => pick(r, [1, 0, 'yes', '', ...NUMBERS, ...OBJECTS.filter((v) => typeof v !== 'boolean'), ...EMPTY_OBJECTS]),
    ),
    allowed_country_codes: arg(
      (r) => r.pick([undefined, null, ['1'], ['1', '44'], Object.freeze(['44'])]),
      (r) =>
        pick(r, [
          [], ['+44'], ['999'], ['0'], [''], [LONE], [HUGE.ascii], [...Array(1000).fill('1'), 'x'], '1', [1], [['1']],
          { 0: '1', length: 1 }, [null], [undefined], [throwingGetter()], new Proxy(['1'], { get() { throw BOOM; } }),
          new Set(['1']), ...NOT_OBJECT,
        ]),
    ),
    user_agent_suffix: arg(
      (r) => r.pick([undefined, 'myapp/1.0']),
      (r) => pick(r, ['\n', 'a\r\nX-Evil: 1', 'é', '\u{1F600}', 'a'.repeat(257), LONE, HUGE.ascii, ...NOT_STRING]),
    ),
    ca_file: arg(
      () => undefined,
      (r) =>
        pick(r, [
          '/nonexistent/ca.pem', '/', '/tmp', '/dev/null', '/dev/zero', '/dev/urandom', notPem, 'a\0b', LONE,
          HUGE.ascii, '', new URL('file:///nonexistent.pem'), new URL('http://127.0.0.1/ca.pem'), ...NOT_STRING,
        ]),
    ),
  };
}

/**
 * The STYTCH_* environment of `Client.fromEnv` (values there are always strings; Node
 * stores a lone surrogate as U+FFFD, so that one is not bad).
 */
function envArguments() {
  return {
    STYTCH_PROJECT_ID: arg(
      (r) => r.pick(['project-test-6c4d8b7e-0000-4000-8000-000000000001', `p${LONE}`, '\u{1F600}']),
      (r) => pick(r, [undefined, '', ' ', '\t', 'x\ny', ' p', 'a:b']),
    ),
    // Not a 10 MB secret: valid, but 0.4 s per client in a debug build (a 13 MB header).
    STYTCH_SECRET: arg((r) => r.pick(['secret-test-env', 's'.repeat(1000)]), (r) => pick(r, [undefined, '', ' ', 's\r\n'])),
    STYTCH_BASE_URL: arg(
      (r) => r.pick([undefined, 'http://127.0.0.1:9', 'https://proxy.example/stytch']),
      (r) => pick(r, ['', 'live', 'ftp://x', 'http://example.com', 'https://', HUGE.ascii, 'a'.repeat(70000), `http://${LONE}`]),
    ),
  };
}

function normalizeArguments() {
  return {
    text: arg(
      // Numbers with '+', so that every good region reads them.
      (r) => r.pick(['+44 20 7946 0958', '+1 (202) 555-0162', '+12025550162', '+1.202.555.0162']),
      (r) =>
        pick(r, [
          '', ' ', '\0', '\n', 'hello', '+', '+1', '+0 1', '1', '+999 123 456', '1'.repeat(300), '+' + '1'.repeat(100),
          '\u{1F600}', '\u{1F600}'.repeat(12), '０', LONE, `+1 202 555 ${LONE}`, '\udfff\ud800', 'null',
          ...Object.values(HUGE), ...NOT_STRING, undefined, null,
        ]),
    ),
    default_region: arg(
      (r) => r.pick([undefined, null, 'US', 'gb', 'GB']),
      (r) => pick(r, ['', 'XX', 'USA', 'U', 'ü', LONE, '\u{1F600}', HUGE.ascii, ...NOT_STRING]),
    ),
  };
}

function emulatorStartArguments() {
  return {
    // Only hosts that never need DNS: a name would be looked up (off the machine). An IP
    // that is not this machine's fails to bind; a NUL fails before any lookup.
    host: arg(
      (r) => r.pick([undefined, null, '127.0.0.1', 'localhost']),
      (r) => pick(r, ['\0', 'a\0b', LONE, '1.2.3.4', '::2', ...NOT_STRING]),
    ),
    port: arg(
      (r) => r.pick([undefined, null, 0, 0n]),
      (r) => pick(r, [65536, 2 ** 32, -1, 1e300, -1n, 2n ** 16n, 2n ** 64n, ...NOT_INTEGER]),
    ),
    project_id: arg(
      (r) => r.pick([undefined, 'project-test-11111111-1111-4111-8111-111111111111', '\u{1F600}']),
      (r) => pick(r, ['', ' ', 'a:b', 'project-live-x', ' PROJECT-LIVE-x', LONE, HUGE.surrogates, ...NOT_STRING]),
    ),
    secret: arg(
      (r) => r.pick([undefined, 'secret-test-x']),
      (r) => pick(r, ['', 'secret-live-x', '\n', LONE, ...NOT_STRING]),
    ),
    seed: arg(
      (r) => r.pick([undefined, 0, 7, 0n, 2n ** 64n - 1n, Number.MAX_SAFE_INTEGER]),
      (r) => pick(r, [-1, -1n, 2n ** 64n, 2 ** 53, 1.5, NaN, '7', ...OBJECTS, ...EMPTY_OBJECTS]),
    ),
    allowed_country_codes: arg(
      (r) => r.pick([undefined, ['1'], ['1', '44']]),
      (r) => pick(r, [[], ['999'], ['+1'], [LONE], [1], '1', [['1']], [throwingGetter()], { length: 1 }, ...NUMBERS]),
    ),
    rate_limit: arg(
      (r) => r.pick([undefined, 0, 1, 5, 2 ** 32 - 1]),
      (r) => pick(r, [2 ** 32, -1, 2n ** 64n, -1n, ...NOT_INTEGER]),
    ),
    // 1e22 ms is a valid (if absurd) window: the send after such a start checks its arithmetic.
    rate_window_ms: arg(
      (r) => r.pick([undefined, 1, 60_000, 1e22]),
      (r) => pick(r, [0.5, 0, -0, -1, 1e300, NaN, Infinity, -Infinity, 5n, '5', ...OBJECTS, ...EMPTY_OBJECTS]),
    ),
  };
}

/** Good-or-bad values for every argument of `spec`, at least one bad unless `allGood`. */
function draw(rng, spec, allGood = false) {
  return drawFlagged(rng, spec, allGood).fields;
}

/** `draw`, saying whether any argument was drawn bad. */
function drawFlagged(rng, spec, allGood = false) {
  const names = Object.keys(spec);
  let bad = new Set();
  if (!allGood) {
    if (rng.chance(0.5)) bad.add(rng.pick(names));
    else bad = new Set(names.filter(() => rng.chance(0.3)));
    if (bad.size === 0) bad.add(rng.pick(names));
  }
  const out = {};
  for (const name of names) {
    const value = bad.has(name) ? spec[name].bad(rng) : spec[name].good(rng);
    // A left-out argument is sometimes absent, sometimes present as undefined.
    if (value !== undefined || rng.chance(0.5)) out[name] = value;
  }
  return { fields: out, bad: bad.size > 0, badNames: bad };
}

/** A short description of a value for failure reports (never 10 MB of it). */
function describe(value, depth = 0) {
  if (typeof value === 'string') {
    return value.length > 60 ? `<string of ${value.length} code units>` : JSON.stringify(value);
  }
  if (typeof value === 'bigint') return `${value > 10n ** 30n || value < -(10n ** 30n) ? '<huge>' : value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return '<function>';
  if (value === null || typeof value !== 'object') return String(value);
  if (depth > 2) return '<…>';
  try {
    if (Array.isArray(value)) return `[${value.slice(0, 5).map((v) => describe(v, depth + 1)).join(', ')}${value.length > 5 ? ', …' : ''}]`;
    const keys = Reflect.ownKeys(value).slice(0, 12);
    return `{${keys
      .map((k) => {
        const d = Object.getOwnPropertyDescriptor(value, k);
        return `${String(k)}: ${d && 'value' in d ? describe(d.value, depth + 1) : '<getter>'}`;
      })
      .join(', ')}}`;
  } catch {
    return '<object that throws when inspected>';
  }
}

module.exports = {
  prng,
  Boom,
  BOOM,
  HUGE,
  LONE,
  container,
  draw,
  drawFlagged,
  describe,
  sendArguments,
  sendOptions,
  clientArguments,
  envArguments,
  normalizeArguments,
  emulatorStartArguments,
  NOT_STRING,
  NOT_OBJECT,
  NOT_INTEGER,
  OBJECTS,
  EMPTY_OBJECTS,
  NUMBERS,
  nested,
  throwingGetter,
  pick,
};
