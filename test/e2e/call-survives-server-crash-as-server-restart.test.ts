// Every call reaches a terminal status, even when the server dies under it. Habla is SIGKILLed
// with one call answered (sipp waits for a BYE that never comes) and one still ringing (sipp
// rings forever). A process that starts on the same data dir under ANOTHER instance id (a
// second server sharing the database) must leave both alone: they are not its calls. The
// next start as the same instance (its id read back from <data>/instance-id) closes them:
// the answered one completed/server_restart, the ringing one failed/server_restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { after, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { startSipp, type SippRun } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

const started: HablaProcess[] = [];
const callees: SippRun[] = [];

after(async () => {
  for (const callee of callees) await callee.cleanup();
  for (const habla of started) await habla.stop();
  if (started[0]) fs.rmSync(started[0].dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, previous?: HablaProcess): Promise<{ habla: HablaProcess; api: HablaApi }> {
  const server = await startTelephonyServer(env, previous && { dataDir: previous.dataDir, adminKey: previous.adminKey });
  started.push(server.habla);
  return server;
}

async function waitForLogEvent(api: HablaApi, callId: string, event: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await callLog(api, callId)).some((e) => e.event === event)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`call ${callId} never logged ${event}`);
}

async function endedEntry(api: HablaApi, callId: string) {
  return (await callLog(api, callId)).filter((e) => e.event === 'call_ended');
}

test('a crash leaves no call live: the next start of the same instance closes its calls with server_restart', async () => {
  const first = await start();
  const answeredCallee = await startSipp({ scenario: 'uas-answer-echo-wait-bye', timeoutMs: 60_000 });
  const ringingCallee = await startSipp({ scenario: 'uas-ring-forever', timeoutMs: 60_000 });
  callees.push(answeredCallee, ringingCallee);

  const agent = await createPublishedAgent(first.api, { greeting: 'Hola, le llamamos de la clínica.' });
  await importNumber(first.api, { number: '+34910000011', terminationUri: `127.0.0.1:${answeredCallee.sipPort}`, outboundAgentId: agent.agentId });
  const answered = await first.api('POST', '/v1/call/', { from_number: '+34910000011', to_number: '+34600123456' });
  await waitForCall(first.api, answered.id, (c) => c.status === 'in_progress');

  await importNumber(first.api, { number: '+34910000012', terminationUri: `127.0.0.1:${ringingCallee.sipPort}`, outboundAgentId: agent.agentId });
  const ringing = await first.api('POST', '/v1/call/', { from_number: '+34910000012', to_number: '+34600654321' });
  await waitForLogEvent(first.api, ringing.id, 'ringing');
  assert.equal((await first.api('GET', `/v1/call/${ringing.id}`)).status, 'dialing');

  const exited = once(first.habla.child, 'exit');
  first.habla.child.kill('SIGKILL');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');

  // Another instance on the same database: not its calls, so not its business.
  const other = await start({ HABLA_INSTANCE_ID: 'another-habla' }, first.habla);
  assert.equal((await other.api('GET', `/v1/call/${answered.id}`)).status, 'in_progress', 'another instance leaves the answered call alone');
  assert.equal((await other.api('GET', `/v1/call/${ringing.id}`)).status, 'dialing', 'another instance leaves the ringing call alone');
  assert.deepEqual(await endedEntry(other.api, answered.id), []);
  assert.doesNotMatch(other.habla.output(), /closed calls left live/);
  assert.equal(await other.habla.stop(), 0);

  // The same instance again (no HABLA_INSTANCE_ID: the id stored in the data dir).
  const restarted = await start({}, first.habla);
  const startedAt = Date.now();
  assert.match(restarted.habla.output(), /"calls":2[^\n]*closed calls left live by a previous run/, restarted.habla.output());

  const completed = await restarted.api('GET', `/v1/call/${answered.id}`);
  assert.equal(completed.status, 'completed', JSON.stringify(completed));
  assert.equal(completed.end_reason, 'server_restart');
  assert.ok(completed.start_time && completed.end_time, 'an answered call keeps its start and gets an end');
  assert.ok(Date.parse(completed.end_time) >= Date.parse(completed.start_time));
  assert.ok(Date.parse(completed.end_time) <= startedAt, 'closed during start-up, before the API listened');
  assert.equal(typeof completed.duration, 'number');

  const failed = await restarted.api('GET', `/v1/call/${ringing.id}`);
  assert.equal(failed.status, 'failed', JSON.stringify(failed));
  assert.equal(failed.end_reason, 'server_restart');
  assert.equal(failed.start_time, null, 'never answered');

  for (const [call, status] of [[answered, 'completed'], [ringing, 'failed']] as const) {
    const ended = await endedEntry(restarted.api, call.id);
    assert.equal(ended.length, 1, `exactly one call_ended for ${status}`);
    assert.equal(ended[0].data.end_reason, 'server_restart');
    assert.equal(ended[0].data.status, status);
    assert.equal(ended[0].level, 'WARNING');
  }

  // Nothing in the store is left live.
  const listed = await restarted.api('GET', '/v1/call/?limit=10');
  assert.ok(listed.data.every((c: any) => !['dialing', 'in_progress'].includes(c.status)), 'no call is left live');
});
