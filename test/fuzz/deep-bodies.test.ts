import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../helpers/app.ts';

// Found by the no-500 fuzzer: a JSON body nested thousands of levels deep overflowed the stack
// of a recursive walk over the body (the NUL guard), and, inside a free-form field such as an
// agent's dynamic_variables, the JSON.stringify that stores it: both came back as a 500.

const DEEP_ARRAY = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;

describeEachDatabase('deeply nested bodies', (api) => {
  for (const [name, payload] of [['array', DEEP_ARRAY], ['object', DEEP_OBJECT]]) {
    test(`a deeply nested ${name} is a 422, not a 500`, async () => {
      for (const url of ['/v1/webhook/', '/v1/api_key/', '/v1/call/']) {
        const response = await api().request('POST', url, { body: payload, headers: { 'content-type': 'application/json' } });
        assert.equal(response.status, 422, `${url}: ${response.raw.slice(0, 200)}`);
        assert.ok(Array.isArray(response.body.detail), response.raw.slice(0, 200));
      }
    });
  }

  test('deep nesting inside a free-form field is a 422 at the level that is too deep', async () => {
    const voices = await api().request('GET', '/v1/voice/?limit=1');
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const payload = `{"voice_id":"${voices.body.data[0].id}","language":"es","dynamic_variables":${deep}}`;
    const response = await api().request('POST', '/v1/agent/', { body: payload, headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 422, response.raw.slice(0, 200));
    const [detail] = response.body.detail;
    assert.deepEqual(detail.loc.slice(0, 3), ['body', 'dynamic_variables', 'a']);
    assert.equal(detail.loc.length, 101);
    assert.match(detail.msg, /nested at most 100 levels/);
  });

  test('ordinary nesting is accepted', async () => {
    let nested: unknown = 'leaf';
    for (let i = 0; i < 50; i++) nested = { level: nested };
    const response = await api().request('POST', '/v1/webhook/', { body: { url: 'https://example.com/h', subscribed_events: [], extra: nested } });
    assert.equal(response.status, 200, response.raw.slice(0, 200));
  });

  test('a NUL deep inside a body is still found and located', async () => {
    let nested: unknown = { name: 'a\u0000b' };
    for (let i = 0; i < 90; i++) nested = [nested];
    const response = await api().request('POST', '/v1/webhook/', { body: { url: 'https://example.com', subscribed_events: [], x: nested } });
    assert.equal(response.status, 422);
    const loc = response.body.detail[0].loc;
    assert.deepEqual(loc.slice(0, 3), ['body', 'x', 0]);
    assert.equal(loc.length, 3 + 90);
    assert.equal(loc[loc.length - 1], 'name');
    assert.equal(response.body.detail[0].type, 'string_nul');
  });
});
