import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootstrap } from '../store/bootstrap.ts';
import type { Store } from '../store/database.ts';
import { CallLogRepository } from '../store/repositories/call-logs.ts';
import { CallRepository } from '../store/repositories/calls.ts';
import { ContactRepository } from '../store/repositories/contacts.ts';
import { ProjectRepository } from '../store/repositories/projects.ts';
import { TEST_DATABASES } from '../../test/helpers/databases.ts';
import { closeOrphanedCalls } from './recovery.ts';

for (const database of TEST_DATABASES) {
  describe(`start-up recovery of orphaned calls (${database.name})`, () => {
    let store: Store;
    let calls: CallRepository;
    let callLogs: CallLogRepository;
    let projectId: string;
    let contactId: string;

    before(async () => {
      store = await database.open();
      await bootstrap(store, undefined);
      projectId = (await new ProjectRepository(store.db).findDefault())!.projectId;
      contactId = (await new ContactRepository(store.db).findOrCreate(projectId, 'call', '+34600123456')).id;
      calls = new CallRepository(store.db);
      callLogs = new CallLogRepository(store.db);
    });
    after(() => store.close());

    async function call(owner: string | null, state: 'dialing' | 'answered' | 'completed'): Promise<string> {
      const created = await calls.create({
        projectId, agentId: null, agentVersionId: null, phoneId: null, contactId, type: 'outbound', status: 'dialing',
        fromNumber: '+34910000001', toNumber: '+34600123456', dynamicVariables: null, engineInstance: owner,
      });
      if (state !== 'dialing') assert.ok(await calls.markAnswered(created.id, new Date(Date.now() - 5000).toISOString()));
      if (state === 'completed') assert.ok(await calls.finish(created.id, 'completed', 'customer_hangup'));
      return created.id;
    }

    const get = async (id: string) => (await calls.get(projectId, id))!;
    const events = async (id: string) =>
      (await callLogs.list(projectId, id, { limit: 100, order: 'asc' })).data.filter((e) => e.event === 'call_ended');

    it("closes only this instance's live calls: answered → completed, unanswered → failed, both server_restart", async () => {
      const ringing = await call('instance-a', 'dialing');
      const answered = await call('instance-a', 'answered');
      const done = await call('instance-a', 'completed');
      const othersRinging = await call('instance-b', 'dialing');
      const othersAnswered = await call('instance-b', 'answered');
      const unowned = await call(null, 'answered');

      assert.equal(await closeOrphanedCalls(calls, callLogs, 'instance-a'), 2);

      const failed = await get(ringing);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.end_reason, 'server_restart');
      assert.equal(failed.duration, null);
      assert.ok(failed.end_time);

      const completed = await get(answered);
      assert.equal(completed.status, 'completed');
      assert.equal(completed.end_reason, 'server_restart');
      assert.ok(completed.duration! >= 4 && completed.duration! <= 7, `duration from the answer: ${completed.duration}`);

      for (const [id, status] of [[ringing, 'failed'], [answered, 'completed']] as const) {
        const ended = await events(id);
        assert.equal(ended.length, 1);
        assert.deepEqual(ended[0].data, { status, end_reason: 'server_restart', by: 'system' });
        assert.equal(ended[0].level, 'WARNING');
      }

      const untouched = [[done, 'completed', 'customer_hangup'], [othersRinging, 'dialing', null], [othersAnswered, 'in_progress', null], [unowned, 'in_progress', null]] as const;
      for (const [id, status, endReason] of untouched) {
        const row = await get(id);
        assert.equal(row.status, status, `call ${id} keeps ${status}`);
        assert.equal(row.end_reason, endReason);
        assert.deepEqual(await events(id), []);
      }
    });

    it('is idempotent: a second start finds nothing left to close, and the other instance closes its own', async () => {
      assert.equal(await closeOrphanedCalls(calls, callLogs, 'instance-a'), 0);
      assert.equal(await closeOrphanedCalls(calls, callLogs, 'instance-b'), 2);
      assert.equal(await closeOrphanedCalls(calls, callLogs, 'instance-b'), 0);
      assert.deepEqual(await calls.listLiveOwnedBy('instance-b'), []);
    });
  });
}
