// Retention of the webhook outbox: delivered rows older than HABLA_WEBHOOK_RETENTION_DAYS go
// (with their attempts); recent deliveries, pending and failed rows stay.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from '../../src/domain/ids.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';
import { OutboxQueue } from '../../src/webhooks/outbox-queue.ts';
import type { SendOptions } from '../../src/webhooks/sender.ts';
import { describeEachDatabase } from '../helpers/app.ts';
import { waitFor } from '../helpers/webhook-receiver.ts';
import { nextSpanishNumber } from './call-fixtures.ts';

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describeEachDatabase('webhook outbox retention', (api) => {
  /** A webhook with one outbox row per entry of `states`, each set to that state. */
  async function outbox(states: { status: 'delivered' | 'failed' | 'pending'; completedDaysAgo: number | null }[]) {
    const created = await api().request('POST', '/v1/webhook/', { body: { url: 'https://hooks.example.com/r', subscribed_events: ['call_ended'] } });
    assert.equal(created.status, 200);
    const webhookId: string = created.body.id;
    const calls = new CallRepository(api().store.db);
    const ids: string[] = [];
    for (const state of states) {
      const contact = await new ContactRepository(api().store.db).findOrCreate(api().projectId, 'call', nextSpanishNumber());
      const call = await calls.create({
        projectId: api().projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
        type: 'outbound', status: 'dialing', fromNumber: null, toNumber: nextSpanishNumber(), dynamicVariables: null,
      });
      await calls.finish(call.id, 'no_answer', 'busy');
      const row = await api().store.db.selectFrom('webhook_deliveries').select('id')
        .where('webhook_id', '=', webhookId).where('call_id', '=', call.id).executeTakeFirstOrThrow();
      const completedAt = state.completedDaysAgo === null ? null : daysAgo(state.completedDaysAgo);
      await api().store.db.updateTable('webhook_deliveries').set({
        status: state.status, completed_at: completedAt, attempts: 1,
        created_date: daysAgo((state.completedDaysAgo ?? 40) + 0.001),
        // Pending rows are not due, so a running dispatcher leaves them alone.
        next_attempt_at: new Date(Date.now() + DAY).toISOString(),
      }).where('id', '=', row.id).execute();
      await api().store.db.insertInto('webhook_delivery_attempts').values({
        id: newId(), delivery_id: row.id, attempt: 1, started_at: completedAt ?? daysAgo(40), duration_ms: 3, status_code: 200, error: null,
      }).execute();
      ids.push(row.id);
    }
    const remaining = async () => (await api().store.db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhookId).execute()).map((r) => r.id);
    const attemptsOf = async (id: string) => (await api().store.db.selectFrom('webhook_delivery_attempts').select('id').where('delivery_id', '=', id).execute()).length;
    const cleanup = () => api().store.db.deleteFrom('webhooks').where('id', '=', webhookId).execute();
    return { ids, remaining, attemptsOf, cleanup };
  }

  it('pruneDelivered deletes only delivered rows completed before the cutoff, with their attempts, in batches', async () => {
    const { ids, remaining, attemptsOf, cleanup } = await outbox([
      { status: 'delivered', completedDaysAgo: 31 },
      { status: 'delivered', completedDaysAgo: 45 },
      { status: 'delivered', completedDaysAgo: 60 },
      { status: 'delivered', completedDaysAgo: 29 },
      { status: 'failed', completedDaysAgo: 40 },
      { status: 'pending', completedDaysAgo: null },
    ]);
    try {
      const [old1, old2, old3, recent, failed, pending] = ids as [string, string, string, string, string, string];
      assert.equal(await attemptsOf(old1), 1);
      const deleted = await new OutboxQueue(api().store.db).pruneDelivered(daysAgo(30), 2);
      assert.equal(deleted, 3, 'three old delivered rows, over two batches of 2');
      assert.deepEqual(new Set(await remaining()), new Set([recent, failed, pending]));
      for (const gone of [old1, old2, old3]) assert.equal(await attemptsOf(gone), 0, 'attempts go with their delivery');
      assert.equal(await attemptsOf(recent), 1);
      assert.equal(await new OutboxQueue(api().store.db).pruneDelivered(daysAgo(30)), 0, 'nothing left to prune');
    } finally {
      await cleanup();
    }
  });

  it('the dispatcher prunes on its first poll and then once per interval, using the configured retention', async () => {
    const { ids, remaining, cleanup } = await outbox([
      { status: 'delivered', completedDaysAgo: 8 },
      { status: 'delivered', completedDaysAgo: 6 },
    ]);
    const sent: SendOptions[] = [];
    const dispatcher = new WebhookDispatcher({
      db: api().store.db, secretBox: api().deps.secretBox, allowPrivateNetworks: false, pollIntervalMs: 20,
      retentionMs: 7 * DAY, pruneIntervalMs: 200,
      send: async (options) => (sent.push(options), { statusCode: 200, error: null, blocked: false, durationMs: 1 }),
    });
    try {
      dispatcher.start();
      await waitFor('the 8-day-old delivery pruned', async () => !(await remaining()).includes(ids[0]!));
      assert.deepEqual(await remaining(), [ids[1]], 'the 6-day-old one stays');
      // It turns 8 days old; the next sweep (one prune interval later) takes it.
      await api().store.db.updateTable('webhook_deliveries').set({ completed_at: daysAgo(8) }).where('id', '=', ids[1]!).execute();
      await waitFor('the next sweep', async () => (await remaining()).length === 0, 2_000);
      assert.equal(sent.length, 0, 'pruning sends nothing');
    } finally {
      await dispatcher.stop();
      await cleanup();
    }
  });
});
