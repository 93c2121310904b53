import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSecretBox } from '../src/lib/secret-box.ts';
import { migrateToLatest, openStore, type Store } from '../src/store/database.ts';
import { CallRepository } from '../src/store/repositories/calls.ts';
import { ContactRepository } from '../src/store/repositories/contacts.ts';
import { ProjectRepository } from '../src/store/repositories/projects.ts';
import { WebhookRepository } from '../src/store/repositories/webhooks.ts';
import { WebhookDispatcher } from '../src/webhooks/dispatcher.ts';

// `npm run bench:webhooks`: the real dispatcher (default options, signed deliveries) on SQLite
// in a temp dir, delivering to a local node:http receiver that answers 200. Two phases:
//  1. steady load — BENCH_CALLS calls × 3 status changes (dialing, in_progress, completed)
//     written through CallRepository at BENCH_RATE changes/s: delay from the status change
//     (the payload's created_at, taken in the committing transaction) to receipt, p50/p99;
//  2. backlog — BENCH_BACKLOG_CALLS × 3 events written with the dispatcher stopped, then
//     drained: the most deliveries/s it sustains.
// It prints figures; it never fails on them. Receiver and dispatcher share this process.
// Knobs: BENCH_CALLS (1000), BENCH_RATE (300), BENCH_WEBHOOKS (1), BENCH_BACKLOG_CALLS (1000),
// BENCH_DRAIN_TIMEOUT (20 s per phase).

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 1);
const BACKLOG_CALLS = Number(process.env.BENCH_BACKLOG_CALLS ?? 1000);
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT ?? 20) * 1000;
/** Calls in progress at once: each gets its 3 changes spread over the window, as real calls do. */
const WINDOW = 50;

interface Receipt { at: number; createdAt: number }

function startReceiver(): Promise<{ url: string; receipts: Receipt[]; close: () => Promise<void> }> {
  const receipts: Receipt[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { created_at: string };
      receipts.push({ at, createdAt: Date.parse(body.created_at) });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    receipts,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status changes of `calls` calls, WINDOW calls at a time: all create, all answer, all finish. */
async function writeChanges(store: Store, projectId: string, calls: number, ratePerSecond: number): Promise<number> {
  const repo = new CallRepository(store.db);
  const contacts = new ContactRepository(store.db);
  const started = performance.now();
  let done = 0;
  const paced = async (change: () => Promise<unknown>) => {
    if (ratePerSecond > 0) {
      const due = started + (done * 1000) / ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await change();
    done += 1;
  };
  for (let first = 0; first < calls; first += WINDOW) {
    const ids: string[] = [];
    for (let i = first; i < Math.min(first + WINDOW, calls); i += 1) {
      const number = `+3491${String(i).padStart(7, '0')}`;
      await paced(async () => {
        const contact = await contacts.findOrCreate(projectId, 'call', number);
        const call = await repo.create({
          projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
          type: 'outbound', status: 'dialing', fromNumber: null, toNumber: number, dynamicVariables: {},
        });
        ids.push(call.id);
      });
    }
    for (const id of ids) await paced(() => repo.markAnswered(id));
    for (const id of ids) await paced(() => repo.finish(id, 'completed', 'user_hangup'));
  }
  return (performance.now() - started) / 1000;
}

async function waitForReceipts(receipts: Receipt[], expected: number): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (receipts.length < expected) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rate(receipts: Receipt[]): number {
  if (receipts.length < 2) return NaN;
  const seconds = (receipts[receipts.length - 1]!.at - receipts[0]!.at) / 1000;
  return receipts.length / Math.max(seconds, 0.001);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'habla-bench-webhooks-'));
  const store = openStore(`sqlite:${path.join(dir, 'habla.db')}`);
  const rx = await startReceiver();
  const secretBox = createSecretBox(randomBytes(32));
  const newDispatcher = () => new WebhookDispatcher({ db: store.db, secretBox, allowPrivateNetworks: true });
  let dispatcher = newDispatcher();
  try {
    await migrateToLatest(store);
    const projects = new ProjectRepository(store.db);
    const project = await projects.create(await projects.createProfile('Bench'), 'Bench', null);
    const hooks = new WebhookRepository(store.db);
    for (let i = 0; i < WEBHOOKS; i += 1) {
      await hooks.create(project.id, rx.url, ['status_changed'], secretBox.seal(`whsec_${randomBytes(24).toString('hex')}`));
    }
    console.log(`webhooks bench: SQLite, ${WEBHOOKS} endpoint(s) answering 200 on 127.0.0.1, dispatcher defaults (4 in flight per endpoint)`);

    // Phase 1: steady load.
    dispatcher.start();
    const expected = CALLS * 3 * WEBHOOKS;
    const writeSeconds = await writeChanges(store, project.id, CALLS, RATE);
    const complete = await waitForReceipts(rx.receipts, expected);
    const steady = rx.receipts.splice(0);
    const delays = steady.map((r) => r.at - r.createdAt).sort((a, b) => a - b);
    console.log(`\nsteady load: ${CALLS} calls × 3 changes at ${RATE}/s (written in ${writeSeconds.toFixed(1)} s)`);
    console.log(`  delivered   ${steady.length}/${expected}${complete ? '' : ' (timed out waiting for the rest)'}`);
    console.log(`  throughput  ${rate(steady).toFixed(0)} deliveries/s (bounded by the offered rate)`);
    console.log(`  delay       p50 ${percentile(delays, 50)} ms   p99 ${percentile(delays, 99)} ms   max ${delays[delays.length - 1]} ms  (status change → receipt)`);

    // Phase 2: a backlog written while no dispatcher runs, then drained.
    await dispatcher.stop();
    if (BACKLOG_CALLS > 0) {
      await writeChanges(store, project.id, BACKLOG_CALLS, 0);
      const backlog = BACKLOG_CALLS * 3 * WEBHOOKS;
      dispatcher = newDispatcher();
      const started = Date.now();
      dispatcher.start();
      const drained = await waitForReceipts(rx.receipts, backlog);
      const seconds = (Date.now() - started) / 1000;
      console.log(`\nbacklog drain: ${backlog} pending events`);
      console.log(`  delivered   ${rx.receipts.length}/${backlog} in ${seconds.toFixed(1)} s${drained ? '' : ' (timed out)'}`);
      console.log(`  throughput  ${(rx.receipts.length / seconds).toFixed(0)} deliveries/s`);
    }
  } catch (error) {
    console.error('webhooks bench could not complete:', error);
  } finally {
    await dispatcher.stop();
    await rx.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
