#!/usr/bin/env -S node --single-threaded-gc
// The flag keeps real-time media threads from stalling on V8's GC helpers
// (src/telephony/media/worker/gc-priority.ts); `node bin/habla.js` without it works too.
// Runs the TypeScript sources directly through tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2));
