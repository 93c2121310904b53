import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { mediaPriorityFor, SERVE_NODE_FLAGS } from './gc-priority.ts';

describe('media thread priority and the GC flag', () => {
  it('runs media in real time only when node was started with the flags', () => {
    assert.deepEqual(mediaPriorityFor('realtime', [...SERVE_NODE_FLAGS]), { priority: 'realtime' });
    const lowered = mediaPriorityFor('realtime', []);
    assert.equal(lowered.priority, 'high');
    assert.match(lowered.lowered ?? '', /--single-threaded-gc/);
  });

  it('leaves the other priorities as asked', () => {
    assert.deepEqual(mediaPriorityFor('high', []), { priority: 'high' });
    assert.deepEqual(mediaPriorityFor('normal', []), { priority: 'normal' });
  });
});

describe('the ways Habla starts', () => {
  const root = path.resolve(import.meta.dirname, '../../../..');
  it('pass SERVE_NODE_FLAGS to node: the bin shebang and npm start', () => {
    const shebang = fs.readFileSync(path.join(root, 'bin/habla.js'), 'utf8').split('\n')[0];
    const start = fs.readFileSync(path.join(root, 'scripts/start.sh'), 'utf8');
    for (const flag of SERVE_NODE_FLAGS) {
      assert.ok(shebang.includes(flag), `bin/habla.js shebang has ${flag}: ${shebang}`);
      assert.match(start, new RegExp(`exec node .*${flag}.* bin/habla\\.js serve`), `scripts/start.sh has ${flag}`);
    }
  });
});
