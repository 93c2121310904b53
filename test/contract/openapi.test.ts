import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApi, type TestApi } from '../helpers/app.ts';
import { loadContract } from '../helpers/contract.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { compareOperation, type Difference, formatDifferences, type OpenApiDoc, unmarkedAdditions } from './compare.ts';
import { IMPLEMENTED_OPERATIONS } from './operations.ts';

// Our OpenAPI document is generated from the route schemas; this holds it to the Diga
// contract for every operation Habla implements (see compare.ts for the rules).

const contract = loadContract() as OpenApiDoc;

describe('OpenAPI contract', () => {
  let api: TestApi;
  let ours: OpenApiDoc;

  before(async () => {
    api = await createTestApi(TEST_DATABASES.find((d) => d.name === 'sqlite')!);
    const response = await api.request('GET', '/openapi.json', { key: null });
    assert.equal(response.status, 200);
    ours = response.body;
  });
  after(async () => {
    await api.app.close();
    await api.store.close();
  });

  test('/openapi.json is an OpenAPI 3.1 document', () => {
    assert.match(String(ours.openapi), /^3\.1\./);
    assert.equal(typeof ours.paths, 'object');
  });

  test('GET /docs serves the interactive documentation', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/html/);
    assert.match(response.body, /swagger-ui/i);
    const redirect = await api.app.inject({ method: 'GET', url: '/docs' });
    assert.ok([200, 302].includes(redirect.statusCode), `GET /docs gave ${redirect.statusCode}`);
  });

  test('operations outside the contract are marked x-habla-extension', () => {
    assert.deepEqual(unmarkedAdditions(contract, ours), []);
  });

  for (const [resource, operations] of Object.entries(IMPLEMENTED_OPERATIONS)) {
    describe(resource, () => {
      for (const [method, path] of operations) {
        test(`${method} ${path} matches the contract`, () => {
          const differences = compareOperation(contract, ours, method.toLowerCase(), path);
          expectNone(differences);
        });
      }
    });
  }

  // Operations we implement beyond the list above (another contract path) are held to it too.
  test('every other contract operation we serve matches the contract', () => {
    const listed = new Set(Object.values(IMPLEMENTED_OPERATIONS).flat().map(([m, p]) => `${m.toLowerCase()} ${p}`));
    const differences = Object.entries(ours.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => contract.paths[path]?.[method] && !listed.has(`${method} ${path}`))
        .flatMap((method) => compareOperation(contract, ours, method, path)),
    );
    expectNone(differences);
  });
});

/** Fails with just the list of differences: the stack trace would only bury it. */
function expectNone(differences: Difference[]): void {
  if (differences.length === 0) return;
  const error = new Error(`${differences.length} difference(s) from the contract:\n${formatDifferences(differences)}`);
  error.stack = error.message;
  throw error;
}
