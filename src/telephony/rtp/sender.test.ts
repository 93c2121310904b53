import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRtpPacket, serializeRtpPacket } from './packet.ts';
import { RtpSender } from './sender.ts';

/** Deterministic "random" source returning the given values in turn. */
const fixed = (...values: number[]) => () => values.shift() ?? 0;

describe('RtpSender', () => {
  it('takes SSRC, first sequence number and first timestamp from the random source', () => {
    const s = new RtpSender({ payloadType: 0, random32: fixed(0xcafebabe, 0x1234ffff, 0x99) });
    const p = s.audio(new Uint8Array(160));
    assert.equal(p.ssrc, 0xcafebabe);
    assert.equal(p.sequenceNumber, 0xffff, 'sequence number is 16 bits of the draw');
    assert.equal(p.timestamp, 0x99);
  });

  it('advances seq by 1 and ts by 160 per 20 ms frame, wrapping both', () => {
    const s = new RtpSender({ payloadType: 8, random32: fixed(1, 0xfffe, 0xffffff00) });
    const packets = Array.from({ length: 4 }, () => s.audio(new Uint8Array(160).fill(0xd5)));
    assert.deepEqual(packets.map((p) => p.sequenceNumber), [0xfffe, 0xffff, 0, 1]);
    assert.deepEqual(packets.map((p) => p.timestamp), [0xffffff00, 0xffffffa0, 0x40, 0xe0]);
    assert.ok(packets.every((p) => p.payloadType === 8 && p.ssrc === 1));
    const wire = parseRtpPacket(serializeRtpPacket(packets[2]));
    assert.ok(wire.ok && wire.value.sequenceNumber === 0 && wire.value.payload.length === 160);
  });

  it('marks the first packet of each talkspurt and keeps media time across a pause', () => {
    const s = new RtpSender({ payloadType: 0, random32: fixed(7, 100, 1000) });
    const frame = new Uint8Array(160);
    const first = [s.audio(frame), s.audio(frame)];
    s.pause(5); // 100 ms not sent
    const resumed = s.audio(frame);
    assert.deepEqual(first.map((p) => p.marker), [true, false]);
    assert.equal(resumed.marker, true);
    assert.equal(resumed.sequenceNumber, 102, 'no sequence gap: nothing was lost');
    assert.equal(resumed.timestamp, 1000 + 7 * 160, 'timestamp counts the silent frames');
    assert.equal(s.audio(frame).marker, false);
    assert.deepEqual(s.stats, { packets: 4, octets: 640 });
  });

  it('interleaves event packets in the same sequence space with their own timestamp', () => {
    const s = new RtpSender({ payloadType: 0, random32: fixed(7, 10, 5000) });
    s.audio(new Uint8Array(160));
    const ev = s.event(101, new Uint8Array(4), s.nextTimestamp, true);
    assert.equal(ev.sequenceNumber, 11);
    assert.equal(ev.timestamp, 5160);
    assert.equal(ev.payloadType, 101);
    s.skip(800);
    assert.equal(s.audio(new Uint8Array(160)).timestamp, 5960);
  });

  it('draws fresh random identities by default', () => {
    const a = new RtpSender({ payloadType: 0 });
    const b = new RtpSender({ payloadType: 0 });
    assert.notEqual(a.ssrc, b.ssrc);
    assert.equal(new RtpSender({ payloadType: 0, ssrc: 42 }).ssrc, 42);
  });
});
