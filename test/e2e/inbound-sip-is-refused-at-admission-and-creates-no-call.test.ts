import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startHablaProcess, type HablaProcess } from '../helpers/server-process.ts';

// The real server and a real SIP client (SIPp, Debian package sip-tester): Habla listens on UDP
// and refuses inbound INVITEs at admission with the right status, creating no call.

const SCENARIOS = path.resolve(import.meta.dirname, '../fixtures/sipp');

let habla: HablaProcess;
let workDir: string;
before(async () => {
  habla = await startHablaProcess();
  assert.ok(Number.isInteger(habla.sipPort) && habla.sipPort > 0, 'the server logs the SIP port it bound');
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-sipp-'));
});
after(async () => {
  await habla?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function api(method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${habla.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${habla.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Runs one SIPp call of `scenario` against Habla, dialling `service`. SIPp exits 0 only when
 * every call followed the scenario (the expected response arrived, nothing unexpected did);
 * it may hang after -m 1, so a timeout kills it.
 */
function sipp(scenario: string, service: string): Promise<{ code: number | null; errors: string }> {
  const errorFile = path.join(workDir, `${scenario}-${Date.now()}.err`);
  const args = [`127.0.0.1:${habla.sipPort}`, '-sf', path.join(SCENARIOS, `${scenario}.xml`), '-s', service, '-m', '1',
    '-i', '127.0.0.1', '-nostdin', '-timeout', '15s', '-timeout_error', '-trace_err', '-error_file', errorFile];
  return new Promise((resolve) => {
    execFile('sipp', args, { cwd: workDir, timeout: 20_000, killSignal: 'SIGKILL' }, (error) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, errors: fs.existsSync(errorFile) ? fs.readFileSync(errorFile, 'utf8') : '' });
    });
  });
}

async function expectScenario(scenario: string, service: string): Promise<void> {
  const result = await sipp(scenario, service);
  assert.equal(result.code, 0, `sipp ${scenario} failed (exit ${result.code}):\n${result.errors}\n${habla.output().slice(-2000)}`);
}

async function callCount(): Promise<number> {
  const page = await api('GET', '/v1/call/?limit=100');
  return page.data.length;
}

test('OPTIONS is answered 200 with Allow', async () => {
  await expectScenario('options-200', 'habla');
});

test('an INVITE for a number nobody has is 404 and creates no call', async () => {
  await expectScenario('invite-404', '0034919999999');
  assert.equal(await callCount(), 0);
});

test('a number whose allowed_addresses exclude the source is 403', async () => {
  await api('POST', '/v1/phone/import', { phone_number: '+34910000011', inbound_config: { allowed_addresses: ['198.51.100.0/24'] } });
  await expectScenario('invite-403', '34910000011');
  assert.equal(await callCount(), 0);
});

test('a number without an inbound agent is 480', async () => {
  await api('POST', '/v1/phone/import', { phone_number: '+34910000012', inbound_config: { allowed_addresses: ['127.0.0.1'] } });
  await expectScenario('invite-480', '+34910000012');
  assert.equal(await callCount(), 0);
});

test('200 malformed datagrams do not stop the server: it still answers OPTIONS', async () => {
  const socket = dgram.createSocket('udp4');
  const junk = [Buffer.from([0xff, 0xfe, 0x00, 0x01]), Buffer.from('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n'),
    Buffer.from('SIP/2.0 999 Weird\r\n\r\n'), Buffer.alloc(1400, 0x7a), Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\n')];
  for (let i = 0; i < 200; i++) {
    await new Promise<void>((resolve, reject) => socket.send(junk[i % junk.length], habla.sipPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
  await expectScenario('options-200', 'habla');
  assert.equal(habla.child.exitCode, null, 'the server is still running');
  const drops = habla.output().split('\n').filter((line) => line.includes('sip message dropped'));
  assert.ok(drops.length >= 1 && drops.length < 20, `rate-limited drop logging (${drops.length} lines)`);
});

test('rejections are logged with structured fields and never the dialled number', async () => {
  const exitCode = await habla.stop();
  assert.equal(exitCode, 0);
  const output = habla.output();
  assert.match(output, /"reason":"unknown_number".*"msg":"inbound call rejected"/);
  assert.match(output, /"reason":"source_not_allowed"/);
  assert.match(output, /"reason":"no_inbound_agent"/);
  for (const digits of ['919999999', '910000011', '910000012']) assert.ok(!output.includes(digits), `${digits} leaked into the log`);
});
