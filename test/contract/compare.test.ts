import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOperation, compareSchemas, type Difference, type OpenApiDoc, unmarkedAdditions } from './compare.ts';

// The comparator is what keeps the contract test honest: each case here is a change a route
// author could make by accident, and the comparator must name it with a path.

const doc = (schemas: Record<string, any> = {}, paths: OpenApiDoc['paths'] = {}): OpenApiDoc => ({ paths, components: { schemas } });
const NONE = doc();

function diff(expected: any, actual: any, options: { e?: OpenApiDoc; a?: OpenApiDoc; direction?: 'request' | 'response' } = {}): Difference[] {
  return compareSchemas(options.e ?? NONE, expected, options.a ?? NONE, actual, options.direction ?? 'response');
}

function expectOne(differences: Difference[], path: string, message: RegExp): void {
  assert.equal(differences.length, 1, JSON.stringify(differences, null, 1));
  assert.equal(differences[0].path, `#${path}`);
  assert.match(differences[0].message, message);
}

const call = {
  type: 'object',
  title: 'CallResponse',
  properties: {
    id: { type: 'string', format: 'uuid', title: 'Id', description: 'The call' },
    status: { type: 'string', enum: ['queued', 'ongoing', 'ended'] },
    duration: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], title: 'Duration' },
  },
  required: ['id', 'status'],
};
const clone = () => structuredClone(call) as any;

describe('compareSchemas', () => {
  test('accepts the same schema written by the other generator', () => {
    const ours = {
      type: 'object',
      required: ['status', 'id'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        status: { enum: ['ended', 'queued', 'ongoing'], type: 'string' },
        duration: { type: ['integer', 'null'], minimum: 0 },
      },
    };
    assert.deepEqual(diff(call, ours), []);
  });

  test('resolves $ref on both sides', () => {
    const e = doc({ Call: call });
    const a = doc({ 'def-0': clone() });
    assert.deepEqual(diff({ $ref: '#/components/schemas/Call' }, { $ref: '#/components/schemas/def-0' }, { e, a }), []);
    assert.deepEqual(diff({ allOf: [{ $ref: '#/components/schemas/Call' }] }, clone(), { e }), []);
  });

  test('catches a renamed property', () => {
    const ours = clone();
    ours.properties.state = ours.properties.status;
    delete ours.properties.status;
    ours.required = ['id', 'state'];
    const differences = diff(call, ours);
    const paths = differences.map((d) => d.path);
    assert.ok(paths.includes('#/properties/status'), paths.join());
    assert.ok(paths.includes('#/properties/state'), paths.join());
    assert.ok(differences.some((d) => /"status" must be required/.test(d.message)));
  });

  test('catches a changed type', () => {
    const ours = clone();
    ours.properties.id = { type: 'integer' };
    const differences = diff(call, ours);
    assert.equal(differences[0].path, '#/properties/id/type');
    assert.match(differences[0].message, /expected string, got integer/);
  });

  test('catches integer written as number and a dropped null branch', () => {
    const ours = clone();
    ours.properties.duration = { type: 'number', minimum: 0 };
    expectOne(diff(call, ours), '/properties/duration/type', /expected integer \| null, got number/);
  });

  test('catches a missing required entry, and one too many in a request', () => {
    const ours = clone();
    ours.required = ['id'];
    expectOne(diff(call, ours), '/required', /"status" must be required/);
    const stricter = clone();
    stricter.required = ['id', 'status', 'duration'];
    expectOne(diff(call, stricter, { direction: 'request' }), '/required', /"duration" must not be required/);
  });

  test('catches a dropped enum value and an unmarked added one', () => {
    const dropped = clone();
    dropped.properties.status.enum = ['queued', 'ended'];
    expectOne(diff(call, dropped), '/properties/status/enum', /lacks \["ongoing"\]/);
    const widened = clone();
    widened.properties.status.enum.push('paused');
    expectOne(diff(call, widened), '/properties/status/enum', /adds \["paused"\]/);
  });

  test('accepts an enum widened by an extension-marked schema', () => {
    const widened = clone();
    widened.properties.status = { type: 'string', enum: ['queued', 'ongoing', 'ended', 'paused'], 'x-habla-extension': true };
    assert.deepEqual(diff(call, widened), []);
  });

  test('accepts a marked added property, rejects an unmarked one', () => {
    const marked = clone();
    marked.properties.engine_node = { anyOf: [{ type: 'string' }, { type: 'null' }], 'x-habla-extension': true };
    assert.deepEqual(diff(call, marked), []);
    const unmarked = clone();
    unmarked.properties.engine_node = { type: 'string' };
    expectOne(diff(call, unmarked), '/properties/engine_node', /not in the contract/);
  });

  test('compares formats, min/max, defaults and const', () => {
    const ours = clone();
    ours.properties.id = { type: 'string' };
    ours.properties.duration = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }], default: 0 };
    const differences = diff(call, ours).map((d) => `${d.path} ${d.message}`);
    assert.equal(differences.length, 3, differences.join('\n'));
    assert.match(differences.join('\n'), /properties\/id\/format/);
    assert.match(differences.join('\n'), /properties\/duration\/\(integer\)\/minimum .*expected 0, got 1/);
    assert.match(differences.join('\n'), /properties\/duration\/default default: expected \(no default\), got 0/);
    assert.deepEqual(diff({ type: 'string', const: 'hang_up' }, { type: 'string', enum: ['hang_up'] }), []);
  });

  test('compares array items and additionalProperties', () => {
    const e = { type: 'array', items: { type: 'object', additionalProperties: true } };
    assert.deepEqual(diff(e, { type: 'array', items: { type: 'object' } }), []);
    expectOne(diff(e, { type: 'array', items: { type: 'object', additionalProperties: false } }), '/items/additionalProperties', /expected true, got false/);
    expectOne(diff(e, { type: 'array', items: { type: 'string' } }), '/items/type', /expected object, got string/);
    const dict = { type: 'object', additionalProperties: { type: 'string' } };
    expectOne(diff(dict, { type: 'object', additionalProperties: { type: 'integer' } }), '/additionalProperties/type', /expected string, got integer/);
  });

  test('pairs discriminated union members by their fields', () => {
    const hangUp = { type: 'object', properties: { type: { const: 'hang_up', type: 'string' } }, required: ['type'] };
    const transfer = { type: 'object', properties: { type: { const: 'transfer_call', type: 'string' }, to: { type: 'string' } }, required: ['type', 'to'] };
    const e = { oneOf: [hangUp, transfer] };
    assert.deepEqual(diff(e, { anyOf: [structuredClone(transfer), structuredClone(hangUp)] }), []);
    const broken = structuredClone(transfer) as any;
    broken.properties.to.type = 'integer';
    const differences = diff(e, { anyOf: [structuredClone(hangUp), broken] });
    assert.equal(differences.length, 1, JSON.stringify(differences));
    assert.equal(differences[0].path, '#/(object)/properties/to/type');
  });

  test('terminates on recursive definitions', () => {
    const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } };
    const e = doc({ Node: tree });
    const a = doc({ Node: structuredClone(tree) });
    assert.deepEqual(diff({ $ref: '#/components/schemas/Node' }, { $ref: '#/components/schemas/Node' }, { e, a }), []);
  });

  test('an untyped contract response accepts any documented shape, an untyped request body does not', () => {
    assert.deepEqual(diff({}, call), []);
    expectOne(diff({}, call, { direction: 'request' }), '/type', /expected any, got object/);
  });
});

describe('compareOperation', () => {
  const contractOp = {
    operationId: 'get_call_v1_call__id__get',
    tags: ['Calls'],
    security: [{ CustomHTTPBearer: [] }],
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid', title: 'Call ID' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    ],
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Call' } } } },
      403: { description: 'Forbidden' },
      404: { description: 'Not found' },
      422: { description: 'Validation' },
    },
  };
  const contract = doc({ Call: call }, { '/v1/call/{id}': { get: contractOp } });
  const ours = () => {
    const op: any = structuredClone(contractOp);
    op.responses[200].content['application/json'].schema = clone();
    op.responses[500] = { description: 'extra statuses are allowed' };
    return { op, doc: doc({}, { '/v1/call/{id}': { get: op } }) };
  };
  const run = (a: OpenApiDoc) => compareOperation(contract, a, 'get', '/v1/call/{id}');

  test('accepts an equal operation', () => {
    assert.deepEqual(run(ours().doc), []);
  });

  test('catches a missing operation, including a trailing-slash mismatch', () => {
    const differences = run(doc({}, { '/v1/call/{id}/': { get: ours().op } }));
    assert.equal(differences.length, 1);
    assert.match(differences[0].message, /operation is missing/);
  });

  test('catches a missing status code', () => {
    const { op, doc: a } = ours();
    delete op.responses[404];
    const differences = run(a);
    assert.equal(differences.length, 1);
    assert.equal(differences[0].path, 'GET /v1/call/{id} #/responses/404');
    assert.match(differences[0].message, /status 404 is missing/);
  });

  test('catches a success status that changed (201 instead of 200)', () => {
    const { op, doc: a } = ours();
    op.responses[201] = op.responses[200];
    delete op.responses[200];
    assert.match(run(a).map((d) => d.message).join(), /status 200 is missing/);
  });

  test('catches a wrong operationId and a parameter that changed', () => {
    const { op, doc: a } = ours();
    op.operationId = 'getCall';
    op.parameters[1].schema.default = 10;
    const differences = run(a).map((d) => d.path);
    assert.deepEqual(differences, ['GET /v1/call/{id} #/operationId', 'GET /v1/call/{id} #/parameters/query:limit/schema/default']);
  });

  test('catches a missing parameter and an unmarked added one', () => {
    const { op, doc: a } = ours();
    op.parameters = [op.parameters[0], { name: 'size', in: 'query', required: false, schema: { type: 'integer' } }];
    const messages = run(a).map((d) => d.message);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0], /parameter limit \(in query\) is missing/);
    assert.match(messages[1], /parameter size \(in query\) is not in the contract/);
  });

  test('accepts a marked optional added parameter', () => {
    const { op, doc: a } = ours();
    op.parameters.push({ name: 'include', in: 'query', required: false, schema: { type: 'string', 'x-habla-extension': true } });
    assert.deepEqual(run(a), []);
  });

  test('catches a difference deep in the success response', () => {
    const { op, doc: a } = ours();
    op.responses[200].content['application/json'].schema.properties.status.enum = ['queued'];
    const differences = run(a);
    assert.equal(differences.length, 1);
    assert.equal(differences[0].path, 'GET /v1/call/{id} #/responses/200/application~1json/properties/status/enum');
  });

  test('compares request bodies and their required flag', () => {
    const withBody = { ...contractOp, requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Call' } } } } };
    const c = doc({ Call: call }, { '/v1/call/{id}': { get: withBody } });
    const a: any = structuredClone(withBody);
    a.requestBody = { content: { 'application/json': { schema: { ...clone(), required: ['id'] } } } };
    const paths = compareOperation(c, doc({ Call: call }, { '/v1/call/{id}': { get: a } }), 'get', '/v1/call/{id}').map((d) => d.path);
    assert.deepEqual(paths, ['GET /v1/call/{id} #/requestBody/required', 'GET /v1/call/{id} #/requestBody/application~1json/required']);
  });

  test('lists our operations outside the contract unless marked', () => {
    const a = doc({}, {
      '/v1/call/{id}': { get: ours().op },
      '/v1/call/{id}/hangup': { post: { 'x-habla-extension': true, responses: {} } },
      '/v1/call/{id}/debug': { get: { responses: {} } },
    });
    assert.deepEqual(unmarkedAdditions(contract, a), ['GET /v1/call/{id}/debug']);
  });
});
