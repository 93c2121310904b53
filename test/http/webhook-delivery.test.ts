import { it } from 'node:test';
import assert from 'node:assert/strict';
import { nowIso } from '../../src/domain/ids.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { WebhookDispatcher, type DispatcherOptions } from '../../src/webhooks/dispatcher.ts';
import { isPrivateAddress } from '../../src/webhooks/ssrf.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { startReceiver, verifySignature, waitFor } from '../helpers/webhook-receiver.ts';
import { nextSpanishNumber } from './call-fixtures.ts';

const FAST: Partial<DispatcherOptions> = { pollIntervalMs: 20, timeoutMs: 2_000, retry: { baseDelayMs: 20, factor: 2, maxAttempts: 4 } };

describeEachDatabase('webhook delivery', (api) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  const track = <T extends () => Promise<unknown>>(fn: T) => cleanup.push(fn);

  async function subscribe(url: string): Promise<{ id: string; secret: string }> {
    const created = await api().request('POST', '/v1/webhook/', { body: { url, subscribed_events: ['status_changed'] } });
    assert.equal(created.status, 200);
    track(() => api().store.db.deleteFrom('webhooks').where('id', '=', created.body.id).execute());
    return created.body;
  }

  function dispatcher(overrides: Partial<DispatcherOptions> = {}): WebhookDispatcher {
    const d = new WebhookDispatcher({ db: api().store.db, secretBox: api().deps.secretBox, allowPrivateNetworks: true, ...FAST, ...overrides });
    cleanup.unshift(() => d.stop());
    return d;
  }

  async function newCall(a: TestApi) {
    const contact = await new ContactRepository(a.store.db).findOrCreate(a.projectId, 'call', nextSpanishNumber());
    return new CallRepository(a.store.db).create({
      projectId: a.projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
      type: 'outbound', status: 'dialing', fromNumber: null, toNumber: nextSpanishNumber(), dynamicVariables: { name: 'Ana' },
    });
  }

  const deliveries = (webhookId: string) =>
    api().store.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('seq').execute();
  const attempts = (deliveryId: string) =>
    api().store.db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();

  async function runCleanup() {
    while (cleanup.length > 0) await cleanup.shift()!();
  }

  it('delivers exactly one signed event per status change of a call, in order', async () => {
    try {
      const rx = await startReceiver();
      track(rx.close);
      const hook = await subscribe(rx.url);
      dispatcher().start();
      const calls = new CallRepository(api().store.db);
      const call = await newCall(api());
      assert.equal(await calls.markAnswered(call.id), true);
      assert.equal(await calls.finish(call.id, 'completed', 'user_hangup'), true);
      assert.equal(await calls.finish(call.id, 'failed', 'late'), false, 'a refused change writes no event');

      await waitFor('3 events', () => rx.received.length >= 3);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(rx.received.length, 3);
      assert.deepEqual(rx.received.map((r) => r.body.call.status), ['dialing', 'in_progress', 'completed']);
      for (const r of rx.received) {
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.body.event, 'status_changed');
        assert.equal(r.body.call.id, call.id);
        assert.equal(r.body.call.recording_url, null);
        assert.deepEqual(r.body.call.dynamic_variables, { name: 'Ana' });
        assert.equal(r.headers['habla-event-id'], r.body.event_id);
        assert.ok(verifySignature(hook.secret, r.headers['diga-signature'] as string, r.raw), 'signature verifies');
        assert.equal(verifySignature(hook.secret, r.headers['diga-signature'] as string, r.raw.replace('status_changed', 'status_changeD')), false);
        assert.equal(verifySignature('whsec_wrong', r.headers['diga-signature'] as string, r.raw), false);
      }
      assert.equal(new Set(rx.received.map((r) => r.body.event_id)).size, 3);
      assert.equal(rx.received[2]!.body.call.end_reason, 'user_hangup');
      await waitFor('outcomes recorded', async () => (await deliveries(hook.id)).every((d) => d.status === 'delivered'));
      const rows = await deliveries(hook.id);
      assert.deepEqual(rows.map((r) => [Number(r.seq), r.status, Number(r.attempts)]), [[1, 'delivered', 1], [2, 'delivered', 1], [3, 'delivered', 1]]);
    } finally {
      await runCleanup();
    }
  });

  it('retries 5xx with backoff until accepted, records every attempt, and keeps the call order meanwhile', async () => {
    try {
      const rx = await startReceiver((i) => (i < 2 ? 500 : 200));
      track(rx.close);
      const hook = await subscribe(rx.url);
      dispatcher().start();
      const call = await newCall(api());
      await new CallRepository(api().store.db).markAnswered(call.id);

      await waitFor('both delivered', async () => (await deliveries(hook.id)).every((d) => d.status === 'delivered'));
      const statuses = rx.received.map((r) => r.body.call.status);
      assert.deepEqual(statuses, ['dialing', 'dialing', 'dialing', 'in_progress'], 'event 2 waits for event 1');
      assert.equal(new Set(rx.received.slice(0, 3).map((r) => r.body.event_id)).size, 1, 'a retry resends the same event');
      const [first] = await deliveries(hook.id);
      assert.equal(Number(first!.attempts), 3);
      const log = await attempts(first!.id);
      assert.deepEqual(log.map((a) => [Number(a.attempt), a.status_code]), [[1, 500], [2, 500], [3, 200]]);
      assert.ok(log.every((a) => Number(a.duration_ms) >= 0 && a.started_at <= nowIso()));
      assert.ok(rx.received[1]!.at - rx.received[0]!.at >= 10, 'backoff between attempts');
    } finally {
      await runCleanup();
    }
  });

  it('does not retry other 4xx, and fails after the attempts cap', async () => {
    try {
      const bad = await startReceiver(() => 400);
      const down = await startReceiver(() => 503);
      track(bad.close);
      track(down.close);
      const badHook = await subscribe(bad.url);
      const downHook = await subscribe(down.url);
      dispatcher().start();
      await newCall(api());
      await waitFor('both failed', async () =>
        [...(await deliveries(badHook.id)), ...(await deliveries(downHook.id))].every((d) => d.status === 'failed'));
      assert.equal(bad.received.length, 1);
      assert.equal(down.received.length, 4, 'maxAttempts = 4');
      const [failed] = await deliveries(downHook.id);
      assert.equal(failed!.last_error, 'HTTP 503');
    } finally {
      await runCleanup();
    }
  });

  it('a hanging endpoint delays neither the call nor another endpoint', async () => {
    try {
      const slow = await startReceiver(() => 'hang');
      const fast = await startReceiver();
      track(slow.close);
      track(fast.close);
      await subscribe(slow.url);
      const fastHook = await subscribe(fast.url);
      dispatcher({ timeoutMs: 10_000 }).start();
      const calls = new CallRepository(api().store.db);
      const started = performance.now();
      const call = await newCall(api());
      await calls.markAnswered(call.id);
      await calls.finish(call.id, 'completed', 'user_hangup');
      assert.ok(performance.now() - started < 1_000, 'status changes do not wait for deliveries');
      await waitFor('fast endpoint gets all 3 events', () => fast.received.length === 3, 2_000);
      assert.equal(slow.received.length, 1, 'the slow endpoint is still stuck on event 1 (ordering)');
      // The receiver answered; the outcome is recorded just after.
      await waitFor('fast deliveries recorded', async () => (await deliveries(fastHook.id)).every((d) => d.status === 'delivered'), 2_000);
    } finally {
      await runCleanup();
    }
  });

  it('a leased delivery (crashed dispatcher) is retried once the lease expires', async () => {
    try {
      const rx = await startReceiver();
      track(rx.close);
      const hook = await subscribe(rx.url);
      await newCall(api());
      const [row] = await deliveries(hook.id);
      await api().store.db.updateTable('webhook_deliveries')
        .set({ locked_until: new Date(Date.now() + 400).toISOString() }).where('id', '=', row!.id).execute();
      dispatcher().start();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(rx.received.length, 0, 'not while another dispatcher holds the lease');
      await waitFor('delivery after lease expiry', () => rx.received.length === 1);
      await waitFor('marked delivered', async () => (await deliveries(hook.id))[0]!.status === 'delivered');
    } finally {
      await runCleanup();
    }
  });

  it('a delivery interrupted by shutdown is sent by the next dispatcher, with no attempt counted', async () => {
    try {
      const rx = await startReceiver((i) => (i === 0 ? 'hang' : 200));
      track(rx.close);
      const hook = await subscribe(rx.url);
      const first = dispatcher({ timeoutMs: 10_000 });
      first.start();
      await newCall(api());
      await waitFor('first request in flight', () => rx.received.length === 1);
      await first.stop();
      const [row] = await deliveries(hook.id);
      assert.equal(row!.status, 'pending');
      assert.equal(row!.locked_until, null, 'the lease is given back');
      assert.equal(Number(row!.attempts), 0);
      dispatcher().start();
      await waitFor('delivered after restart', async () => (await deliveries(hook.id))[0]!.status === 'delivered');
      assert.equal(rx.received.length, 2);
      assert.equal(rx.received[1]!.body.event_id, rx.received[0]!.body.event_id);
    } finally {
      await runCleanup();
    }
  });

  it('refuses private-network endpoints unless allowed (SSRF)', async () => {
    try {
      const rx = await startReceiver();
      track(rx.close);
      const hook = await subscribe(rx.url);
      dispatcher({ allowPrivateNetworks: false }).start();
      await newCall(api());
      await waitFor('failed', async () => (await deliveries(hook.id))[0]?.status === 'failed');
      assert.equal(rx.received.length, 0);
      const [row] = await deliveries(hook.id);
      assert.equal(Number(row!.attempts), 1, 'refusal is final: no retries');
      const [attempt] = await attempts(row!.id);
      assert.equal(attempt!.status_code, null);
      assert.match(attempt!.error!, /HABLA_WEBHOOK_ALLOW_PRIVATE_NETWORKS/);

      for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
        assert.equal(isPrivateAddress(ip), true, ip);
      }
      for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1']) assert.equal(isPrivateAddress(ip), false, ip);
    } finally {
      await runCleanup();
    }
  });
});
