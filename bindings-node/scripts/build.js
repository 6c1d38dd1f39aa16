'use strict';
// Builds the native module from source: the `install` script of the package, so that
// `npm install ./bindings-node` works on a machine with Rust.
//
//   node scripts/build.js            debug build (tests, development)
//   node scripts/build.js --release  optimised build (what a published package ships)
//
// SMS_OTP_RELEASE=1 also selects the release build. Builds with the napi-rs CLI (a
// dependency of the package, from npm); where it is missing (installed with scripts or
// dependencies left out), with plain cargo plus a copy, which gives the same file.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const release = process.argv.includes('--release') || process.env.SMS_OTP_RELEASE === '1';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The suffix `napi build --platform` gives this machine (`linux-x64-gnu`, …). */
function platformSuffix() {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'win32') return `${base}-msvc`;
  if (process.platform !== 'linux') return base;
  let musl = false;
  try {
    musl = fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    musl = !process.report?.getReport?.().header?.glibcVersionRuntime;
  }
  return `${base}-${musl ? 'musl' : 'gnu'}`;
}

/** The napi-rs CLI's entry script, or null when it is not installed. */
function napiCli() {
  let manifest;
  try {
    manifest = require.resolve('@napi-rs/cli/package.json', { paths: [root] });
  } catch {
    return null;
  }
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin.napi);
}

const cli = napiCli();
if (cli !== null) {
  // `napi build --platform` writes sms-otp.<platform>.node here (lib/native.js loads it) and
  // native.d.ts (the native functions' types, for reading; lib/*.js is the public surface).
  // It passes an explicit --target, so its artifacts live under target/<triple>/, apart
  // from a plain `cargo build`.
  run(process.execPath, [
    cli,
    'build',
    '--platform',
    '--no-js',
    '--dts',
    'native.d.ts',
    '--manifest-path',
    'Cargo.toml',
    '--output-dir',
    '.',
    ...(release ? ['--release'] : []),
  ]);
} else {
  const manifest = path.join(root, 'Cargo.toml');
  run('cargo', ['build', '--manifest-path', manifest, '--lib', ...(release ? ['--release'] : [])]);
  const meta = spawnSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', manifest], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (meta.status !== 0) {
    process.stderr.write(meta.stderr);
    process.exit(1);
  }
  const targetDir = JSON.parse(meta.stdout).target_directory;
  const libName = { win32: 'sms_otp_node.dll', darwin: 'libsms_otp_node.dylib' }[process.platform] ?? 'libsms_otp_node.so';
  const built = path.join(targetDir, release ? 'release' : 'debug', libName);
  const dest = path.join(root, `sms-otp.${platformSuffix()}.node`);
  fs.copyFileSync(built, dest);
  console.log(`built ${path.relative(root, dest)} from ${built}`);
}
