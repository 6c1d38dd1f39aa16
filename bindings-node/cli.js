#!/usr/bin/env node
'use strict';
// `npx sms-otp …`: the package's command line (`sms-otp emulator`, `sms-otp send`). It is the
// Rust `sms-otp` program itself, run from the native module, so flags and output are the same
// as `cargo install sms-otp-cli` and the Python package's `sms-otp`; see docs/cli.md.

const native = require('./lib/native.js');

// The native command shuts the emulator down on SIGINT/SIGTERM and installs its own handler,
// which also calls the one it replaces. Node's default handler re-raises the signal, which
// would land in the native handler again, forever; a listener makes libuv's plain handler the
// one underneath instead.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});

process.exitCode = native.runCli(['sms-otp', ...process.argv.slice(2)]);
