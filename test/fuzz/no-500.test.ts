import { before, test } from 'node:test';
import fc from 'fast-check';
import { createTestApi, describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import {
  bodyFor, type FuzzRequest, idSegment, kindOfField, percentEncode, queryFor, type Schema,
} from './arbitraries.ts';
import { kindOfPath, seed, type SeedSet } from './seed.ts';

// Property: whatever a client sends to any operation of our OpenAPI document (iterated, so
// new routes are covered without touching this file), the answer is never a 5xx, and every
// 4xx is one of the contract's two error shapes. FUZZ_RUNS and FUZZ_SEED tune and replay it.

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const STATS = process.env.FUZZ_STATS === '1';
const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  method: string;
  path: string;
  op: Schema;
}

const DOC = await loadDocument();
const OPERATIONS = listOperations(DOC);
const LIST_PATHS = OPERATIONS.filter((o) => o.method === 'get' && !o.path.includes('{')).map((o) => o.path);

describeEachDatabase('no request gives a 5xx', (api) => {
  let seeds: SeedSet;
  before(async () => {
    seeds = await seed(api(), LIST_PATHS);
    if (STATS) console.error(`seeded ${JSON.stringify(Object.fromEntries(Object.entries(seeds.read.byKind).map(([k, v]) => [k, v.length])))}`);
  });

  test('the document has operations to fuzz', () => {
    if (OPERATIONS.length < 5) throw new Error(`only ${OPERATIONS.length} operations in /openapi.json`);
  });

  // Reads first, deletes last, so the seeded resources live as long as possible.
  for (const operation of OPERATIONS) {
    test(`${operation.method.toUpperCase()} ${operation.path}`, async () => {
      const arbitrary = requestFor(operation, seeds, api());
      const statuses: Record<number, number> = {};
      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const reply = await send(api(), request);
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          check(request, reply);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      // FUZZ_STATS=1 shows how deep the requests got: all-422 means the generator needs work.
      if (STATS) console.error(`${operation.method.toUpperCase()} ${operation.path}: ${JSON.stringify(statuses)}`);
    });
  }
});

function requestFor(operation: Operation, seedSet: SeedSet, api: TestApi): fc.Arbitrary<FuzzRequest> {
  const ids = operation.method === 'get' ? seedSet.read : seedSet.write;
  const parameters: Schema[] = operation.op.parameters ?? [];
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const kinds = names.map((name, i) => kindOfField(name) ?? kindOfPath(operation.path.slice(0, operation.path.indexOf(`{${names[i]}}`))));
  const path = fc.tuple(...kinds.map((kind) => idSegment(ids, kind))).map((values) =>
    values.reduce((url, value, i) => url.replace(`{${names[i]}}`, percentEncode(value)), operation.path),
  );
  const bodySchema = operation.op.requestBody?.content?.['application/json']?.schema;
  const body = bodyFor(bodySchema, DOC, ids);
  const key = fc.oneof({ weight: 9, arbitrary: fc.constant(api.adminKey) }, { weight: 1, arbitrary: fc.constant(api.other.key) });
  return fc.record({ path, query: queryFor(parameters, DOC, ids), body, key }).map(({ path, query, body, key }) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    return printable({
      method: operation.method.toUpperCase(),
      url: query ? `${path}?${query}` : path,
      headers,
      ...(body.payload !== undefined ? { payload: body.payload } : {}),
    });
  });
}

interface Reply {
  status: number;
  body: string;
}

async function send(api: TestApi, request: FuzzRequest): Promise<Reply> {
  const response = await api.app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  return { status: response.statusCode, body: response.body };
}

function check(request: FuzzRequest, reply: Reply): void {
  const fail = (why: string) => {
    throw new Error(`${why}\n  request: ${describe(request)}\n  reply: ${reply.status} ${reply.body.slice(0, 400)}`);
  };
  if (reply.status >= 500) fail(`status ${reply.status}`);
  if (reply.status < 400) return;
  let body: any;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return fail('a 4xx body that is not JSON');
  }
  if (!isEnvelope(body) && !isValidation(body)) fail('a 4xx body in neither error shape');
}

function isEnvelope(body: any): boolean {
  return body?.status === 'error' && typeof body.error_code === 'string' && typeof body.message === 'string';
}

function isValidation(body: any): boolean {
  return Array.isArray(body?.detail) && body.detail.length > 0 && body.detail.every((d: any) =>
    Array.isArray(d?.loc) && d.loc.every((l: unknown) => typeof l === 'string' || typeof l === 'number')
    && typeof d.msg === 'string' && typeof d.type === 'string');
}

/** fast-check prints counterexamples with this: a 200 KB payload must not flood the report. */
function printable(request: FuzzRequest): FuzzRequest {
  Object.defineProperty(request, fc.toStringMethod, { value: () => describe(request), enumerable: false });
  return request;
}

function describe(request: FuzzRequest): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const payload = request.payload === undefined ? '' : ` body=${JSON.stringify(clip(request.payload, 300))}`;
  return `${request.method} ${clip(request.url, 300)} content-type=${JSON.stringify(request.headers['content-type'] ?? null)}${payload}`;
}

async function loadDocument(): Promise<Schema> {
  const api = await createTestApi(TEST_DATABASES.find((d) => d.name === 'sqlite')!);
  try {
    return (await api.request('GET', '/openapi.json', { key: null })).body;
  } finally {
    await api.app.close();
    await api.store.close();
  }
}

function listOperations(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths ?? {})) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of METHOD_ORDER) if (item[method]) operations.push({ method, path, op: item[method] });
  }
  return operations.sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
}
