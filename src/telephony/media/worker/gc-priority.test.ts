import assert from 'node:assert/strict';
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
