import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { looksLikeRtcp, parseRtpPacket, serializeRtpPacket, type RtpPacket } from './packet.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('RTP packet', () => {
  it('parses a plain PCMU packet field by field', () => {
    // V=2 P=0 X=0 CC=0 | M=1 PT=0 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x01020304 | 4 payload bytes
    const r = parseRtpPacket(hex('80 80 1234 deadbeef 01020304 ff fe 7f 00'));
    assert.ok(r.ok);
    assert.deepEqual({ ...r.value, payload: [...r.value.payload] }, {
      payloadType: 0,
      marker: true,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      csrcs: [],
      payload: [0xff, 0xfe, 0x7f, 0x00],
      paddingLength: 0,
    });
  });

  it('parses CSRCs, a header extension and padding', () => {
    // V=2 P=1 X=1 CC=2, PT=8, two CSRCs, extension profile 0xBEDE with 1 word, 2 payload bytes, 3 padding bytes.
    const bytes = hex('b2 08 0001 00000a00 cafebabe  11111111 22222222  bede 0001 10ff0000  d5 d5  00 00 03');
    const r = parseRtpPacket(bytes);
    assert.ok(r.ok);
    const p = r.value;
    assert.equal(p.payloadType, 8);
    assert.equal(p.marker, false);
    assert.deepEqual(p.csrcs, [0x11111111, 0x22222222]);
    assert.equal(p.extension?.profile, 0xbede);
    assert.deepEqual([...p.extension!.data], [0x10, 0xff, 0, 0]);
    assert.deepEqual([...p.payload], [0xd5, 0xd5]);
    assert.equal(p.paddingLength, 3);
    assert.deepEqual(serializeRtpPacket(p), bytes, 'serialises back to the same bytes');
  });

  it('refuses malformed packets with a reason', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['', 'empty', /shorter/],
      ['80 00 0001 00000000', 'truncated header', /shorter/],
      ['40 00 0001 00000000 00000000', 'version 1', /version 1/],
      ['83 00 0001 00000000 00000000 00000001', 'CSRC count past the end', /CSRC/],
      ['90 00 0001 00000000 00000000 bede', 'extension header cut', /extension header/],
      ['90 00 0001 00000000 00000000 bede 0002 00000000', 'extension body cut', /extension body/],
      ['a0 00 0001 00000000 00000000 ff 00', 'zero padding count', /padding/],
      ['a0 00 0001 00000000 00000000 ff 09', 'padding longer than payload', /padding/],
    ];
    for (const [bytes, what, reason] of cases) {
      const r = parseRtpPacket(hex(bytes));
      assert.ok(!r.ok, what);
      assert.match(r.error, reason, what);
    }
  });

  it('never throws on arbitrary bytes, and round-trips whatever it accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseRtpPacket(bytes);
        if (r.ok) {
          const again = parseRtpPacket(serializeRtpPacket(r.value));
          assert.ok(again.ok);
          assert.deepEqual(again.value.payload, r.value.payload);
          assert.equal(again.value.sequenceNumber, r.value.sequenceNumber);
        }
      }),
      { numRuns: 3000 },
    );
    // Version-2 headers with random flags are the interesting hostile inputs.
    fc.assert(
      fc.property(fc.integer({ min: 0x80, max: 0xbf }), fc.uint8Array({ maxLength: 80 }), (b0, rest) => {
        parseRtpPacket(Uint8Array.of(b0, ...rest));
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips generated packets', () => {
    const packet = fc.record({
      payloadType: fc.integer({ min: 0, max: 127 }),
      sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
      timestamp: fc.integer({ min: 0, max: 0xffffffff }),
      ssrc: fc.integer({ min: 0, max: 0xffffffff }),
      marker: fc.boolean(),
      csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
      payload: fc.uint8Array({ maxLength: 160 }),
      paddingLength: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(packet, (p: RtpPacket) => {
        const r = parseRtpPacket(serializeRtpPacket(p));
        assert.ok(r.ok);
        assert.deepEqual({ ...r.value, payload: [...r.value.payload] }, { ...p, payload: [...p.payload] });
      }),
    );
  });

  it('rejects impossible field values when serialising, and tells RTCP apart on a muxed port', () => {
    const base: RtpPacket = { payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, marker: false, csrcs: [], payload: new Uint8Array(0), paddingLength: 0 };
    assert.throws(() => serializeRtpPacket({ ...base, payloadType: 128 }), RangeError);
    assert.throws(() => serializeRtpPacket({ ...base, sequenceNumber: 65536 }), RangeError);
    assert.throws(() => serializeRtpPacket({ ...base, csrcs: new Array(16).fill(1) }), RangeError);
    assert.throws(() => serializeRtpPacket({ ...base, extension: { profile: 1, data: new Uint8Array(3) } }), RangeError);
    assert.ok(looksLikeRtcp(hex('80 c8 0006'))); // sender report, PT 200
    assert.ok(!looksLikeRtcp(serializeRtpPacket({ ...base, marker: true, payloadType: 72 - 64 })));
  });
});
