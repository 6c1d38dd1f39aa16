'use strict';
// Which native package serves this machine: the napi-rs convention of one npm package per
// target (`sms-otp-linux-x64-gnu`, …, each with `os`/`cpu`/`libc` so npm installs only the
// matching one as an optional dependency of `sms-otp`). Pure functions of the platform facts,
// so the choice is unit-tested for every target (test/platform.test.js).

const fs = require('node:fs');

// The platform packages published: package.json's optionalDependencies, one per target in
// its `napi.targets` (test/platform.test.js holds the two together).
const PACKAGES = Object.keys(require('../package.json').optionalDependencies);

/**
 * The napi-rs platform name for `{ platform, arch, musl }` (`process.platform`,
 * `process.arch`, whether the C library is musl), whether or not a package exists for it.
 */
function platformName({ platform, arch, musl }) {
  if (platform === 'linux') return `linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/**
 * Where to look for the native module, in order: a local build in the package folder (a
 * development checkout: `npm run build`), then the platform package. `supported` is false
 * for a platform no package is published for.
 */
function nativeCandidates(facts) {
  const name = platformName(facts);
  return {
    name,
    supported: PACKAGES.includes(`sms-otp-${name}`),
    localFile: `sms-otp.${name}.node`,
    packageName: `sms-otp-${name}`,
  };
}

/** Whether this Linux process runs on musl (Alpine) rather than glibc. */
function isMusl() {
  if (process.platform !== 'linux') return false;
  // The C library Node itself was started with: glibc builds report its version.
  const header = process.report?.getReport?.().header;
  if (header && typeof header === 'object') return !header.glibcVersionRuntime;
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return false;
  }
}

/** The error thrown when no native module could be loaded: says what was looked for. */
function notFoundMessage(candidates, packageRoot, failures) {
  const lines = [
    `sms-otp: no native module for this platform (${candidates.name}).`,
    candidates.supported
      ? `It ships in the optional dependency "${candidates.packageName}", which is not installed. ` +
        'Installs that skip optional dependencies (npm --omit=optional, --no-optional) or that ' +
        'were copied from another OS or CPU leave it out: reinstall sms-otp on this machine.'
      : `No prebuilt package exists for ${candidates.name}; supported: ${PACKAGES.map((p) => p.slice('sms-otp-'.length)).join(', ')}.`,
    `In a source checkout, build it with Rust (https://rustup.rs): ` +
      `\`npm install && npm run build\` in ${packageRoot} (writes ${candidates.localFile}).`,
  ];
  if (failures.length > 0) lines.push(`Load errors: ${failures.join('; ')}`);
  return lines.join('\n');
}

module.exports = { platformName, nativeCandidates, isMusl, notFoundMessage };
