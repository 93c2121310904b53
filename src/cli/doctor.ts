import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { sql } from 'kysely';
import { openStore } from '../store/database.ts';

interface Check {
  name: string;
  /** Required checks fail the doctor; advisory ones only warn. */
  required: boolean;
  run(): Promise<string> | string;
}

// Says what the server needs and what is missing, with the command that fixes it.
export async function runDoctor(config: Config): Promise<number> {
  let failed = 0;
  for (const check of checks(config)) {
    try {
      const detail = await check.run();
      process.stdout.write(`ok    ${check.name}: ${detail}\n`);
    } catch (error) {
      const label = check.required ? 'FAIL ' : 'warn ';
      if (check.required) failed++;
      process.stdout.write(`${label} ${check.name}: ${(error as Error).message}\n`);
    }
  }
  process.stdout.write(failed ? `\n${failed} required check(s) failed\n` : '\nall required checks passed\n');
  return failed ? 1 : 0;
}

function checks(config: Config): Check[] {
  return [
    { name: 'node', required: true, run: checkNode },
    { name: 'espeak-ng (local TTS)', required: true, run: checkEspeak },
    { name: 'data directory', required: true, run: () => checkDataDir(config.dataDir) },
    { name: 'database', required: true, run: () => checkDatabase(config.databaseUrl) },
    { name: 'secret key', required: false, run: () => checkSecretKey(config) },
    { name: 'sox (audio tools)', required: false, run: () => version('sox', ['--version'], 'apt-get install sox') },
    { name: 'SIP port (UDP)', required: false, run: () => checkSipPort(config) },
  ];
}

function checkNode(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new Error(`Node ${process.versions.node} is too old; Habla needs Node 20 or newer`);
  return process.versions.node;
}

function checkEspeak(): string {
  const spanish = run('espeak-ng', ['--voices=es'], 'apt-get install espeak-ng');
  if (spanish.trim().split('\n').length < 2) throw new Error('espeak-ng has no Spanish voice; apt-get install espeak-ng-data');
  return version('espeak-ng', ['--version'], 'apt-get install espeak-ng');
}

function checkDataDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const probe = path.join(dir, `.doctor-${process.pid}`);
  fs.writeFileSync(probe, 'ok');
  fs.rmSync(probe);
  return `${dir} is writable`;
}

async function checkDatabase(url: string): Promise<string> {
  const store = openStore(url);
  try {
    await sql`select 1`.execute(store.db);
    return `${store.dialect} reachable`;
  } finally {
    await store.close();
  }
}

// Advisory: a running Habla holds the port too, so "in use" is only a hint, never a failure.
async function checkSipPort(config: Config): Promise<string> {
  const where = `${config.sipHost}:${config.sipPort}`;
  const protocols = config.sipTcp ? 'udp and tcp' : 'udp';
  if (config.sipPort === 0) return `HABLA_SIP_PORT=0: the OS picks the ${protocols} port on ${config.sipHost} at start`;
  for (const protocol of config.sipTcp ? (['udp', 'tcp'] as const) : (['udp'] as const)) {
    const code = await bindError(protocol, config.sipPort, config.sipHost);
    if (code) throw new Error(`cannot bind ${protocol} ${where} (${code}): a running Habla or another SIP server holds it, or set HABLA_SIP_PORT`);
  }
  return `${protocols} ${where}: free; trunks must reach it (and RTP ports ${config.rtpPortMin}-${config.rtpPortMax})`;
}

/** Why the port cannot be bound (an errno code), or undefined when it can. */
async function bindError(protocol: 'udp' | 'tcp', port: number, host: string): Promise<string | undefined> {
  const socket = protocol === 'udp' ? dgram.createSocket('udp4') : net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      if (socket instanceof net.Server) socket.listen({ port, host, exclusive: true }, resolve);
      else socket.bind(port, host, resolve);
    });
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.close();
  }
}

function checkSecretKey(config: Config): string {
  if (config.secretKey) return 'HABLA_SECRET_KEY is set';
  const file = path.join(config.dataDir, 'secret.key');
  if (fs.existsSync(file)) return `using ${file}`;
  throw new Error(`none yet: one will be generated into ${file} on first start (back it up; losing it loses trunk passwords)`);
}

function version(command: string, args: string[], fix: string): string {
  return run(command, args, fix).trim().split('\n')[0];
}

function run(command: string, args: string[], fix: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new Error(`${command} not found; install it with: ${fix}`);
  }
}
