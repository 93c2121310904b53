import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seqDelta, seqNext, SequenceTracker, timestampDelta, TimestampUnwrapper } from './sequence.ts';

describe('sequence arithmetic', () => {
  it('measures distance across the 16-bit and 32-bit wrap', () => {
    assert.equal(seqDelta(65535, 0), 1);
    assert.equal(seqDelta(0, 65535), -1);
    assert.equal(seqDelta(65000, 100), 636);
    assert.equal(seqNext(65535), 0);
    assert.equal(timestampDelta(0xffffff60, 0x00000000), 160);
    assert.equal(timestampDelta(0x00000000, 0xffffff60), -160);
  });
});

describe('SequenceTracker', () => {
  it('extends numbers through a wrap and counts no loss for a clean stream', () => {
    const t = new SequenceTracker();
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      const v = t.accept((65530 + i) & 0xffff);
      assert.equal(v.kind, 'in-order');
      if (v.kind === 'in-order') out.push(v.extended);
    }
    assert.deepEqual(out, Array.from({ length: 10 }, (_, i) => 65530 + i));
    assert.equal(t.highestExtended, 65539);
    assert.equal(t.packetsLost, 0);
    assert.equal(t.packetsExpected, 10);
  });

  it('accepts reordering, drops duplicates and counts a gap as loss', () => {
    const t = new SequenceTracker();
    assert.equal(t.accept(10).kind, 'in-order');
    assert.equal(t.accept(12).kind, 'in-order');
    assert.deepEqual(t.accept(11), { kind: 'reordered', extended: 11 });
    assert.deepEqual(t.accept(11), { kind: 'dropped', reason: 'duplicate-or-stale' });
    assert.equal(t.accept(15).kind, 'in-order'); // 13 and 14 lost
    assert.equal(t.packetsLost, 2);
    assert.equal(t.packetsReceived, 4);
  });

  it('takes a large jump as a restart only when the next packet confirms it', () => {
    const t = new SequenceTracker();
    t.accept(100);
    t.accept(101);
    assert.deepEqual(t.accept(40000), { kind: 'dropped', reason: 'bad-jump' });
    assert.equal(t.accept(102).kind, 'in-order', 'a stray packet does not derail the stream');
    assert.deepEqual(t.accept(50000), { kind: 'dropped', reason: 'bad-jump' });
    const v = t.accept(50001);
    assert.equal(v.kind, 'restart');
    assert.ok(v.kind === 'restart' && v.extended > 102, 'extended numbers keep increasing');
    assert.equal(t.packetsLost, 0);
  });
});

describe('TimestampUnwrapper', () => {
  it('keeps counting past 2^32 and places late packets behind', () => {
    const u = new TimestampUnwrapper();
    assert.equal(u.unwrap(0xffffff60), 0xffffff60);
    assert.equal(u.unwrap(0), 0x100000000);
    assert.equal(u.unwrap(160), 0x100000000 + 160);
    assert.equal(u.unwrap(0xffffff60), 0xffffff60, 'a late packet maps before the wrap');
    assert.equal(u.unwrap(320), 0x100000000 + 320);
  });
});
