import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JitterBuffer, type PopResult } from './jitter-buffer.ts';
import type { RtpPacket } from './packet.ts';

function packet(seq: number, ssrc = 1): RtpPacket {
  const s = seq & 0xffff;
  return { payloadType: 0, sequenceNumber: s, timestamp: (s * 160) >>> 0, ssrc, marker: false, csrcs: [], payload: Uint8Array.of(s & 0xff), paddingLength: 0 };
}

const describePop = (r: PopResult): string =>
  r.kind === 'frame' ? `f${r.packet.sequenceNumber}` : r.kind === 'loss' ? `L${r.sequenceNumber}` : '-';

function popN(jb: JitterBuffer, n: number): string[] {
  return Array.from({ length: n }, () => describePop(jb.pop()));
}

describe('JitterBuffer', () => {
  it('waits for its depth, then plays in sequence order whatever the arrival order', () => {
    const jb = new JitterBuffer({ depthFrames: 3 });
    assert.equal(jb.push(packet(11), 0), 'queued');
    assert.deepEqual(popN(jb, 1), ['-']);
    jb.push(packet(10), 5);
    assert.deepEqual(popN(jb, 1), ['-']);
    jb.push(packet(13), 30);
    jb.push(packet(12), 31);
    assert.deepEqual(popN(jb, 4), ['f10', 'f11', 'f12', 'f13']);
  });

  it('reports a missing frame as a loss on its tick and drops it if it shows up later', () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    for (const s of [1, 2, 4, 5]) jb.push(packet(s), s * 20);
    assert.deepEqual(popN(jb, 3), ['f1', 'f2', 'L3']);
    assert.equal(jb.push(packet(3), 100), 'late');
    assert.deepEqual(popN(jb, 2), ['f4', 'f5']);
    assert.equal(jb.stats.lost, 1);
    assert.equal(jb.stats.late, 1);
  });

  it('drops duplicates, queued or already played', () => {
    const jb = new JitterBuffer({ depthFrames: 1 });
    assert.equal(jb.push(packet(7), 0), 'queued');
    assert.equal(jb.push(packet(7), 1), 'duplicate');
    assert.deepEqual(popN(jb, 1), ['f7']);
    assert.equal(jb.push(packet(7), 2), 'late');
    assert.equal(jb.stats.duplicates, 1);
  });

  it('plays straight through the 16-bit sequence wrap', () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    const seqs = [65533, 65535, 65534, 0, 2, 1];
    seqs.forEach((s, i) => jb.push(packet(s), i * 20));
    assert.deepEqual(popN(jb, 6), ['f65533', 'f65534', 'f65535', 'f0', 'f1', 'f2']);
  });

  it('re-buffers after an underrun instead of declaring the silence lost', () => {
    const jb = new JitterBuffer({ depthFrames: 2 });
    jb.push(packet(1), 0);
    jb.push(packet(2), 20);
    assert.deepEqual(popN(jb, 4), ['f1', 'f2', '-', '-']);
    jb.push(packet(3), 200);
    assert.deepEqual(popN(jb, 1), ['-'], 'waits for depth again');
    jb.push(packet(4), 220);
    assert.deepEqual(popN(jb, 2), ['f3', 'f4']);
    assert.equal(jb.stats.underruns, 1);
    assert.equal(jb.stats.lost, 0);
  });

  it('bounds latency and memory under a burst', () => {
    const jb = new JitterBuffer({ depthFrames: 2, maxExtraFrames: 2, capacity: 10 });
    const outcomes = Array.from({ length: 30 }, (_, i) => jb.push(packet(100 + i), 0));
    assert.ok(jb.size <= 10);
    assert.equal(outcomes.filter((o) => o === 'overflow').length, 20);
    const first = jb.pop();
    assert.ok(first.kind === 'frame' && first.packet.sequenceNumber === 126, 'trimmed to depth + extra');
    assert.equal(jb.size, 3);
    assert.deepEqual(popN(jb, 3), ['f127', 'f128', 'f129']);
  });

  it('restarts on a new SSRC', () => {
    const jb = new JitterBuffer({ depthFrames: 1 });
    jb.push(packet(500, 1), 0);
    jb.push(packet(10, 2), 20);
    assert.deepEqual(popN(jb, 1), ['f10']);
    assert.equal(jb.push(packet(11, 2), 40), 'queued');
  });

  it('estimates interarrival jitter per RFC 3550 (zero for perfect pacing)', () => {
    const even = new JitterBuffer();
    for (let i = 0; i < 50; i++) even.push(packet(i), i * 20);
    assert.equal(even.stats.jitterMs, 0);
    const jittery = new JitterBuffer({ capacity: 100 });
    for (let i = 0; i < 100; i++) jittery.push(packet(i), i * 20 + (i % 2) * 10);
    assert.ok(Math.abs(jittery.stats.jitterMs - 10) < 0.5, `jitter ${jittery.stats.jitterMs}`);
  });
});
