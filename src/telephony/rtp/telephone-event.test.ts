import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  digitPackets,
  parseTelephoneEvent,
  serializeTelephoneEvent,
  TelephoneEventReceiver,
  type DtmfDigit,
} from './telephone-event.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('telephone-event payload', () => {
  it('encodes event, E bit, volume and duration in 4 bytes', () => {
    // Digit 9, end, volume 10 (-10 dBm0), 800 samples (100 ms at 8 kHz).
    assert.equal(hex(serializeTelephoneEvent({ event: 9, end: true, volume: 10, duration: 800 })), '098a0320');
    assert.deepEqual(parseTelephoneEvent(Uint8Array.of(0x0b, 0x0a, 0x00, 0xa0)), {
      ok: true,
      value: { event: 11, end: false, volume: 10, duration: 160 },
    });
    // The reserved R bit is ignored on receipt.
    const r = parseTelephoneEvent(Uint8Array.of(1, 0xca, 0, 1));
    assert.ok(r.ok && r.value.end && r.value.volume === 10);
  });

  it('refuses short payloads without throwing, and round-trips any event', () => {
    assert.ok(!parseTelephoneEvent(new Uint8Array(3)).ok);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        parseTelephoneEvent(bytes);
        new TelephoneEventReceiver().receive({ timestamp: 0, payload: bytes });
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.boolean(), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 65535 }), (event, end, volume, duration) => {
        assert.deepEqual(parseTelephoneEvent(serializeTelephoneEvent({ event, end, volume, duration })), { ok: true, value: { event, end, volume, duration } });
      }),
    );
  });
});

describe('digit sender → receiver', () => {
  it('sends start, 20 ms updates and three end packets on one timestamp', () => {
    const packets = digitPackets('5', { durationMs: 100 });
    assert.deepEqual(packets.map((p) => p.atMs), [0, 20, 40, 60, 80, 100, 100, 100]);
    assert.deepEqual(packets.map((p) => p.marker), [true, false, false, false, false, false, false, false]);
    const events = packets.map((p) => parseTelephoneEvent(p.payload)).map((r) => (r.ok ? r.value : null));
    assert.deepEqual(events.map((e) => e?.duration), [160, 320, 480, 640, 800, 800, 800, 800]);
    assert.deepEqual(events.map((e) => e?.end), [false, false, false, false, false, true, true, true]);
    assert.ok(events.every((e) => e?.event === 5));
    assert.throws(() => digitPackets('x'), RangeError);
    assert.throws(() => digitPackets('1', { durationMs: 10_000 }), RangeError);
  });

  it('turns a digit sequence into single events with durations, ignoring end retransmissions', () => {
    const rx = new TelephoneEventReceiver();
    const got: DtmfDigit[] = [];
    let ts = 1000;
    for (const digit of ['1', '#', '*', 'D']) {
      for (const p of digitPackets(digit, { durationMs: 120 })) got.push(...rx.receive({ timestamp: ts, payload: p.payload }));
      ts += 2000;
    }
    assert.deepEqual(got.map((d) => [d.digit, d.durationMs, d.endLost]), [
      ['1', 120, false],
      ['#', 120, false],
      ['*', 120, false],
      ['D', 120, false],
    ]);
    assert.deepEqual(rx.flush(), []);
  });

  it('closes a digit whose end packets were all lost when the next one starts, or on flush', () => {
    const rx = new TelephoneEventReceiver();
    const one = digitPackets('1').filter((p) => !parseTelephoneEvent(p.payload).ok || !(p.payload[1] & 0x80));
    const got = one.flatMap((p) => rx.receive({ timestamp: 160, payload: p.payload }));
    assert.deepEqual(got, []);
    const next = rx.receive({ timestamp: 2000, payload: digitPackets('2')[0].payload });
    assert.deepEqual(next.map((d) => [d.digit, d.durationMs, d.endLost]), [['1', 100, true]]);
    assert.deepEqual(rx.flush().map((d) => [d.digit, d.durationMs, d.endLost]), [['2', 20, true]]);
  });

  it('keeps the longest duration seen when updates are reordered, and drops stray old packets', () => {
    const rx = new TelephoneEventReceiver();
    const p = digitPackets('7', { durationMs: 60 });
    const order = [p[1], p[0], p[2], p[4], p[3], p[5]];
    const got = order.flatMap((x) => rx.receive({ timestamp: 0xfffffff0, payload: x.payload }));
    assert.deepEqual(got.map((d) => [d.digit, d.durationMs]), [['7', 60]]);
    // Retransmitted end packets of the finished digit are ignored.
    assert.deepEqual(rx.receive({ timestamp: 0xfffffff0, payload: p[4].payload }), []);
    // A digit starting after the 32-bit timestamp wrap is newer; a stray packet from before it is not.
    assert.deepEqual(rx.receive({ timestamp: 5, payload: digitPackets('8')[0].payload }), []);
    assert.deepEqual(rx.receive({ timestamp: 0xffffff00, payload: p[0].payload }), []);
    assert.deepEqual(rx.flush().map((d) => d.digit), ['8']);
  });
});
