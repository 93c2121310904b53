import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolCallAssembler } from './tool-calls.ts';

test('index-keyed fragments of two parallel calls assemble into two complete calls in index order', () => {
  const assembler = new ToolCallAssembler();
  assembler.add([{ index: 0, id: 'call_a', type: 'function', function: { name: 'transfer_call', arguments: '' } }]);
  assembler.add([{ index: 0, function: { arguments: '{"target_' } }]);
  assembler.add([{ index: 1, id: 'call_b', type: 'function', function: { name: 'hang_up', arguments: '' } }]);
  assembler.add([{ index: 0, function: { arguments: 'number":"+3491' } }, { index: 1, function: { arguments: '{}' } }]);
  assembler.add([{ index: 0, function: { arguments: '1222333"}' } }]);
  assert.equal(assembler.pending, true);
  assert.deepEqual(assembler.flush(), [
    { type: 'tool_call', id: 'call_a', name: 'transfer_call', arguments: { target_number: '+34911222333' }, rawArguments: '{"target_number":"+34911222333"}' },
    { type: 'tool_call', id: 'call_b', name: 'hang_up', arguments: {}, rawArguments: '{}' },
  ]);
  assert.equal(assembler.pending, false);
  assert.deepEqual(assembler.flush(), []);
});

test('deltas without index (older Ollama): a new id starts a new call, no id continues the last', () => {
  const assembler = new ToolCallAssembler();
  assembler.add([{ id: 'x', function: { name: 'a', arguments: '{"n":' } }]);
  assembler.add([{ function: { arguments: '1}' } }]);
  assembler.add([{ id: 'y', function: { name: 'b', arguments: '{"n":2}' } }]);
  const calls = assembler.flush();
  assert.deepEqual(calls.map((c) => [c.id, c.name, c.arguments]), [['x', 'a', { n: 1 }], ['y', 'b', { n: 2 }]]);
});

test('no argument text means {}; non-object or broken JSON gives {} and a reason; a missing id is generated', () => {
  const assembler = new ToolCallAssembler();
  assembler.add([
    { index: 0, function: { name: 'hang_up' } },
    { index: 1, id: 'c1', function: { name: 'f', arguments: '[1,2]' } },
    { index: 2, id: 'c2', function: { name: 'g', arguments: '{"a":' } },
  ]);
  const [noArgs, array, broken] = assembler.flush();
  assert.deepEqual(noArgs.arguments, {});
  assert.equal(noArgs.argumentsError, undefined);
  assert.match(noArgs.id, /^call_0_/);
  assert.equal(array.argumentsError, 'arguments are not a JSON object');
  assert.match(String(broken.argumentsError), /not valid JSON/);
  assert.equal(broken.rawArguments, '{"a":');
});
