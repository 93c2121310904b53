import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient, createPublishedAgent, importNumber } from '../test/helpers/telephony.ts';
import { machineCpuMs, mediaWindow, percentile, processCpuMs, scrapeMedia, type MediaSnapshot, type MediaWindow } from './sip/figures.ts';
import { startBenchServer } from './sip/habla-server.ts';
import { raiseDefaultReceiveBuffer } from './sip/socket-buffers.ts';
import { readDrops, type DropCounts } from './sip/socket-drops.ts';
import { startLoad, type CallerMedia, type LoadResult } from './sip/sipp-load.ts';

// `npm run bench:sip`: calls with media against a real `habla serve`. SIPp dials Habla's
// inbound number at rising rates (steps); every call has PCMU RTP both ways (SIPp echoes what
// Habla sends, or streams a tone) and holds for BENCH_SIP_HOLD_S, so concurrency climbs to
// rate × hold. The agent has no greeting: Habla answers, sends paced G.711 silence every 20 ms,
// receives the caller's stream and records both channels, the full media path of a live call. In each step, once concurrency is steady,
// a window of BENCH_SIP_WINDOW_S is measured from Habla's /metrics (send jitter of every packet,
// packets received and lost) and /proc (CPU). Steps stop at the first that does not hold.
// It prints figures; it never fails on them.
// Knobs: BENCH_SIP_RATES (10,25,50,55,60 calls/s), BENCH_SIP_HOLD_S (6: 50 calls/s hold the
// target's 300 calls), BENCH_SIP_WINDOW_S (10),
// BENCH_SIP_ALL_STEPS=1 (go on after a failed step), BENCH_PROFILE=<dir> (V8 CPU profile of Habla),
// BENCH_SIP_NODE_ARGS (node flags for Habla, e.g. "--trace-gc"), BENCH_SIP_HABLA_LOG=<file> (Habla's
// output, written to <file>.<mode> when the mode ends),
// BENCH_SIP_MEDIA (workers,main: the media modes compared side by side), BENCH_SIP_CALLER_MEDIA
// (echo: SIPp echoes Habla's RTP, so loss covers both directions; stream: callers stream a tone).

const RATES = (process.env.BENCH_SIP_RATES ?? '10,25,50,55,60').split(',').map(Number);
const HOLD_S = Number(process.env.BENCH_SIP_HOLD_S ?? 6);
const WINDOW_S = Number(process.env.BENCH_SIP_WINDOW_S ?? 10);
const ALL_STEPS = process.env.BENCH_SIP_ALL_STEPS === '1';
const PROFILE_DIR = process.env.BENCH_PROFILE;
const NODE_ARGS = (process.env.BENCH_SIP_NODE_ARGS ?? '').split(' ').filter(Boolean);
const HABLA_LOG = process.env.BENCH_SIP_HABLA_LOG;
const CALLER_MEDIA = callerMedia(process.env.BENCH_SIP_CALLER_MEDIA ?? 'echo');

function callerMedia(value: string): CallerMedia {
  if (value === 'echo' || value === 'stream') return value;
  throw new Error(`BENCH_SIP_CALLER_MEDIA: unknown value "${value}" (echo, stream)`);
}
/** After the first hang-ups, before the window: concurrency has stopped climbing. */
const SETTLE_S = 2;
/**
 * Scrapes in the window (for concurrency); few, since a scrape is work on Habla's event loop
 * (default process metrics and the RTP fold: a few ms at 300 calls) that delays media ticks.
 */
const SCRAPE_EVERY_MS = 5000;
const RTP_PORTS = { min: 20000, max: 29999 };
const NUMBER = '+34910000000';

const TARGET = { concurrent: 300, jitterP99Ms: 5, setupsPerS: 50 };
/** A step kept pace when its measured setup rate is within 2% of the offered one. */
const KEPT_PACE = 0.98;

interface MediaMode {
  key: string;
  label: string;
  /** HABLA_MEDIA_WORKERS; undefined: Habla's default. */
  workers?: number;
}
/**
 * BENCH_SIP_MEDIA: which media modes to run, in order (default "workers,main"): `workers` is
 * Habla's default (RTP on media worker threads), `main` is HABLA_MEDIA_WORKERS=0 (RTP on the
 * main thread), side by side in one run.
 */
const MODES: MediaMode[] = (process.env.BENCH_SIP_MEDIA ?? 'workers,main').split(',').map((key) => {
  if (key === 'workers') return { key, label: 'media on worker threads (default)' };
  if (key === 'main') return { key, label: 'media on the main thread (HABLA_MEDIA_WORKERS=0)', workers: 0 };
  throw new Error(`BENCH_SIP_MEDIA: unknown mode "${key}" (workers, main)`);
});

interface Step {
  rate: number;
  expectedConcurrent: number;
  concurrentMin: number;
  concurrentAvg: number;
  media: MediaWindow;
  /** Packets Habla sent per call per second in the window (50 when no tick was skipped). */
  sentPerCallPerS: number;
  cpuMsPerCallPerS: number;
  hablaCpuPct: number;
  sippCpuPct: number;
  otherCpuPct: number;
  setupMs: { p50: number; p99: number; n: number };
  sipp: LoadResult;
  /** Datagrams the kernel dropped in the window for want of receive-buffer room, by socket owner. */
  drops: DropCounts;
  /** Habla's lost packets less those SIPp's echo socket dropped (each of those is one echo never sent). */
  hablaLost: number;
  /** Every call set up and held: no failed calls or timeouts, the offered rate and concurrency reached. */
  sipHeld: boolean;
  /** sipHeld, and the media targets too (send jitter p99, no loss). */
  held: boolean;
  why: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runStep(url: string, sipPort: number, ulaw: string, workDir: string, rate: number, habla: number): Promise<Step> {
  const expectedConcurrent = Math.round(rate * HOLD_S);
  const runS = HOLD_S + SETTLE_S + WINDOW_S + 1;
  const load = await startLoad({
    sipTarget: `127.0.0.1:${sipPort}`, number: NUMBER, media: CALLER_MEDIA, ulaw, workDir,
    ratePerS: rate, calls: Math.ceil(rate * runS), maxConcurrent: Math.ceil(expectedConcurrent * 1.5) + 10,
    holdMs: HOLD_S * 1000, timeoutS: runS + HOLD_S + 60,
  });
  await sleep((HOLD_S + SETTLE_S - 1) * 1000);
  // A scrape a second before the window: the first fold of many sessions runs cold (~10 ms).
  await scrapeMedia(url);
  await sleep(1000);

  const first = await scrapeMedia(url);
  const drops0 = readDrops(load.mediaPort, RTP_PORTS);
  const cpu0 = { habla: processCpuMs(habla), sipp: processCpuMs(load.pid), bench: processCpuMs(process.pid), machine: machineCpuMs() };
  const samples: number[] = [first.sessionsActive];
  let last: MediaSnapshot = first;
  while (performance.now() - first.at < WINDOW_S * 1000 - 1) {
    await sleep(Math.min(SCRAPE_EVERY_MS, WINDOW_S * 1000 - (performance.now() - first.at)));
    last = await scrapeMedia(url);
    samples.push(last.sessionsActive);
  }
  const drops1 = readDrops(load.mediaPort, RTP_PORTS);
  const cpu1 = { habla: processCpuMs(habla), sipp: processCpuMs(load.pid), bench: processCpuMs(process.pid), machine: machineCpuMs() };
  const media = mediaWindow(first, last);
  const drops = { sipp: drops1.sipp - drops0.sipp, habla: drops1.habla };

  const sipp = await load.exited;
  const concurrentAvg = samples.reduce((a, b) => a + b, 0) / samples.length;
  const wallMs = media.seconds * 1000;
  const hablaMs = cpu1.habla - cpu0.habla;
  const sippMs = cpu1.sipp - cpu0.sipp;
  // Everything else on the machine: other people's processes (this bench's own scraping excluded).
  const othersMs = cpu1.machine.busy - cpu0.machine.busy - hablaMs - (Number.isFinite(sippMs) ? sippMs : 0) - (cpu1.bench - cpu0.bench);
  const [from, to] = [first.at - load.startedAt, last.at - load.startedAt];
  const setups = sipp.setupTimes.filter((t) => t.at >= from && t.at <= to).map((t) => t.ms).sort((a, b) => a - b);
  const step: Step = {
    rate, expectedConcurrent, concurrentAvg, media,
    concurrentMin: Math.min(...samples),
    sentPerCallPerS: media.sent / media.seconds / concurrentAvg,
    cpuMsPerCallPerS: hablaMs / media.seconds / concurrentAvg,
    hablaCpuPct: (100 * hablaMs) / wallMs,
    sippCpuPct: (100 * sippMs) / wallMs,
    otherCpuPct: Math.max(0, (100 * othersMs) / wallMs),
    setupMs: { p50: percentile(setups, 50), p99: percentile(setups, 99), n: setups.length },
    sipp, drops, hablaLost: Math.max(0, media.lost - drops.sipp), sipHeld: true, held: true, why: [],
  };
  judge(step);
  return step;
}

function judge(step: Step): void {
  const fail = (why: string, sip = false) => {
    step.held = false;
    if (sip) step.sipHeld = false;
    step.why.push(why);
  };
  const { sipp, media } = step;
  if (sipp.stats.failed > 0) fail(`${sipp.stats.failed} calls failed in sipp`, true);
  if (sipp.timeouts > 0) fail(`${sipp.timeouts} SIP timeouts`, true);
  if (sipp.code !== 0 && sipp.stats.failed === 0) fail(`sipp exited with ${sipp.code}`, true);
  // Kept pace with the offered rate. Not exactly the rate: the window holds a whole number of
  // setups and SIPp paces them in bursts, so 50/s offered reads 49.8–50.2 when nothing is wrong.
  if (media.setupsPerS < KEPT_PACE * step.rate) fail(`${media.setupsPerS.toFixed(1)} setups/s of ${step.rate} offered`, true);
  if (step.concurrentMin < 0.9 * step.expectedConcurrent) fail(`concurrency fell to ${step.concurrentMin}`, true);
  if (!(media.withinMs(TARGET.jitterP99Ms) >= 0.99)) fail(`send jitter p99 ${ms(media.jitterP99Ms)}`);
  if (step.hablaLost > 0) fail(`${step.hablaLost} packets lost`);
}

const ms = (v: number) => (v === Infinity ? '>50 ms' : Number.isNaN(v) ? 'n/a' : `${v < 1 ? v.toFixed(1) : v.toFixed(v < 10 ? 1 : 0)} ms`);
const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}%` : 'n/a');

function printStep(step: Step): void {
  const { media, sipp } = step;
  const loss = media.received + media.lost > 0 ? (100 * media.lost) / (media.received + media.lost) : 0;
  console.log(
    `${String(step.rate).padStart(4)} calls/s offered │ ${media.setupsPerS.toFixed(1).padStart(5)} setups/s │ ` +
    `${String(step.concurrentMin).padStart(4)}–${step.concurrentAvg.toFixed(0).padStart(4)} calls (min–avg, expect ${step.expectedConcurrent}) │ ` +
    `jitter p50 ≤${ms(media.jitterP50Ms).padStart(7)} p99 ≤${ms(media.jitterP99Ms).padStart(7)} mean ${ms(media.jitterMeanMs)} │ ` +
    `lost ${media.lost}/${media.received + media.lost} (${loss.toFixed(3)}%)${lossOrigin(step)} │ ${step.sentPerCallPerS.toFixed(1)} pkt/s/call sent`,
  );
  console.log(
    `${''.padStart(22)}│ CPU ${step.cpuMsPerCallPerS.toFixed(2)} ms/s per call; habla ${pct(step.hablaCpuPct)}, sipp ${pct(step.sippCpuPct)}, ` +
    `others ${pct(step.otherCpuPct)} of one core (${os.cpus().length} cores) │ INVITE→200 p50 ${ms(step.setupMs.p50)} p99 ${ms(step.setupMs.p99)} │ ` +
    `sipp: ${sipp.stats.successful}/${sipp.stats.created} ok, ${sipp.stats.failed} failed, ${sipp.retransmissions} retransmissions │ ` +
    `${step.held ? 'held' : `NOT held: ${step.why.join('; ')}`}`,
  );
  if (step.otherCpuPct > 25) {
    console.log(`${''.padStart(22)}│ warning: other processes used ${pct(step.otherCpuPct)} of a core in this window; on ${os.cpus().length} cores Habla's figures suffer from it`);
  }
}

/** Where the kernel says packets were dropped, when any were. */
function lossOrigin(step: Step): string {
  const { sipp, habla } = step.drops;
  if (sipp === 0 && habla === 0) return '';
  return ` [kernel drops: SIPp's echo socket ${sipp}, Habla's RTP sockets ${habla}]`;
}

function printSummary(steps: Step[]): void {
  const held = steps.filter((s) => s.held);
  const best = held.at(-1) ?? steps[0];
  if (!best) return;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'NOT MET');
  const m = best.media;
  const loss = m.received + m.lost > 0 ? (100 * m.lost) / (m.received + m.lost) : 0;
  console.log(`\n${held.length > 0 ? `highest step that held: ${best.rate} calls/s` : `no step held; the first step (${best.rate} calls/s)`}, window ${m.seconds.toFixed(1)} s:`);
  const row = (what: string, figure: string, target: string, ok: boolean | null) =>
    console.log(`  ${what.padEnd(36)} ${figure.padEnd(30)} ${target.padEnd(16)} ${ok === null ? '' : verdict(ok)}`);
  row('call setups per second sustained', `${best.rate}/s offered, ${m.setupsPerS.toFixed(1)}/s measured`, `≥ ${TARGET.setupsPerS}/s`,
    best.rate >= TARGET.setupsPerS && m.setupsPerS >= KEPT_PACE * best.rate);
  row('concurrent calls held with media', `${best.concurrentMin} (min; avg ${best.concurrentAvg.toFixed(0)})`, `≥ ${TARGET.concurrent}`, best.concurrentMin >= TARGET.concurrent);
  row('RTP send jitter p50 / p99', `≤ ${ms(m.jitterP50Ms)} / ≤ ${ms(m.jitterP99Ms)} (${(100 * m.withinMs(5)).toFixed(2)}% ≤ 5 ms)`, `p99 < ${TARGET.jitterP99Ms} ms`, m.withinMs(TARGET.jitterP99Ms) >= 0.99);
  const lossFigure = best.drops.sipp > 0
    ? `${best.hablaLost} in Habla (${m.lost} of ${m.received + m.lost} missing, ${best.drops.sipp} of them dropped in SIPp's socket)`
    : `${m.lost} of ${m.received + m.lost} (${loss.toFixed(3)}%)`;
  row(CALLER_MEDIA === 'echo' ? 'packet loss (Habla → SIPp echo → Habla)' : 'packet loss (callers → Habla)', lossFigure, '0', best.hablaLost === 0);
  row('CPU per call', `${best.cpuMsPerCallPerS.toFixed(2)} ms CPU/s per call`, '', null);
  const broke = steps.find((s) => !s.held);
  if (broke && broke !== best) console.log(`first step that did not hold: ${broke.rate} calls/s (${broke.why.join('; ')})`);
  const sip = steps.filter((s) => s.sipHeld).at(-1);
  if (sip && sip !== best) {
    console.log(`signalling alone held up to ${sip.rate} calls/s: ${sip.media.setupsPerS.toFixed(1)} setups/s, ${sip.concurrentMin} calls with media, ` +
      `${sip.media.lost} packets lost, send jitter p99 ≤ ${ms(sip.media.jitterP99Ms)}, Habla ${pct(sip.hablaCpuPct)} of a core`);
  }
}

async function makeCallerAudio(dir: string): Promise<string> {
  // One second of a quiet 440 Hz tone, looped by every caller: real audio for Habla to decode and record.
  const file = path.join(dir, 'caller.ulaw');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-t', 'ul', file, 'synth', '1', 'sine', '440', 'vol', '0.3']);
  return file;
}

async function waitForIdle(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await scrapeMedia(url)).sessionsActive > 0) {
    if (Date.now() > deadline) throw new Error('calls still have media long after sipp ended them');
    await sleep(250);
  }
}

interface ModeRun {
  mode: MediaMode;
  steps: Step[];
}

/** One Habla process per media mode, the same steps against each. */
async function runMode(mode: MediaMode, ulaw: string, workDir: string): Promise<ModeRun> {
  const habla = await startBenchServer({
    rtpPortMin: RTP_PORTS.min, rtpPortMax: RTP_PORTS.max, profileDir: PROFILE_DIR, nodeArgs: NODE_ARGS,
    env: mode.workers === undefined ? {} : { HABLA_MEDIA_WORKERS: String(mode.workers) },
  });
  const steps: Step[] = [];
  try {
    const api = apiClient(habla);
    const { agentId } = await createPublishedAgent(api, {}); // no greeting: Habla sends paced silence
    await importNumber(api, { number: NUMBER, inboundAgentId: agentId });
    console.log(`── ${mode.label} (habla pid ${habla.child.pid}) ──`);
    for (const rate of RATES) {
      const step = await runStep(habla.url, habla.sipPort, ulaw, path.join(workDir, `${mode.key}-step-${rate}`), rate, habla.child.pid!);
      steps.push(step);
      printStep(step);
      if (!step.held && !step.sipp.stats.successful) console.log(step.sipp.stdoutTail);
      await waitForIdle(habla.url, 60_000);
      if (!step.held && !ALL_STEPS) break;
    }
    printSummary(steps);
  } catch (error) {
    console.error(`sip bench (${mode.label}) could not complete:`, error);
    console.error(habla.output().slice(-4000));
  } finally {
    if (HABLA_LOG) fs.writeFileSync(`${HABLA_LOG}.${mode.key}`, habla.output());
    await habla.stop();
  }
  return { mode, steps };
}

/** The same offered rates, mode against mode: jitter p99 and Habla's CPU per call. */
function printComparison(runs: ModeRun[]): void {
  if (runs.length < 2) return;
  console.log('\nside by side (same rates, same machine, one run):');
  console.log(`  ${'calls/s'.padEnd(8)} ${runs.map((r) => r.mode.label.padEnd(44)).join(' ')}`);
  for (const rate of RATES) {
    const cells = runs.map(({ steps }) => {
      const step = steps.find((s) => s.rate === rate);
      if (!step) return 'not run'.padEnd(44);
      const cell = `p99 ≤ ${ms(step.media.jitterP99Ms)}, lost ${step.media.lost}, ${step.cpuMsPerCallPerS.toFixed(2)} ms CPU/s/call ${step.held ? 'held' : 'NOT held'}`;
      return cell.padEnd(44);
    });
    console.log(`  ${String(rate).padEnd(8)} ${cells.join(' ')}`);
  }
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-bench-sip-'));
  if (PROFILE_DIR) fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const buffers = CALLER_MEDIA === 'echo' ? raiseDefaultReceiveBuffer() : undefined;
  try {
    const ulaw = await makeCallerAudio(workDir);
    const sippVersion = /SIPp v[\w.-]+/.exec(spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout ?? '')?.[0] ?? 'sipp'; // exits 99
    console.log(`SIP load bench: ${sippVersion} callers → habla serve (node ${process.version}${NODE_ARGS.length ? ` ${NODE_ARGS.join(' ')}` : ''}, LOG_LEVEL=warn, SQLite), ` +
      `${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const callers = CALLER_MEDIA === 'echo' ? 'SIPp echoes the paced G.711 silence Habla sends' : 'caller streams a tone, Habla sends paced silence';
    console.log(`each call: PCMU both ways (${callers}), dual-channel recording, hold ${HOLD_S} s; ` +
      `window ${WINDOW_S} s per step once concurrency is steady${buffers ? `\n${buffers.description}` : ''}\n`);
    const runs: ModeRun[] = [];
    for (const mode of MODES) runs.push(await runMode(mode, ulaw, workDir));
    printComparison(runs);
  } finally {
    buffers?.restore();
    fs.rmSync(workDir, { recursive: true, force: true });
    if (PROFILE_DIR) console.log(`\nV8 CPU profile of habla in ${PROFILE_DIR} (open it in Chrome DevTools)`);
  }
}

await main();
