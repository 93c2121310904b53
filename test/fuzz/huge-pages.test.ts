import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../helpers/app.ts';

// Found by the no-500 fuzzer: `page=1e309` (Infinity) and `page=1e20` pass the validator's
// integer check, then no SQL OFFSET or JSON reply could hold them: a 500 on every list.

const LISTS = ['/v1/project/', '/v1/webhook/', '/v1/call/', '/v1/agent/', '/v1/api_key/', '/v1/phone/', '/v1/voice/', '/v1/agent/template'];

describeEachDatabase('page numbers past anything storable', (api) => {
  for (const page of ['1e309', '1e20', '184467440737095516']) {
    test(`page=${page} is refused with INVALID_PAGINATION_PARAMETERS on every list`, async () => {
      for (const path of LISTS) {
        const response = await api().request('GET', `${path}?page=${page}`);
        assert.equal(response.status, 422, `${path}: ${response.raw.slice(0, 200)}`);
        assert.equal(response.body.error_code, 'INVALID_PAGINATION_PARAMETERS', `${path}: ${response.raw.slice(0, 200)}`);
      }
    });
  }

  test('the largest page number is an empty page, though page × limit overflows an OFFSET', async () => {
    for (const path of LISTS) {
      const response = await api().request('GET', `${path}?page=9007199254740991`);
      assert.equal(response.status, 200, `${path}: ${response.raw.slice(0, 200)}`);
      assert.deepEqual(response.body.data, []);
      assert.equal(response.body.has_more, false);
      assert.equal(response.body.current_page, 9007199254740991);
    }
  });

  test('an ordinary page still returns rows', async () => {
    const response = await api().request('GET', '/v1/project/?page=1');
    assert.equal(response.status, 200);
    assert.ok(response.body.data.length >= 1);
  });
});
