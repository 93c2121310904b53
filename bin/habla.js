#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=4
// The flags keep real-time media threads from stalling on V8's GC (SERVE_NODE_FLAGS in
// src/telephony/media/worker/gc-priority.ts); `node bin/habla.js` without them works too.
// Runs the TypeScript sources directly through tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2));
