import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startHablaProcess, type HablaProcess } from '../helpers/server-process.ts';

// The `habla` command as an operator uses it, against the data directory of a running server.

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/habla.js');

let habla: HablaProcess;
before(async () => {
  habla = await startHablaProcess();
});
after(async () => {
  await habla?.stop();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, HABLA_DATA_DIR: habla.dataDir, ...env } });
}

async function status(key: string): Promise<number> {
  const response = await fetch(`${habla.url}/v1/webhook/`, { headers: { authorization: `Bearer ${key}` } });
  return response.status;
}

test('keys create prints a key once that the running server accepts; revoke makes it a 401', async () => {
  const created = await cli(['keys', 'create', '--name', 'ops', '--permissions', 'webhooks.view']);
  const key = /key:\s+(\S+)/.exec(created.stdout)![1];
  const id = /id:\s+(\S+)/.exec(created.stdout)![1];
  assert.equal(await status(key), 200);

  const listed = await cli(['keys', 'list']);
  assert.match(listed.stdout, new RegExp(id));
  assert.ok(!listed.stdout.includes(key), 'the list never shows a key value');

  await cli(['keys', 'revoke', id]);
  assert.equal(await status(key), 401);
});

test('keys create refuses unknown permissions with a message and exit code 1', async () => {
  await assert.rejects(cli(['keys', 'create', '--permissions', 'calls.teleport']), (error: any) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /unknown permissions: calls\.teleport/);
    return true;
  });
});

test('migrate reports an up-to-date database; doctor passes on this machine', async () => {
  assert.match((await cli(['migrate'])).stdout, /up to date/);
  const doctor = await cli(['doctor']);
  assert.match(doctor.stdout, /ok {4}espeak-ng/);
  assert.match(doctor.stdout, /all required checks passed/);
});

test('doctor checks the SIP port on TCP too, and names the protocol it cannot bind', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const env = { HABLA_SIP_HOST: '127.0.0.1', HABLA_SIP_PORT: String(port) };
    const doctor = await cli(['doctor'], env);
    assert.match(doctor.stdout, new RegExp(`cannot bind tcp 127\\.0\\.0\\.1:${port}`), doctor.stdout);
    assert.match(doctor.stdout, /all required checks passed/, 'the SIP port check is advisory');
    const udpOnly = await cli(['doctor'], { ...env, HABLA_SIP_TCP: 'false' });
    assert.match(udpOnly.stdout, new RegExp(`udp 127\\.0\\.0\\.1:${port}: free`), udpOnly.stdout);
  } finally {
    holder.close();
  }
});

test('a bad setting stops the command with a message naming it', async () => {
  await assert.rejects(cli(['migrate'], { PORT: 'eighty' }), (error: any) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr, /PORT/);
    return true;
  });
});

test('doctor fails and says how to fix it when the data directory is not writable', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'habla-doctor-')), 'not-a-dir');
  fs.writeFileSync(file, '');
  await assert.rejects(cli(['doctor'], { HABLA_DATA_DIR: file }), (error: any) => {
    assert.equal(error.code, 1);
    assert.match(error.stdout, /FAIL +data directory/);
    return true;
  });
});

test('a started server is ready (database and SIP), serves /metrics, and SIGTERM shuts it down cleanly (exit code 0)', async () => {
  const other = await startHablaProcess();
  const ready = await fetch(`${other.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', sip: 'ok', draining: 'ok' } });
  const metrics = await (await fetch(`${other.url}/metrics`)).text();
  assert.match(metrics, /^habla_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1$/m);
  assert.match(metrics, /^habla_process_cpu_seconds_total /m);
  assert.equal(await other.stop(), 0);
});
