import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { estimateIndex } from './rollover.ts';
import { SrtpContext, type MasterKey } from './srtp-context.ts';
import { generateMasterKey } from './sdes.ts';

const counting = (start: number) => (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (start + i) & 0xff));
const KEY: MasterKey = generateMasterKey(counting(1));
const OTHER_KEY: MasterKey = generateMasterKey(counting(2));

function rtp(seq: number, payload = Buffer.alloc(160, seq & 0xff), ssrc = 0x11223344): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE((seq * 160) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, payload]);
}

function protect(context: SrtpContext, packet: Buffer): Buffer {
  const result = context.protectRtp(packet);
  assert.ok(result.ok, 'protect succeeds');
  return result.value;
}

test('round trip: payload is hidden on the wire and restored on receive; header stays clear', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  const plain = rtp(1000, Buffer.from('hola, esto es audio'.repeat(8)));
  const wire = protect(sender, plain);
  assert.equal(wire.length, plain.length + 10);
  assert.deepEqual(wire.subarray(0, 12), plain.subarray(0, 12));
  assert.ok(!wire.includes(Buffer.from('hola')));
  const back = receiver.unprotectRtp(wire);
  assert.ok(back.ok);
  assert.deepEqual(back.value, plain);
});

test('CSRCs and a header extension stay in the clear and authenticated', () => {
  const header = Buffer.from('92000001000000a0cafebabe' + '00000001 00000002'.replace(' ', '') + 'bede0001' + '10ff0000', 'hex');
  const plain = Buffer.concat([header, Buffer.alloc(20, 7)]);
  const wire = protect(new SrtpContext(KEY), plain);
  assert.deepEqual(wire.subarray(0, header.length), header);
  const back = new SrtpContext(KEY).unprotectRtp(wire);
  assert.ok(back.ok);
  assert.deepEqual(back.value, plain);
});

test('a wrong key or any flipped bit fails authentication, and does not poison the stream', () => {
  const wire = protect(new SrtpContext(KEY), rtp(5));
  const wrong = new SrtpContext(OTHER_KEY).unprotectRtp(wire);
  assert.equal(wrong.ok ? 'ok' : wrong.error.code, 'auth_failed');
  const receiver = new SrtpContext(KEY);
  for (const position of [1, 3, 11, 20, wire.length - 1]) {
    const tampered = Buffer.from(wire);
    tampered[position] ^= 0x01;
    const result = receiver.unprotectRtp(tampered);
    assert.equal(result.ok ? 'ok' : result.error.code, 'auth_failed', `bit flip at ${position}`);
  }
  assert.ok(receiver.unprotectRtp(wire).ok, 'the genuine packet still passes afterwards');
});

test('replays are refused; late packets inside the 64-packet window are accepted once', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  const wires = Array.from({ length: 100 }, (_, i) => protect(sender, rtp(i)));
  const code = (packet: Buffer) => {
    const result = receiver.unprotectRtp(packet);
    return result.ok ? 'ok' : result.error.code;
  };
  assert.equal(code(wires[0]), 'ok');
  assert.equal(code(wires[0]), 'replay');
  assert.equal(code(wires[99]), 'ok');
  assert.equal(code(wires[50]), 'ok', 'index 50 is 49 behind the highest: inside the window');
  assert.equal(code(wires[50]), 'replay');
  assert.equal(code(wires[35]), 'too_old', 'index 35 is 64 behind: outside the window');
});

test('ROC advances across the 65535 → 0 wrap on both sides, also with reordering', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  const seqs = [65533, 65534, 65535, 0, 1, 2];
  const wires = seqs.map((seq) => protect(sender, rtp(seq)));
  // Delivered out of order around the wrap: 0 before 65535, 2 before 1.
  for (const i of [0, 1, 3, 2, 5, 4]) {
    const result = receiver.unprotectRtp(wires[i]);
    assert.ok(result.ok, `seq ${seqs[i]} accepted (${result.ok ? '' : result.error.code})`);
    assert.deepEqual(result.value, rtp(seqs[i]));
  }
  // A receiver that guessed ROC 0 for seq 0 would fail authentication: the tag covers ROC 1.
  const fresh = new SrtpContext(KEY);
  assert.equal((fresh.unprotectRtp(wires[3]) as { ok: false; error: { code: string } }).error.code, 'auth_failed');
});

test('a long stream crosses several wraps in step', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  for (let n = 60000; n < 60000 + 3 * 65536; n += 97) {
    const result = receiver.unprotectRtp(protect(sender, rtp(n & 0xffff)));
    assert.ok(result.ok, `packet ${n}`);
  }
});

test('separate SSRCs keep separate state', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  const a = protect(sender, rtp(7, undefined, 1));
  const b = protect(sender, rtp(7, undefined, 2));
  assert.ok(receiver.unprotectRtp(a).ok);
  assert.ok(receiver.unprotectRtp(b).ok, 'same seq on another SSRC is not a replay');
});

test('Appendix A index estimation', () => {
  assert.deepEqual(estimateIndex(10, 65530, 0), { roc: 1, index: 65536 + 10 });
  assert.deepEqual(estimateIndex(65530, 10, 1), { roc: 0, index: 65530 });
  assert.deepEqual(estimateIndex(65530, 10, 0).roc, -1);
  assert.deepEqual(estimateIndex(500, 400, 3), { roc: 3, index: 3 * 65536 + 500 });
});

test('SRTCP: round trip, index increments, replay and tamper refused', () => {
  const sender = new SrtpContext(KEY);
  const receiver = new SrtpContext(KEY);
  const rtcp = Buffer.from('81c90007cafebabe' + '11223344' + '00000000'.repeat(5), 'hex');
  const first = sender.protectRtcp(rtcp);
  const second = sender.protectRtcp(rtcp);
  assert.ok(first.ok && second.ok);
  assert.equal(first.value.readUInt32BE(rtcp.length), 0x80000001);
  assert.equal(second.value.readUInt32BE(rtcp.length), 0x80000002);
  const back = receiver.unprotectRtcp(second.value);
  assert.ok(back.ok);
  assert.deepEqual(back.value, rtcp);
  assert.ok(receiver.unprotectRtcp(first.value).ok, 'reordered but new');
  const replay = receiver.unprotectRtcp(first.value);
  assert.equal(replay.ok ? 'ok' : replay.error.code, 'replay');
  const tampered = Buffer.from(second.value);
  tampered[10] ^= 0x80;
  const bad = new SrtpContext(KEY).unprotectRtcp(tampered);
  assert.equal(bad.ok ? 'ok' : bad.error.code, 'auth_failed');
});

test('hostile input never throws: truncated, garbage and random packets give error results', () => {
  const receiver = new SrtpContext(KEY);
  for (const packet of [Buffer.alloc(0), Buffer.alloc(5), Buffer.from('800000', 'hex'), Buffer.alloc(21, 0x80)]) {
    assert.equal(receiver.unprotectRtp(packet).ok, false);
    assert.equal(receiver.unprotectRtcp(packet).ok, false);
  }
  assert.equal(receiver.protectRtp(Buffer.from('800000', 'hex')).ok, false);
  assert.equal(receiver.protectRtp(Buffer.alloc(12, 0x40)).ok, false, 'RTP version 1');
  // Extension length pointing past the end of the packet.
  const lying = Buffer.from('900000010000000000000001' + 'bede0fff' + '00'.repeat(12), 'hex');
  assert.equal(receiver.unprotectRtp(lying).ok, false);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const packet = Buffer.from(bytes);
      for (const result of [
        receiver.unprotectRtp(packet),
        receiver.unprotectRtcp(packet),
        new SrtpContext(KEY).protectRtp(packet),
        new SrtpContext(KEY).protectRtcp(packet),
      ]) {
        assert.equal(typeof result.ok, 'boolean');
      }
      const unprotected = receiver.unprotectRtp(packet);
      assert.ok(!unprotected.ok, 'random bytes never authenticate');
    }),
    { numRuns: 500 },
  );
});

test('accepts plain Uint8Array views (as the RTP packet module produces) without copying surprises', () => {
  const plain = rtp(42);
  const backing = new Uint8Array(plain.length + 8);
  backing.set(plain, 4);
  const view = backing.subarray(4, 4 + plain.length);
  const wire = new SrtpContext(KEY).protectRtp(view);
  assert.ok(wire.ok);
  const back = new SrtpContext(KEY).unprotectRtp(new Uint8Array(wire.value));
  assert.ok(back.ok);
  assert.deepEqual(back.value, plain);
});
