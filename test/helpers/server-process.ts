import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { SERVE_NODE_FLAGS } from '../../src/telephony/media/worker/gc-priority.ts';

export interface HablaProcess {
  url: string;
  adminKey: string;
  dataDir: string;
  /** The UDP port the SIP endpoint bound (HABLA_SIP_PORT=0: the OS picked it), on 127.0.0.1. */
  sipPort: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** How to start it: `habla serve` by default; `npm start`'s script to test the quick start itself. */
const HABLA_SERVE = [process.execPath, ...SERVE_NODE_FLAGS, path.join(ROOT, 'bin/habla.js'), 'serve'];

export interface HablaStartOptions {
  /** Start on this data dir (a restart: same database, instance-id file and recordings); a new temp dir by default. */
  dataDir?: string;
  /** The admin key to bootstrap with; pass the previous run's key on a restart. */
  adminKey?: string;
}

/** Starts the real server as a child process on a free port. */
export async function startHablaProcess(env: Record<string, string> = {}, command: string[] = HABLA_SERVE, options: HablaStartOptions = {}): Promise<HablaProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'habla-e2e-'));
  const adminKey = options.adminKey ?? `hbl_e2e_${randomBytes(16).toString('hex')}`;
  const [program, ...args] = command;
  const child = spawn(program, args, {
    cwd: ROOT,
    // One media worker (the default is one per core): tests place a call or two, and every
    // worker compiles its modules at start, which a suite starting dozens of servers feels.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', HABLA_DATA_DIR: dataDir, HABLA_ADMIN_API_KEY: adminKey, LOG_LEVEL: 'info', HABLA_SIP_HOST: '127.0.0.1', HABLA_SIP_PORT: '0', HABLA_MEDIA_WORKERS: process.env.HABLA_MEDIA_WORKERS ?? '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)".*habla is listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const sipPort = Number(/"port":(\d+)[^\n]*"msg":"sip listening"/.exec(output)?.[1]);
  return {
    url,
    adminKey,
    dataDir,
    sipPort,
    child,
    output: () => output,
    async stop() {
      // Already gone (exited, or killed by a signal as in a crash test): nothing to wait for.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}
