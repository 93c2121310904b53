// Webhook events outlive a crash. During a live call one receiver answers 500 (after accepting
// the first event) and another is down (connection refused); `habla serve` is then SIGKILLed
// with events pending. On restart (same data dir) the call is closed with server_restart and,
// with both receivers now accepting, every event of the call reaches each of them: none lost,
// none accepted twice, in order, still signed with the webhook's secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { after, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { startSipp, type SippRun } from '../helpers/sipp.ts';
import { createPublishedAgent, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';
import { startReceiver, verifySignature, waitFor, type ReceivedRequest } from '../helpers/webhook-receiver.ts';

const ENV = { HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
const started: HablaProcess[] = [];
const receivers: { close(): Promise<void> }[] = [];
let callee: SippRun | undefined;

after(async () => {
  await callee?.cleanup();
  for (const habla of started) await habla.stop();
  for (const receiver of receivers) await receiver.close();
  if (started[0]) fs.rmSync(started[0].dataDir, { recursive: true, force: true });
});

/** A receiver that logs what it answered to each request; `accepting()` decides 200 or 500. */
async function loggingReceiver(accepting: (index: number) => boolean, port?: number) {
  const answers: { status: number; request: ReceivedRequest }[] = [];
  const rx = await startReceiver((index) => {
    const status = accepting(index) ? 200 : 500;
    answers.push({ status, request: rx.received[index]! });
    return status;
  }, { port });
  receivers.push(rx);
  return { ...rx, answers };
}

async function deliveries(api: HablaApi, webhookId: string): Promise<any[]> {
  return (await api('GET', `/v1/webhook/${webhookId}/deliveries?order=asc`)).data;
}

const describe = (r: ReceivedRequest) => `${r.body.event}:${r.body.call.status}`;

test('events pending at a SIGKILL are all delivered after the restart, none twice once acknowledged', async () => {
  let crashed = false;
  // Accepts the first event (dialing), answers 500 to everything else until the crash is over.
  const flaky = await loggingReceiver((index) => index === 0 || crashed);
  // Down during the call: its port is known, nothing listens there until after the restart.
  const probe = await startReceiver();
  const downPort = probe.port;
  await probe.close();

  const first = await startTelephonyServer(ENV);
  started.push(first.habla);
  const api = first.api;
  const events = ['status_changed', 'call_ended'];
  const flakyHook = await api('POST', '/v1/webhook/', { url: flaky.url, subscribed_events: events });
  const downHook = await api('POST', '/v1/webhook/', { url: `http://127.0.0.1:${downPort}/hook`, subscribed_events: events });

  callee = await startSipp({ scenario: 'uas-answer-echo-wait-bye', timeoutMs: 60_000 });
  const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
  await importNumber(api, { number: '+34910000041', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
  const placed = await api('POST', '/v1/call/', { from_number: '+34910000041', to_number: '+34600123456' });
  await waitForCall(api, placed.id, (c) => c.status === 'in_progress', 10_000);

  // Pending, and not in flight: dialing accepted by `flaky`, its in_progress refused once and
  // waiting for a retry; `down`'s dialing refused (connection) once and waiting too.
  await waitFor('the first attempts recorded', async () => {
    const f = await deliveries(api, flakyHook.id);
    const d = await deliveries(api, downHook.id);
    return f.length === 2 && f[0].status === 'delivered' && f[1].attempts === 1 && d.length === 2 && d[0].attempts === 1;
  }, 10_000);
  assert.deepEqual(flaky.answers.map((a) => [describe(a.request), a.status]), [['status_changed:dialing', 200], ['status_changed:in_progress', 500]]);
  const downBefore = await deliveries(api, downHook.id);
  assert.equal(downBefore[0].last_attempt.status_code, null);
  assert.match(downBefore[0].last_attempt.error, /ECONNREFUSED/);

  const exited = once(first.habla.child, 'exit');
  first.habla.child.kill('SIGKILL');
  assert.equal((await exited)[1], 'SIGKILL');

  crashed = true;
  const down = await loggingReceiver(() => true, downPort);
  const restarted = await startTelephonyServer(ENV, { dataDir: first.habla.dataDir, adminKey: first.habla.adminKey });
  started.push(restarted.habla);
  const call = await restarted.api('GET', `/v1/call/${placed.id}`);
  assert.equal(call.status, 'completed');
  assert.equal(call.end_reason, 'server_restart');

  const accepted = (rx: typeof flaky) => rx.answers.filter((a) => a.status === 200).map((a) => a.request);
  // Retries are due 2.5-5 s after the refused attempt (first backoff step, with jitter).
  await waitFor('every event accepted by both receivers', () => accepted(flaky).length >= 4 && accepted(down).length >= 4, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  const order = ['status_changed:dialing', 'status_changed:in_progress', 'status_changed:completed', 'call_ended:completed'];
  for (const [name, rx, hook] of [['flaky', flaky, flakyHook], ['down', down, downHook]] as const) {
    const got = accepted(rx);
    assert.deepEqual(got.map(describe), order, `${name}: every event of the call, in order`);
    assert.equal(new Set(got.map((r) => r.eventId)).size, 4, `${name}: no event accepted twice`);
    for (const r of rx.received) assert.ok(verifySignature(hook.secret, r.headers['diga-signature'], r.raw), `${name}: ${describe(r)} signed with the same secret`);
    const ended = got.filter((r) => r.body.call.status === 'completed');
    assert.ok(ended.every((r) => r.body.call.end_reason === 'server_restart'));
    assert.equal(got[3]!.body.end_reason, 'server_restart');
    const log = await deliveries(restarted.api, hook.id);
    assert.ok(log.every((d) => d.status === 'delivered'), `${name}: ${JSON.stringify(log)}`);
  }

  // What each receiver saw on the wire: an accepted event is never sent again.
  const requestsPerEvent = (rx: typeof flaky) => rx.received.reduce((n, r) => n.set(describe(r), (n.get(describe(r)) ?? 0) + 1), new Map<string, number>());
  assert.deepEqual(Object.fromEntries(requestsPerEvent(flaky)), {
    'status_changed:dialing': 1, 'status_changed:in_progress': 2, 'status_changed:completed': 1, 'call_ended:completed': 1,
  }, 'flaky: dialing (accepted before the crash) is not resent; in_progress is retried once, with the same id');
  assert.equal(flaky.received[1]!.eventId, flaky.received[2]!.eventId);
  assert.deepEqual([...requestsPerEvent(down).values()], [1, 1, 1, 1], 'down: each event sent once it could be');
  const inProgress = (await deliveries(restarted.api, flakyHook.id))[1];
  assert.equal(inProgress.attempts, 2);
  const detail = await restarted.api('GET', `/v1/webhook/${flakyHook.id}/deliveries/${inProgress.id}`);
  assert.deepEqual(detail.attempt_log.map((a: any) => a.status_code), [500, 200], 'the attempt before the crash is in the log');
});
