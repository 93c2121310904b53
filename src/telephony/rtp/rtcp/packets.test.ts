import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRtcp } from './parse.ts';
import { RtcpSerializeError, serializeRtcp } from './serialize.ts';
import type { RtcpPacket } from './types.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

// Laid out by hand from RFC 3550 §6.4.1, §6.5 and §6.6: SR with one report block, SDES CNAME, BYE.
const COMPOUND = hex(`
  81 c8 00 0c  11223344
  e8d4a510 80000000  000003e8  0000000a  00000640
  55667788  05 fffffe  0001fff0  00000020  a5100000  00008000
  81 ca 00 06  11223344  01 10 ${Buffer.from('habla@10.0.0.1:5').toString('hex')}  00 00
  81 cb 00 03  11223344  04 ${Buffer.from('done').toString('hex')} 000000
`);

test('parses a hand-built compound SR + SDES + BYE per RFC 3550', () => {
  const parsed = parseRtcp(COMPOUND);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  const [sr, sdes, bye] = parsed.value;
  assert.deepEqual(sr, {
    type: 'sr',
    ssrc: 0x11223344,
    sender: { ntpSeconds: 0xe8d4a510, ntpFraction: 0x80000000, rtpTimestamp: 1000, packetCount: 10, octetCount: 1600 },
    reports: [
      { ssrc: 0x55667788, fractionLost: 5, cumulativeLost: -2, highestSeq: 0x1fff0, jitter: 32, lastSr: 0xa5100000, delaySinceLastSr: 0x8000 },
    ],
  });
  assert.deepEqual(sdes, { type: 'sdes', chunks: [{ ssrc: 0x11223344, items: [{ type: 1, value: 'habla@10.0.0.1:5' }] }] });
  assert.deepEqual(bye, { type: 'bye', ssrcs: [0x11223344], reason: 'done' });
  assert.deepEqual(serializeRtcp(parsed.value), COMPOUND, 'serializes back to the same bytes');
});

test('round trip: RR with several blocks, SDES with several items, BYE without reason, unknown types', () => {
  const packets: RtcpPacket[] = [
    {
      type: 'rr',
      ssrc: 0xdeadbeef,
      reports: [1, 2, 3].map((n) => ({
        ssrc: n,
        fractionLost: n * 10,
        cumulativeLost: n * 1000,
        highestSeq: 0xffff0000 + n,
        jitter: n,
        lastSr: n,
        delaySinceLastSr: n,
      })),
    },
    { type: 'sdes', chunks: [{ ssrc: 0xdeadbeef, items: [{ type: 1, value: 'ñandú' }, { type: 6, value: 'Habla' }] }, { ssrc: 9, items: [] }] },
    { type: 'bye', ssrcs: [0xdeadbeef, 7] },
    { type: 'other', packetType: 204, count: 3, body: hex('01020304 41424344') },
  ];
  const wire = serializeRtcp(packets);
  assert.equal(wire.length % 4, 0);
  const parsed = parseRtcp(wire);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.deepEqual(parsed.value, packets);
});

test('padding is honoured on the last packet and refused elsewhere', () => {
  const rr = hex('a0 c9 00 02  00000001  00000004'); // P bit, 4 bytes of padding
  const parsed = parseRtcp(rr);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [{ type: 'rr', ssrc: 1, reports: [] }]);
  assert.equal(parseRtcp(Buffer.concat([rr, hex('80c90001 00000002')])).ok, false);
  assert.equal(parseRtcp(hex('a0 c9 00 01  00000001')).ok, false, 'padding that eats into the SSRC');
});

test('malformed datagrams give error results: every truncation, bad version, lying lengths and counts', () => {
  for (let cut = 0; cut < COMPOUND.length; cut++) {
    const result = parseRtcp(COMPOUND.subarray(0, cut));
    if (cut === 52 || cut === 80) continue; // whole-packet boundaries: a valid shorter compound
    assert.equal(result.ok, false, `truncated at ${cut}`);
  }
  const cases = [
    '40c90001 00000001', // version 1
    '80c90005 00000001', // length past the end
    '81c90001 00000001', // RR claims one block it does not have
    '81ca0001 00000001', // SDES chunk without a null item
    '81ca0002 00000001 01ff0000', // SDES item longer than the packet
    '81cb0000', // BYE claims one source it does not have
    '81cb0002 00000001 09414243', // BYE reason longer than the packet
    '80c80001 00000001', // SR without sender info
    'a0c90001 000000ff', // padding count larger than the packet
    'a0c90001 00000000', // padding count zero
    '80c9',
  ];
  for (const text of cases) assert.equal(parseRtcp(hex(text)).ok, false, text);
});

test('random bytes never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const result = parseRtcp(Buffer.from(bytes));
      if (result.ok) assert.ok(Array.isArray(result.value));
      else assert.equal(typeof result.error, 'string');
    }),
    { numRuns: 1000 },
  );
  // Structurally valid headers with random bodies exercise the per-type parsers.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 200, max: 204 }), fc.uint8Array({ maxLength: 64 }), (count, type, body) => {
      const padded = Buffer.concat([Buffer.from(body), Buffer.alloc((4 - (body.length % 4)) % 4)]);
      const header = Buffer.from([0x80 | count, type, 0, padded.length / 4]);
      assert.equal(typeof parseRtcp(Buffer.concat([header, padded])).ok, 'boolean');
    }),
    { numRuns: 1000 },
  );
});

test('serializing what the wire cannot carry is a programming error with its own class', () => {
  const rr = (n: number): RtcpPacket => ({
    type: 'rr',
    ssrc: 1,
    reports: Array.from({ length: n }, () => ({ ssrc: 1, fractionLost: 0, cumulativeLost: 0, highestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 })),
  });
  assert.throws(() => serializeRtcp([rr(32)]), RtcpSerializeError);
  assert.throws(() => serializeRtcp([{ type: 'bye', ssrcs: [1], reason: 'x'.repeat(256) }]), RtcpSerializeError);
  assert.throws(() => serializeRtcp([{ type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, value: 'y'.repeat(300) }] }] }]), RtcpSerializeError);
  assert.throws(() => serializeRtcp([{ type: 'other', packetType: 204, count: 0, body: Buffer.alloc(3) }]), RtcpSerializeError);
});
