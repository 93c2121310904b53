import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { HablaProcess } from '../../test/helpers/server-process.ts';
import { freeTcpPort, freeUdpPort } from '../../test/helpers/ports.ts';
import { SERVE_NODE_FLAGS } from '../../src/telephony/media/worker/gc-priority.ts';

// `habla serve` as a child process for bench:sip, the way an operator runs it, with the log at
// `warn` (an info line per call would be part of what we measure). The test helper waits for
// the info-level "listening" line, so this one picks its ports and polls /readyz instead.

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface BenchServerOptions {
  rtpPortMin: number;
  rtpPortMax: number;
  /** A directory: the child writes a V8 CPU profile there when it exits (--cpu-prof). */
  profileDir?: string;
  /** Extra node flags for the child (e.g. GC tuning), before the script. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export async function startBenchServer(opts: BenchServerOptions): Promise<HablaProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-bench-sip-'));
  const adminKey = `hbl_bench_${randomBytes(16).toString('hex')}`;
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpPort();
  const profile = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, ...profile, ...(opts.nodeArgs ?? []), path.join(ROOT, 'bin/habla.js'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      HABLA_DATA_DIR: dataDir,
      HABLA_ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      HABLA_SIP_HOST: '127.0.0.1',
      HABLA_SIP_PORT: String(sipPort),
      HABLA_SIP_PUBLIC_HOST: '127.0.0.1',
      HABLA_RTP_PORT_MIN: String(opts.rtpPortMin),
      HABLA_RTP_PORT_MAX: String(opts.rtpPortMax),
      // The bench ends every call itself; Habla must not.
      HABLA_MAX_CALL_DURATION_S: '3600',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`habla exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`habla did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    adminKey,
    dataDir,
    sipPort,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code] = await once(child, 'exit');
      clearTimeout(kill);
      fs.rmSync(dataDir, { recursive: true, force: true });
      return code as number | null;
    },
  };
}
