import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { SERVE_NODE_FLAGS } from '../src/telephony/media/worker/gc-priority.ts';

// `npm run bench:api`: GET /v1/call/{id} on Habla's real app (SQLite, bearer key, schemas)
// against a bare Fastify route returning the same bytes, each in its own child process and
// measured one after the other in this run. It prints figures; it never fails on them.
// Knobs: BENCH_CONNECTIONS (50), BENCH_DURATION (10 s), BENCH_WARMUP (3 s),
// BENCH_LOG_LEVEL (the server's default, info; `silent` for no logger), BENCH_PROFILE=<dir>.

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
/** A directory: the Habla child writes a V8 CPU profile there (open it in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_PROFILE;
const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 10;

interface Ready {
  ready: true;
  port: number;
  callId?: string;
}

function start(script: string, env: Record<string, string> = {}, message?: unknown, profile = false): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(path.join(here, 'servers', script), [], {
    // Habla runs with the node flags `habla serve` has; the bare route is plain node.
    execArgv: ['--import', 'tsx', ...(script === 'habla.ts' ? SERVE_NODE_FLAGS : []), ...(profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.once('message', (ready: Ready) => resolve({ child, ready }));
    if (message !== undefined) child.send(message as object);
  });
}

async function measure(url: string, headers: Record<string, string>): Promise<Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.disconnect();
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

function line(name: string, r: Result): string {
  const bad = r.non2xx + r.errors + r.timeouts;
  return `${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${r.latency.p50.toFixed(1).padStart(5)} ms   p99 ${r.latency.p99.toFixed(1).padStart(5)} ms${bad ? `   (${bad} non-2xx/errors!)` : ''}`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'habla-bench-'));
  const adminKey = `hbl_bench_${randomBytes(16).toString('hex')}`;
  const children: ChildProcess[] = [];
  try {
    const habla = await start('habla.ts', { BENCH_DATA_DIR: dataDir, BENCH_ADMIN_KEY: adminKey }, undefined, true);
    children.push(habla.child);
    const hablaUrl = `http://127.0.0.1:${habla.ready.port}/v1/call/${habla.ready.callId}`;
    const auth = { authorization: `Bearer ${adminKey}` };
    const sample = await fetch(hablaUrl, { headers: auth });
    const body = await sample.text();
    if (sample.status !== 200) throw new Error(`GET /v1/call/{id} answered ${sample.status}: ${body.slice(0, 200)}`);

    const bare = await start('bare.ts', {}, { body });
    children.push(bare.child);
    const bareUrl = `http://127.0.0.1:${bare.ready.port}/v1/call/${habla.ready.callId}`;
    const same = await (await fetch(bareUrl)).text();
    if (same !== body) throw new Error('the bare route does not return the same bytes');

    console.log(`GET /v1/call/{id}: ${Buffer.byteLength(body)} bytes, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s each, ` +
      `habla log level ${process.env.BENCH_LOG_LEVEL ?? 'info'}, node ${process.version}`);
    const bareResult = await measure(bareUrl, {});
    const hablaResult = await measure(hablaUrl, auth);
    const ratio = hablaResult.requests.average / bareResult.requests.average;
    console.log(line('bare fastify (floor)', bareResult));
    console.log(line('habla (auth+SQLite+schema)', hablaResult));
    console.log(`ratio habla/bare: ${ratio.toFixed(2)}   target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
    console.log(`habla p99: ${hablaResult.latency.p99.toFixed(1)} ms   target < ${TARGET_P99_MS} ms: ${hablaResult.latency.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`);
  } finally {
    await Promise.all(children.map(stop));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
