// The `call_ended` extension event: subscribable next to the contract's status_changed, written
// to the outbox once, in the transaction that ends the call, after that change's status_changed;
// delivered signed like every event. `call_analyzed` is subscribable but nothing emits it yet.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { startReceiver, verifySignature, waitFor } from '../helpers/webhook-receiver.ts';
import { nextSpanishNumber } from './call-fixtures.ts';

describeEachDatabase('webhook call_ended event', (api) => {
  async function subscribe(events: string[], url = 'https://hooks.example.com/habla'): Promise<{ id: string; secret: string }> {
    const created = await api().request('POST', '/v1/webhook/', { body: { url, subscribed_events: events } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    return created.body;
  }
  const unsubscribe = (id: string) => api().store.db.deleteFrom('webhooks').where('id', '=', id).execute();

  async function newCall(a: TestApi) {
    const contact = await new ContactRepository(a.store.db).findOrCreate(a.projectId, 'call', nextSpanishNumber());
    return new CallRepository(a.store.db).create({
      projectId: a.projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
      type: 'outbound', status: 'dialing', fromNumber: null, toNumber: nextSpanishNumber(), dynamicVariables: { name: 'Ana' },
    });
  }

  const rowsOf = (webhookId: string) =>
    api().store.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('seq').execute();

  it('accepts the extension events in subscribed_events and still refuses unknown ones', async () => {
    const hook = await subscribe(['status_changed', 'call_ended', 'call_analyzed']);
    try {
      const got = await api().request('GET', `/v1/webhook/${hook.id}`);
      assert.deepEqual(got.body.subscribed_events, ['status_changed', 'call_ended', 'call_analyzed']);
      const patched = await api().request('PATCH', `/v1/webhook/${hook.id}`, { body: { subscribed_events: ['call_ended'] } });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.body.subscribed_events, ['call_ended']);
      const filtered = await api().request('GET', '/v1/webhook/', { body: ['call_ended'] });
      assert.equal(filtered.status, 200);
      assert.ok(filtered.body.data.some((w: any) => w.id === hook.id));
      const bad = await api().request('POST', '/v1/webhook/', { body: { url: 'https://x.example.com', subscribed_events: ['call_started'] } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.detail[0].loc, ['body', 'subscribed_events', 0]);
    } finally {
      await unsubscribe(hook.id);
    }
  });

  it('marks the extended event enum x-habla-extension in the OpenAPI document', async () => {
    const doc = (await api().request('GET', '/openapi.json', { key: null })).body;
    const items = doc.paths['/v1/webhook/'].post.requestBody.content['application/json'].schema;
    const schema = items.$ref ? doc.components.schemas[items.$ref.split('/').pop()] : items;
    const events = schema.properties.subscribed_events.items;
    const resolved = events.$ref ? doc.components.schemas[events.$ref.split('/').pop()] : events;
    assert.deepEqual(resolved.enum, ['status_changed', 'call_ended', 'call_analyzed']);
    assert.equal(resolved['x-habla-extension'], true);
  });

  it('writes call_ended once, after the status_changed of the ending, with the final call and end_reason', async () => {
    const both = await subscribe(['status_changed', 'call_ended']);
    const endedOnly = await subscribe(['call_ended']);
    const statusOnly = await subscribe(['status_changed']);
    try {
      const calls = new CallRepository(api().store.db);
      const call = await newCall(api());
      assert.equal(await calls.markAnswered(call.id), true);
      assert.equal(await calls.finish(call.id, 'completed', 'customer_hangup'), true);
      assert.equal(await calls.finish(call.id, 'failed', 'late'), false, 'a refused ending writes no second call_ended');

      const rows = await rowsOf(both.id);
      assert.deepEqual(rows.map((r) => [r.event_type, Number(r.seq)]), [
        ['status_changed', 1], ['status_changed', 2], ['status_changed', 3], ['call_ended', 4],
      ]);
      assert.deepEqual((await rowsOf(endedOnly.id)).map((r) => [r.event_type, Number(r.seq)]), [['call_ended', 4]],
        'one seq per event for the whole call, so ordering holds across webhooks');
      assert.deepEqual((await rowsOf(statusOnly.id)).map((r) => r.event_type), ['status_changed', 'status_changed', 'status_changed']);

      const ended = rows[3]!;
      const endedElsewhere = (await rowsOf(endedOnly.id))[0]!;
      assert.equal(ended.event_id, endedElsewhere.event_id, 'one event, one id, whatever webhook gets it');
      assert.notEqual(ended.event_id, rows[2]!.event_id);
      const payload = JSON.parse(ended.payload);
      assert.equal(payload.event, 'call_ended');
      assert.equal(payload.event_id, ended.event_id);
      assert.equal(payload.end_reason, 'customer_hangup');
      const fetched = (await api().request('GET', `/v1/call/${call.id}`)).body;
      assert.deepEqual(payload.call, { ...fetched, recording_url: null }, 'the final call as GET /v1/call/{id} returns it');
      assert.equal(payload.call.status, 'completed');
      assert.equal(typeof payload.call.duration, 'number');
    } finally {
      for (const hook of [both, endedOnly, statusOnly]) await unsubscribe(hook.id);
    }
  });

  it('an unanswered call ends with call_ended too (no_answer), and calls that never end have none', async () => {
    const hook = await subscribe(['call_ended']);
    try {
      const calls = new CallRepository(api().store.db);
      const busy = await newCall(api());
      await newCall(api());
      assert.equal(await calls.finish(busy.id, 'no_answer', 'busy'), true);
      const rows = await rowsOf(hook.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.call_id, busy.id);
      assert.equal(JSON.parse(rows[0]!.payload).call.status, 'no_answer');
      assert.equal(JSON.parse(rows[0]!.payload).end_reason, 'busy');
    } finally {
      await unsubscribe(hook.id);
    }
  });

  it('is delivered signed, after the status_changed events of its call', async () => {
    const rx = await startReceiver();
    const hook = await subscribe(['status_changed', 'call_ended'], rx.url);
    const dispatcher = new WebhookDispatcher({ db: api().store.db, secretBox: api().deps.secretBox, allowPrivateNetworks: true, pollIntervalMs: 20 });
    try {
      dispatcher.start();
      const calls = new CallRepository(api().store.db);
      const call = await newCall(api());
      await calls.markAnswered(call.id);
      await calls.finish(call.id, 'completed', 'agent_hangup');
      await waitFor('4 events', () => rx.received.length >= 4);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(rx.received.map((r) => [r.body.event, r.body.call.status]), [
        ['status_changed', 'dialing'], ['status_changed', 'in_progress'], ['status_changed', 'completed'], ['call_ended', 'completed'],
      ]);
      for (const r of rx.received) assert.ok(verifySignature(hook.secret, r.headers['diga-signature'], r.raw), `${r.body.event} signature verifies`);
      assert.equal(rx.received[3]!.eventId, rx.received[3]!.body.event_id);
    } finally {
      await dispatcher.stop();
      await rx.close();
      await unsubscribe(hook.id);
    }
  });
});
