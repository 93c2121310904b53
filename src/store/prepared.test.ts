import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TEST_DATABASES } from '../../test/helpers/databases.ts';
import { param, prepareQuery } from './prepared.ts';

for (const database of TEST_DATABASES) {
  test(`a prepared query runs with new values each time [${database.name}]`, async () => {
    const store = await database.open();
    after(() => store.close());
    for (const [id, name] of [['a', 'Uno'], ['b', 'Dos']]) {
      await store.db.insertInto('projects').values({ id, name, description: null, created_date: '2026-01-01T00:00:00.000Z', deleted_at: null }).execute();
    }
    const byId = prepareQuery<{ name: string }, 'id'>(
      store.db,
      store.db.selectFrom('projects').select('name').where('id', '=', param('id')).where('deleted_at', 'is', null),
    );
    assert.deepEqual(await byId({ id: 'b' }), [{ name: 'Dos' }]);
    assert.deepEqual(await byId({ id: 'a' }), [{ name: 'Uno' }]);
    assert.deepEqual(await byId({ id: 'zzz' }), []);
  });
}
