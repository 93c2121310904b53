import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePortGroup, freeTcpPort, freeUdpPort, pidBindsPort, waitUntil } from './ports.ts';

// SIPp (Debian sip-tester 3.6.1) as a real SIP peer for end-to-end tests. sipp runs in the
// foreground as our child (not -bg): we get its real exit code and can kill it by pid. It binds
// to 127.0.0.1 only, on ports we pick, and traces every SIP message and every unexpected one to a
// temp dir, so a failure shows what was said on the wire.

export const SIPP_SCENARIOS = path.resolve(import.meta.dirname, '../fixtures/sipp');

/** The path of a scenario in test/fixtures/sipp by name (`'uas-busy'` → …/uas-busy.xml). */
export function sippScenario(name: string): string {
  return path.join(SIPP_SCENARIOS, name.endsWith('.xml') ? name : `${name}.xml`);
}

export interface SippOptions {
  /** An XML file (path, or a name in test/fixtures/sipp), or a built-in scenario (`uas`, `uac`: `-sn`). */
  scenario: string;
  /** host:port to call (UAC scenarios). */
  remote?: string;
  /** Local SIP port; 0/undefined picks a free one. */
  localPort?: number;
  /** SIP transport (default udp); tcp is `-t t1`: one connection for all calls. */
  transport?: 'udp' | 'tcp';
  /** Local media port (-mp): sipp's [media_port], where rtp_stream, pcap play and -rtp_echo happen. */
  mediaPort?: number;
  /** -s: user part of the Request-URI sipp calls, and default auth user. */
  service?: string;
  /** -au / -ap: credentials for [authentication] after a 401/407 (recv auth="true"). */
  authUser?: string;
  authPassword?: string;
  /** -key name value: `[name]` in messages and whole-value attributes (`rtp_stream="[play]"`). */
  keys?: Record<string, string>;
  /** -set name value: global variables (`<Global variables="name"/>`), strings in the scenario. */
  vars?: Record<string, string | number>;
  /** -inf: a CSV injection file. */
  injectionFile?: string;
  /** -m: stop after this many calls (default 1). */
  calls?: number;
  /** -r: calls per second (UAC). */
  rate?: number;
  /** -l: at most this many calls at once. */
  concurrentCalls?: number;
  /** -rtp_echo: echo any RTP received on the media port back to its sender. */
  rtpEcho?: boolean;
  /** -aa: answer INFO, NOTIFY, OPTIONS and UPDATE with 200 by itself (else they are unexpected and fail the call). */
  autoAnswerInDialog?: boolean;
  /** sipp gives up (exit 255, -timeout_error) after this long; we kill it 5 s later. Default 30000. */
  timeoutMs?: number;
  extraArgs?: string[];
  /** Where traces go; a new temp dir by default (removed by `cleanup()`). */
  traceDir?: string;
}

export interface SippStats {
  created: number;
  successful: number;
  failed: number;
}

export interface SippResult {
  /** sipp's exit code: 0 all calls succeeded, 1 some failed, 97 ended by command/timeout, 255 timeout (-timeout_error) or fatal, 254 could not bind. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /**
   * code 0 AND at least `calls` successful calls AND no failed one AND not killed by us: sipp
   * exits 0 when killed before any call, so the code alone does not prove a call happened.
   */
  passed: boolean;
  killed: boolean;
  stats: SippStats;
  stdout: string;
  stderr: string;
  /** The unexpected-message log (-trace_err). */
  errors: string;
  /** Every SIP message sent and received (-trace_msg). */
  messages: string;
  /** Command line, exit, stats, stderr, error log and the tail of the message trace. */
  report: string;
}

export interface SippRun {
  sipPort: number;
  mediaPort: number;
  pid: number;
  traceDir: string;
  args: string[];
  exited: Promise<SippResult>;
  /** SIGTERM (sipp prints its final stats and exits), SIGKILL after 2 s. Resolves when it has exited. */
  kill(): Promise<void>;
  /** Kills it if still running and removes the trace dir if we created it. */
  cleanup(): Promise<void>;
}

function scenarioArgs(scenario: string): string[] {
  if (/^[a-z0-9_-]+$/i.test(scenario) && !fs.existsSync(sippScenario(scenario))) return ['-sn', scenario];
  const file = fs.existsSync(scenario) ? path.resolve(scenario) : sippScenario(scenario);
  if (!fs.existsSync(file)) throw new Error(`sipp scenario not found: ${scenario}`);
  return ['-sf', file];
}

function buildArgs(opts: SippOptions, sipPort: number, mediaPort: number, traceDir: string): string[] {
  const timeoutS = Math.max(1, Math.ceil((opts.timeoutMs ?? 30_000) / 1000));
  const args = [...(opts.remote ? [opts.remote] : []), ...scenarioArgs(opts.scenario),
    '-i', '127.0.0.1', '-mi', '127.0.0.1', '-bind_local', '-p', String(sipPort), '-mp', String(mediaPort),
    '-m', String(opts.calls ?? 1), '-nostdin', '-timeout', `${timeoutS}s`, '-timeout_error',
    '-trace_msg', '-message_file', path.join(traceDir, 'messages.log'),
    '-trace_err', '-error_file', path.join(traceDir, 'errors.log')];
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.authUser !== undefined) args.push('-au', opts.authUser);
  if (opts.authPassword !== undefined) args.push('-ap', opts.authPassword);
  for (const [name, value] of Object.entries(opts.keys ?? {})) args.push('-key', name, value);
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push('-set', name, String(value));
  if (opts.injectionFile) args.push('-inf', opts.injectionFile);
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.concurrentCalls !== undefined) args.push('-l', String(opts.concurrentCalls));
  if (opts.rtpEcho) args.push('-rtp_echo');
  if (opts.autoAnswerInDialog) args.push('-aa');
  if (opts.transport === 'tcp') args.push('-t', 't1');
  return [...args, ...(opts.extraArgs ?? [])];
}

/** The cumulative column of the last statistics screen sipp printed. */
export function parseSippStats(stdout: string): SippStats {
  const last = (label: string): number => {
    const matches = [...stdout.matchAll(new RegExp(`${label}\\s*\\|[^|\\n]*\\|\\s*(\\d+)`, 'g'))];
    return matches.length ? Number(matches.at(-1)![1]) : 0;
  };
  return { created: last('Total Calls created'), successful: last('Successful call'), failed: last('Failed call') };
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

function formatReport(args: string[], result: Omit<SippResult, 'report'>): string {
  return [
    `sipp ${args.join(' ')}`,
    `exit code ${result.code}${result.signal ? ` (signal ${result.signal})` : ''}${result.killed ? ', killed by the test' : ''}; ` +
      `calls created ${result.stats.created}, successful ${result.stats.successful}, failed ${result.stats.failed}`,
    result.stderr.trim() && `--- stderr ---\n${tail(result.stderr.trim(), 3000)}`,
    result.errors.trim() && `--- unexpected messages ---\n${tail(result.errors.trim(), 3000)}`,
    `--- SIP messages (tail) ---\n${tail(result.messages.trim(), 5000) || '(none)'}`,
  ].filter(Boolean).join('\n');
}

async function spawnSipp(opts: SippOptions, sipPort: number, mediaPort: number, traceDir: string, ownsDir: boolean): Promise<SippRun> {
  const args = buildArgs(opts, sipPort, mediaPort, traceDir);
  const child = spawn('sipp', args, { cwd: traceDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let killed = false;
  const hardLimit = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, (opts.timeoutMs ?? 30_000) + 5000);
  const exited = new Promise<SippResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(hardLimit);
      const stats = parseSippStats(stdout);
      const base = {
        code, signal, killed, stats, stdout, stderr,
        passed: code === 0 && !killed && stats.failed === 0 && stats.successful >= (opts.calls ?? 1),
        errors: readIfExists(path.join(traceDir, 'errors.log')),
        messages: readIfExists(path.join(traceDir, 'messages.log')),
      };
      resolve({ ...base, report: formatReport(args, base) });
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killed = true;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited.catch(() => undefined);
      clearTimeout(force);
    }
  };
  const run: SippRun = {
    sipPort, mediaPort, pid: child.pid!, traceDir, args, exited, kill,
    async cleanup() {
      await kill();
      if (ownsDir) fs.rmSync(traceDir, { recursive: true, force: true });
    },
  };
  // Ready once its SIP socket is bound: a caller started before that would have its first
  // INVITE dropped and wait 500 ms for the retransmission.
  let exitedEarly: SippResult | undefined;
  exited.then((r) => (exitedEarly = r), () => undefined);
  const protocol = opts.transport ?? 'udp';
  await waitUntil(() => exitedEarly !== undefined || pidBindsPort(child.pid!, sipPort, protocol), 5000, `sipp to bind ${protocol.toUpperCase()} ${sipPort}`)
    .catch(async (error) => {
      await kill();
      throw error;
    });
  // 254: sipp could not bind its SIP or media port (exit -2). Any other early exit (a scenario
  // error, or a run already over) is reported through `exited`.
  if (exitedEarly?.code === 254) {
    const error = new Error(`sipp could not bind its ports:\n${exitedEarly.report}`);
    // Not enumerable: the report is already in the message; don't print it twice.
    Object.defineProperty(error, 'result', { value: exitedEarly });
    throw error;
  }
  return run;
}

/**
 * Starts sipp and resolves once its SIP port is bound. `exited` resolves with the outcome; assert
 * `result.passed` and print `result.report` on failure (see `assertSippPassed`).
 */
export async function startSipp(opts: SippOptions): Promise<SippRun> {
  const ownsDir = !opts.traceDir;
  const traceDir = opts.traceDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'habla-sipp-'));
  fs.mkdirSync(traceDir, { recursive: true });
  const pickPorts = !opts.localPort || !opts.mediaPort;
  for (let attempt = 1; ; attempt++) {
    const sipPort = opts.localPort || (opts.transport === 'tcp' ? await freeTcpPort() : await freeUdpPort());
    // -rtp_echo also binds media port + 2 (video); keep both free.
    const mediaPort = opts.mediaPort || (await freePortGroup([{ offset: 0, protocols: ['udp'] }, { offset: 2, protocols: ['udp'] }], true));
    try {
      return await spawnSipp(opts, sipPort, mediaPort, traceDir, ownsDir);
    } catch (error) {
      // Another process took a port between our pick and sipp's bind: pick again.
      const result = (error as { result?: SippResult }).result;
      const bindFailure = result && /bind|already in use/i.test(result.stderr);
      if (!pickPorts || !bindFailure || attempt >= 3) throw error;
    }
  }
}

/** Waits for sipp to exit and throws with its report unless every call followed the scenario. */
export async function assertSippPassed(run: SippRun, what = 'sipp scenario'): Promise<SippResult> {
  const result = await run.exited;
  if (!result.passed) throw new Error(`${what} failed:\n${result.report}`);
  return result;
}
