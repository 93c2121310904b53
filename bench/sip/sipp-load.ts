import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseSippStats, type SippStats } from '../../test/helpers/sipp.ts';
import { freePortGroup, freeUdpPort } from '../../test/helpers/ports.ts';

// SIPp as the callers of bench:sip: one UAC process per load step, dialling Habla at a fixed
// rate. No message trace (at 50 calls/s it would cost sipp more than the calls do); only the
// unexpected messages and, per call, the INVITE → 200 time (-trace_rtt) are written.

const SCENARIO = path.resolve(import.meta.dirname, 'uac-stream-hold-bye.xml');

/**
 * What the callers do with media. `echo`: SIPp's -rtp_echo returns every packet Habla sends
 * to it, so Habla's receivers count loss over both directions (Habla → SIPp → Habla).
 * `stream`: every call streams a looped tone to Habla (rtp_stream), so Habla receives speech-
 * like audio, but nothing checks what Habla sends (rtp_stream reads nothing back).
 */
export type CallerMedia = 'echo' | 'stream';

export interface LoadOptions {
  sipTarget: string;
  number: string;
  media: CallerMedia;
  /** Raw µ-law file streamed by every call, looped (media `stream`). */
  ulaw: string;
  ratePerS: number;
  calls: number;
  maxConcurrent: number;
  holdMs: number;
  workDir: string;
  timeoutS: number;
}

export interface LoadResult {
  code: number | null;
  stats: SippStats;
  /** Retransmitted INVITEs and BYEs (sipp had no answer within 500 ms). */
  retransmissions: number;
  /** Calls sipp gave up on (a message timed out). */
  timeouts: number;
  /** INVITE → 200 time (ms, whole ms) of each call, with when it was answered (ms since sipp started). */
  setupTimes: { at: number; ms: number }[];
  errors: string;
  stdoutTail: string;
}

export interface LoadRun {
  pid: number;
  /** performance.now() when sipp was started: the origin of its -trace_rtt times. */
  startedAt: number;
  /** SIPp's media socket (-mp): with `echo`, every call's RTP comes back from it. */
  mediaPort: number;
  child: ChildProcess;
  exited: Promise<LoadResult>;
  kill(): void;
}

export async function startLoad(opts: LoadOptions): Promise<LoadRun> {
  fs.mkdirSync(opts.workDir, { recursive: true });
  // sipp writes its -trace_rtt file next to the scenario: run a copy in the step's directory.
  const scenario = path.join(opts.workDir, path.basename(SCENARIO));
  // One scenario for both: echoing callers just never start their stream.
  const text = fs.readFileSync(SCENARIO, 'utf8');
  const silent = text.replace(/^\s*<exec rtp_stream="\[play\]"\/>\n/m, '');
  if (silent === text) throw new Error(`${SCENARIO}: no <exec rtp_stream="[play]"/> line to leave out for echoing callers`);
  fs.writeFileSync(scenario, opts.media === 'echo' ? silent : text);
  const sipPort = await freeUdpPort();
  const mediaPort = await freePortGroup([{ offset: 0, protocols: ['udp'] }, { offset: 2, protocols: ['udp'] }], true);
  const args = [opts.sipTarget, '-sf', scenario, '-i', '127.0.0.1', '-mi', '127.0.0.1', '-p', String(sipPort), '-mp', String(mediaPort),
    '-s', opts.number, ...(opts.media === 'echo' ? ['-rtp_echo'] : ['-key', 'play', `${opts.ulaw},-1,0`]), '-set', 'hold_ms', String(opts.holdMs),
    '-r', String(opts.ratePerS), '-rp', '1000', '-m', String(opts.calls), '-l', String(opts.maxConcurrent),
    '-nostdin', '-timeout', `${opts.timeoutS}s`, '-buff_size', '4194304',
    '-trace_err', '-error_file', path.join(opts.workDir, 'errors.log'),
    '-trace_rtt', '-rtt_freq', '1'];
  const startedAt = performance.now();
  const child = spawn('sipp', args, { cwd: opts.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (stdout = (stdout + d).slice(-200_000)));
  const exited = new Promise<LoadResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({
      code,
      stats: parseSippStats(stdout),
      retransmissions: column(stdout, /^\s*(INVITE|BYE) -+>.*$/gm, 1),
      timeouts: column(stdout, /^\s*(INVITE|BYE) -+>.*$/gm, 2),
      setupTimes: readRtt(opts.workDir),
      errors: readIfExists(path.join(opts.workDir, 'errors.log')),
      stdoutTail: stdout.slice(-4000),
    }));
  });
  return { pid: child.pid!, startedAt, mediaPort, child, exited, kill: () => void child.kill('SIGTERM') };
}

/** Sums one numeric column after the message count on the last screen's matching rows. */
function column(stdout: string, rows: RegExp, index: number): number {
  const last = stdout.lastIndexOf('Messages  Retrans');
  if (last < 0) return 0;
  let total = 0;
  for (const match of stdout.slice(last).matchAll(rows)) {
    const numbers = match[0].replace(/^\s*\w+ -+>\s*(B-RTD1|E-RTD1)?/, '').trim().split(/\s+/).map(Number);
    total += numbers[index] || 0;
  }
  return total;
}

/** sipp -trace_rtt writes `<scenario>_<pid>_rtt.csv`: Date_ms (since its start);response_time_ms;rtd_no. */
function readRtt(dir: string): { at: number; ms: number }[] {
  const file = fs.readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readIfExists(path.join(dir, file)).split('\n').slice(1)
    .map((line) => line.split(';'))
    .filter((cells) => cells.length >= 2 && cells[0] !== '')
    .map((cells) => ({ at: Number(cells[0]), ms: Number(cells[1]) }))
    .filter((t) => Number.isFinite(t.at) && Number.isFinite(t.ms));
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
