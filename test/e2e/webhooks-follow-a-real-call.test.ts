// A CRM's view of one real call: `habla serve` places an outbound call that sipp answers, plays
// speech into and hangs up. A real HTTP receiver subscribed to status_changed and call_ended gets
// exactly one signed event per status change (dialing, in_progress, completed), in order, then
// call_ended once — each verifying with the documented recipe — and /metrics, parsed as
// Prometheus text, shows the call's end and setup time and the four deliveries. An inbound call
// (sipp calling in, then hanging up) follows the same way and is measured as an inbound setup.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { espeakToUlaw, writeDtmfPcap } from '../helpers/audio-fixtures.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { createPublishedAgent, explainSippFailure, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';
import { startReceiver, verifySignature, waitFor } from '../helpers/webhook-receiver.ts';

let habla: HablaProcess;
let api: HablaApi;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-webhooks-call-'));

before(async () => {
  receiver = await startReceiver();
  ({ habla, api } = await startTelephonyServer({ HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }));
});
after(async () => {
  await habla?.stop();
  await receiver?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The raw value of one sample; the parser drops the labels of labelled histograms, so read those lines directly. */
function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(): Promise<{ text: string; families: ReturnType<typeof parsePrometheusTextFormat> }> {
  const response = await fetch(`${habla.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  return { text, families: parsePrometheusTextFormat(text) };
}

const counter = (families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string>) =>
  Number(families.find((f) => f.name === name)?.metrics.find((m: any) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);

test('a real answered call reaches the receiver as one signed event per status change, then call_ended', async () => {
  const hook = await api('POST', '/v1/webhook/', { url: receiver.url, subscribed_events: ['status_changed', 'call_ended'] });
  assert.match(hook.secret, /^whsec_/);
  const before = await scrape();
  assert.equal(counter(before.families, 'habla_calls_ended_total', { status: 'completed', end_reason: 'customer_hangup' }), 0);

  const speech = await espeakToUlaw('Hola, sí, dígame.', 'es', work);
  const callee = await startSipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${speech},1,0` }, vars: { hangup_after_ms: 1500 } });
  try {
    await explainSippFailure(callee, habla, async () => {
      const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
      await importNumber(api, { number: '+34910000031', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
      const placed = await api('POST', '/v1/call/', { from_number: '+34910000031', to_number: '+34600123456' });
      const call = await waitForCall(api, placed.id, (c) => c.status === 'completed', 15_000);
      await assertSippPassed(callee, 'callee');
      assert.equal(call.end_reason, 'customer_hangup');

      await waitFor('four deliveries', () => receiver.received.length >= 4, 10_000);
      // The dispatcher polls every second: a duplicate or a stray event would show up by now.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const got = receiver.received;
      assert.deepEqual(got.map((r) => [r.body.event, r.body.call.status]), [
        ['status_changed', 'dialing'], ['status_changed', 'in_progress'], ['status_changed', 'completed'], ['call_ended', 'completed'],
      ], 'exactly one event per status change, in order, then call_ended once');
      for (const r of got) {
        assert.ok(verifySignature(hook.secret, r.headers['diga-signature'], r.raw), `${r.body.event} ${r.body.call.status}: the signature verifies`);
        assert.equal(verifySignature(hook.secret, r.headers['diga-signature'], r.raw.replace(placed.id, placed.id.toUpperCase())), false);
        assert.equal(r.eventId, r.body.event_id);
        assert.equal(r.body.call.id, placed.id);
        assert.equal(r.headers['content-type'], 'application/json');
      }
      assert.equal(new Set(got.map((r) => r.eventId)).size, 4, 'each event has its own id');

      const ended = got[3]!.body;
      assert.equal(ended.end_reason, 'customer_hangup');
      const final = await api('GET', `/v1/call/${placed.id}`);
      assert.deepEqual(ended.call, { ...final, recording_url: null }, 'call_ended carries the final call as GET /v1/call/{id} returns it');
      assert.ok(got[1]!.body.call.start_time, 'in_progress carries the answer time');
      assert.equal(got[0]!.body.call.start_time, null);

      const log = await api('GET', `/v1/webhook/${hook.id}/deliveries?order=asc`);
      assert.deepEqual(log.data.map((d: any) => [d.event, d.status, d.attempts, d.last_attempt?.status_code]), [
        ['status_changed', 'delivered', 1, 200], ['status_changed', 'delivered', 1, 200], ['status_changed', 'delivered', 1, 200], ['call_ended', 'delivered', 1, 200],
      ]);

      const after = await scrape();
      assert.equal(counter(after.families, 'habla_calls_ended_total', { status: 'completed', end_reason: 'customer_hangup' }), 1, 'the call is counted once by status and end reason');
      assert.equal(counter(after.families, 'habla_webhook_deliveries_total', { outcome: 'delivered' }), 4);
      assert.equal(after.families.find((f) => f.name === 'habla_call_setup_seconds')?.type, 'HISTOGRAM');
      const setups = sampleValue(after.text, 'habla_call_setup_seconds_count', { direction: 'outbound' });
      const setupSum = sampleValue(after.text, 'habla_call_setup_seconds_sum', { direction: 'outbound' })!;
      assert.equal(setups, 1, 'one outbound setup measured');
      const timeline = (Date.parse(final.start_time) - Date.parse(final.created_date)) / 1000;
      assert.ok(setupSum > 0 && setupSum <= timeline + 0.05, `setup ${setupSum} s within the ${timeline} s from creation to answer`);
      assert.equal(sampleValue(after.text, 'habla_call_setup_seconds_count', { direction: 'inbound' }), undefined, 'no inbound call, no inbound sample');
    });
  } finally {
    await callee.cleanup();
  }
});

test('an inbound call follows the same way, and its setup is measured as inbound', async () => {
  const hook = await api('POST', '/v1/webhook/', { url: receiver.url, subscribed_events: ['call_ended'] });
  const seen = receiver.received.length;
  const agent = await createPublishedAgent(api, { greeting: 'Buenos días, clínica.' });
  await importNumber(api, { number: '+34910000032', inboundAgentId: agent.agentId });
  const pcap = writeDtmfPcap(path.join(work, 'one-key.pcap'), '1');
  const caller = await startSipp({
    scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: '34910000032',
    keys: { pcap: pcap.path }, vars: { hangup_after_ms: pcap.durationMs + 500 }, timeoutMs: 15_000,
  });
  try {
    await explainSippFailure(caller, habla, async () => {
      const created = await waitForCallWhere(api, 'type=inbound');
      const call = await waitForCall(api, created.id, (c) => c.status === 'completed', 15_000);
      await assertSippPassed(caller, 'caller');
      assert.equal(call.end_reason, 'customer_hangup');
      await waitFor('the inbound call\'s events', () => receiver.received.slice(seen).filter((r) => r.body.call.id === call.id).length >= 5, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const mine = receiver.received.slice(seen).filter((r) => r.body.call.id === call.id);
      // Two webhooks now: the first (status_changed + call_ended) and this one (call_ended only).
      assert.deepEqual(mine.map((r) => [r.body.event, r.body.call.status]).sort(), [
        ['call_ended', 'completed'], ['call_ended', 'completed'],
        ['status_changed', 'completed'], ['status_changed', 'dialing'], ['status_changed', 'in_progress'],
      ]);
      const ended = mine.filter((r) => r.body.event === 'call_ended');
      assert.equal(ended[0]!.eventId, ended[1]!.eventId, 'one call_ended event, delivered to each subscribed webhook');
      assert.ok(ended.some((r) => verifySignature(hook.secret, r.headers['diga-signature'], r.raw)), 'signed with each webhook\'s own secret');
      assert.equal(ended[0]!.body.call.type, 'inbound');

      const { text, families } = await scrape();
      assert.equal(counter(families, 'habla_calls_ended_total', { status: 'completed', end_reason: 'customer_hangup' }), 2);
      assert.equal(sampleValue(text, 'habla_call_setup_seconds_count', { direction: 'inbound' }), 1);
      const inboundSetup = sampleValue(text, 'habla_call_setup_seconds_sum', { direction: 'inbound' })!;
      assert.ok(inboundSetup > 0 && inboundSetup < 1, `inbound setup (INVITE → 200 OK) took ${inboundSetup} s`);
      assert.equal(sampleValue(text, 'habla_call_setup_seconds_count', { direction: 'outbound' }), 1, 'the outbound figure is unchanged');
    });
  } finally {
    await caller.cleanup();
  }
});
