'use strict';
// After `napi create-npm-dirs`: puts LICENSE-MIT and LICENSE-APACHE into every platform
// package under npm/ and lists them in its `files`, so each published tarball carries the
// licences (napi-rs generates those packages without them). Used by the release workflow and
// tests/packaging/build-dist.
//
//   node scripts/licence-platform-packages.js [PACKAGE_DIR]    (default: this package)

const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const licences = ['LICENSE-MIT', 'LICENSE-APACHE'];
const npmDir = path.join(packageDir, 'npm');
const platforms = fs.existsSync(npmDir) ? fs.readdirSync(npmDir) : [];
if (platforms.length === 0) {
  console.error(`no platform packages in ${npmDir}: run napi create-npm-dirs first`);
  process.exit(1);
}
for (const platform of platforms) {
  const dir = path.join(npmDir, platform);
  for (const licence of licences) fs.copyFileSync(path.join(packageDir, licence), path.join(dir, licence));
  const manifest = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  pkg.files = [...new Set([...(pkg.files ?? []), ...licences])];
  fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}
console.log(`licences added to ${platforms.length} platform packages`);
