import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { answering, startReceiver, waitFor } from '../helpers/webhook-receiver.ts';
import { nextSpanishNumber } from './call-fixtures.ts';

describeEachDatabase('webhook deliveries (extension)', (api) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  async function runCleanup() {
    while (cleanup.length > 0) await cleanup.shift()!();
  }

  async function subscribe(url: string, key?: string): Promise<string> {
    const created = await api().request('POST', '/v1/webhook/', { body: { url, subscribed_events: ['status_changed'] }, key });
    assert.equal(created.status, 200);
    cleanup.push(() => api().store.db.deleteFrom('webhooks').where('id', '=', created.body.id).execute());
    return created.body.id;
  }

  function startDispatcher(): WebhookDispatcher {
    // Retries fail fast so a 500 ends as `failed` within the test.
    const d = new WebhookDispatcher({
      db: api().store.db, secretBox: api().deps.secretBox, allowPrivateNetworks: true,
      pollIntervalMs: 20, timeoutMs: 2_000, retry: { baseDelayMs: 10, factor: 1, maxAttempts: 2 },
    });
    cleanup.unshift(() => d.stop());
    d.start();
    return d;
  }

  async function newCall(a: TestApi, projectId = a.projectId) {
    const contact = await new ContactRepository(a.store.db).findOrCreate(projectId, 'call', nextSpanishNumber());
    return new CallRepository(a.store.db).create({
      projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
      type: 'outbound', status: 'dialing', fromNumber: null, toNumber: nextSpanishNumber(), dynamicVariables: {},
    });
  }

  const list = (hookId: string, query = '', key?: string) => api().request('GET', `/v1/webhook/${hookId}/deliveries${query}`, { key });
  const settled = async (hookId: string) => {
    const page = await list(hookId, '?limit=100');
    return page.status === 200 && page.body.data.length > 0 && page.body.data.every((d: any) => d.status !== 'pending');
  };

  it('lists deliveries with their last attempt after a real delivery, and shows every attempt and the payload', async () => {
    try {
      const rx = await startReceiver(answering(500, 200));
      cleanup.push(rx.close);
      const hookId = await subscribe(rx.url);
      startDispatcher();
      const call = await newCall(api());
      await new CallRepository(api().store.db).markAnswered(call.id);
      await waitFor('both delivered', () => settled(hookId));

      const page = await list(hookId, '?order=asc');
      assert.equal(page.status, 200);
      assert.equal(page.body.data.length, 2);
      assert.equal(page.body.has_more, false);
      assert.equal(page.body.current_page, 1);
      const [first, second] = page.body.data;
      assert.equal(first.call_id, call.id);
      assert.equal(first.event, 'status_changed');
      assert.equal(first.status, 'delivered');
      assert.equal(first.attempts, 2, 'a 500, then a 200');
      assert.equal(first.next_attempt_at, null);
      assert.equal(first.last_attempt.status_code, 200);
      assert.equal(first.last_attempt.error, null);
      assert.ok(Number.isInteger(first.last_attempt.duration_ms) && first.last_attempt.duration_ms >= 0);
      assert.equal(first.event_id, rx.received[0]!.eventId);
      assert.equal(second.event_id, rx.received[2]!.eventId);
      assert.equal(second.attempts, 1);

      const detail = await api().request('GET', `/v1/webhook/${hookId}/deliveries/${first.id}`);
      assert.equal(detail.status, 200);
      assert.deepEqual(detail.body.attempt_log.map((a: any) => [a.attempt, a.status_code, a.error]), [[1, 500, null], [2, 200, null]]);
      assert.deepEqual(detail.body.payload, rx.received[0]!.body, 'the payload is the JSON body sent');
      assert.equal(detail.body.payload.call.status, 'dialing');
      assert.deepEqual(detail.body.last_attempt, { at: detail.body.attempt_log[1].at, status_code: 200, error: null, duration_ms: detail.body.attempt_log[1].duration_ms });

      const paged = await list(hookId, '?limit=1&order=asc');
      assert.deepEqual(paged.body.data.map((d: any) => d.id), [first.id]);
      assert.equal(paged.body.has_more, true);
      assert.equal(paged.body.total_pages, 2);
      const next = await list(hookId, `?limit=1&order=asc&after=${first.id}`);
      assert.deepEqual(next.body.data.map((d: any) => d.id), [second.id]);
    } finally {
      await runCleanup();
    }
  });

  it('filters by status; a pending delivery has its next attempt and no attempt yet', async () => {
    try {
      const rx = await startReceiver(answering(400));
      cleanup.push(rx.close);
      const hookId = await subscribe(rx.url);
      await newCall(api());
      const pending = await list(hookId, '?status=pending');
      assert.equal(pending.body.data.length, 1);
      assert.equal(pending.body.data[0].attempts, 0);
      assert.equal(pending.body.data[0].last_attempt, null);
      assert.ok(pending.body.data[0].next_attempt_at);

      startDispatcher();
      await waitFor('failed', () => settled(hookId));
      assert.equal((await list(hookId, '?status=pending')).body.data.length, 0);
      assert.equal((await list(hookId, '?status=delivered')).body.data.length, 0);
      const failed = await list(hookId, '?status=failed');
      assert.equal(failed.body.data.length, 1);
      assert.equal(failed.body.data[0].attempts, 1, '400 is not retried');
      assert.equal(failed.body.data[0].last_attempt.status_code, 400);
    } finally {
      await runCleanup();
    }
  });

  it('redelivers a failed event with the same event id; a pending one is a 409', async () => {
    try {
      const rx = await startReceiver(answering(410, 200));
      cleanup.push(rx.close);
      const hookId = await subscribe(rx.url);
      await newCall(api());
      const [pendingRow] = (await list(hookId)).body.data;
      const early = await api().request('POST', `/v1/webhook/${hookId}/deliveries/${pendingRow.id}/redeliver`);
      assert.equal(early.status, 409);
      assert.equal(early.body.error_code, 'BAD_PARAMETER');

      startDispatcher();
      await waitFor('failed', () => settled(hookId));
      const again = await api().request('POST', `/v1/webhook/${hookId}/deliveries/${pendingRow.id}/redeliver`);
      assert.equal(again.status, 202);
      assert.equal(again.body.id, pendingRow.id);
      assert.equal(again.body.event_id, pendingRow.event_id);
      assert.ok(['pending', 'delivered'].includes(again.body.status));
      await waitFor('redelivered', () => rx.received.length === 2 && settled(hookId));
      assert.equal(rx.received[1]!.eventId, rx.received[0]!.eventId, 'consumers can dedupe on the event id');
      assert.deepEqual(rx.received[1]!.body, rx.received[0]!.body);
      const detail = await api().request('GET', `/v1/webhook/${hookId}/deliveries/${pendingRow.id}`);
      assert.equal(detail.body.status, 'delivered');
      assert.deepEqual(detail.body.attempt_log.map((a: any) => [a.attempt, a.status_code]), [[1, 410], [2, 200]]);

      // A delivered event can be sent again too.
      const third = await api().request('POST', `/v1/webhook/${hookId}/deliveries/${pendingRow.id}/redeliver`);
      assert.equal(third.status, 202);
      await waitFor('sent a third time', () => rx.received.length === 3);
      assert.equal(rx.received[2]!.eventId, pendingRow.event_id);
    } finally {
      await runCleanup();
    }
  });

  it('404 for unknown or another project\'s webhook or delivery, 422 for malformed input, 403 without permission', async () => {
    try {
      const hookId = await subscribe('https://example.com/hook');
      await newCall(api());
      const [row] = (await list(hookId)).body.data;
      const otherHook = await subscribe('https://example.com/other', api().other.key);
      await newCall(api(), api().other.projectId);
      const [otherRow] = (await list(otherHook, '', api().other.key)).body.data;
      assert.ok(otherRow);

      const cases: [string, string][] = [
        ['GET', `/v1/webhook/${randomUUID()}/deliveries`],
        ['GET', `/v1/webhook/${otherHook}/deliveries`],
        ['GET', `/v1/webhook/${otherHook}/deliveries/${otherRow.id}`],
        ['GET', `/v1/webhook/${hookId}/deliveries/${otherRow.id}`],
        ['GET', `/v1/webhook/${hookId}/deliveries/${randomUUID()}`],
        ['POST', `/v1/webhook/${otherHook}/deliveries/${otherRow.id}/redeliver`],
        ['POST', `/v1/webhook/${hookId}/deliveries/${randomUUID()}/redeliver`],
      ];
      for (const [method, url] of cases) {
        const response = await api().request(method, url);
        assert.equal(response.status, 404, `${method} ${url}`);
        assert.equal(response.body.error_code, 'WEBHOOK_NOT_FOUND');
      }

      const badStatus = await list(hookId, '?status=lost');
      assert.equal(badStatus.status, 422);
      assert.deepEqual(badStatus.body.detail[0].loc, ['query', 'status']);
      const badId = await api().request('GET', '/v1/webhook/not-a-uuid/deliveries');
      assert.equal(badId.status, 422);
      assert.deepEqual(badId.body.detail[0].loc, ['path', 'id']);
      const badDelivery = await api().request('POST', `/v1/webhook/${hookId}/deliveries/nope/redeliver`);
      assert.equal(badDelivery.status, 422);
      const badCursor = await list(hookId, `?after=${randomUUID()}`);
      assert.equal(badCursor.status, 422);
      assert.equal(badCursor.body.error_code, 'INVALID_PAGINATION_PARAMETERS');

      const viewer = await api().restrictedKey(['webhooks.view']);
      assert.equal((await list(hookId, '', viewer)).status, 200);
      assert.equal((await api().request('GET', `/v1/webhook/${hookId}/deliveries/${row.id}`, { key: viewer })).status, 200);
      const denied = await api().request('POST', `/v1/webhook/${hookId}/deliveries/${row.id}/redeliver`, { key: viewer });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
      const updater = await api().restrictedKey(['webhooks.update']);
      assert.equal((await list(hookId, '', updater)).status, 403);
      assert.equal((await api().request('GET', `/v1/webhook/${hookId}/deliveries`, { key: null })).status, 401);
    } finally {
      await runCleanup();
    }
  });
});
