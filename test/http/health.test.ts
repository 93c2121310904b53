import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { createTestApi, describeEachDatabase } from '../helpers/app.ts';

describeEachDatabase('health and readiness probes', (api, database) => {
  it('/healthz answers without a key', async () => {
    const r = await api().request('GET', '/healthz', { key: null });
    assert.deepEqual([r.status, r.body], [200, { status: 'ok' }]);
  });

  it('/readyz is 200 when the database answers', async () => {
    const r = await api().request('GET', '/readyz', { key: null });
    assert.deepEqual([r.status, r.body], [200, { status: 'ready', checks: { database: 'ok' } }]);
  });

  it('/readyz is 503 naming every failing check', async () => {
    const failing = await createTestApi(database, {
      readiness: [{ name: 'sip', check: () => { throw new Error('SIP endpoint not listening'); } }],
    });
    after(() => failing.app.close());
    const r = await failing.request('GET', '/readyz', { key: null });
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { status: 'unavailable', checks: { database: 'ok', sip: 'SIP endpoint not listening' } });

    await failing.store.close(); // the database goes away under the running app
    const down = await failing.request('GET', '/readyz', { key: null });
    assert.equal(down.status, 503);
    assert.notEqual(down.body.checks.database, 'ok');
  });
});
