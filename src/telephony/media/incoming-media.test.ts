import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAlaw } from '../codecs/index.ts';
import { serializeRtpPacket, serializeTelephoneEvent } from '../rtp/index.ts';
import { IncomingMedia } from './incoming-media.ts';
import { RemoteEndpoint } from './remote-endpoint.ts';
import { SrtpTransform } from './srtp-transform.ts';
import { concat, g711RoundTrip, mediaTo } from './test-support.ts';

const peer = { host: '127.0.0.1', port: 5004 };

function incoming(): IncomingMedia {
  const media = mediaTo(5004);
  return new IncomingMedia(media, new SrtpTransform(null), new RemoteEndpoint(media));
}

function packet(seq: number, payload: Uint8Array, payloadType = 8, timestamp = seq * 160): Uint8Array {
  return serializeRtpPacket({ payloadType, sequenceNumber: seq, timestamp, ssrc: 42, marker: false, csrcs: [], payload, paddingLength: 0 });
}

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => ((i * 37) % 2000) - 1000);

for (const packetMs of [10, 30]) {
  test(`a peer packetising ${packetMs} ms is re-framed into 20 ms frames without losing a sample`, () => {
    const media = incoming();
    const samples = ramp(2400);
    const per = packetMs * 8;
    const frames: Int16Array[] = [];
    let sent = 0;
    // Real-time order: packets arrive as the peer sends them, we pop one frame every 20 ms.
    for (let now = 0; now <= 400; now += 20) {
      for (; sent * packetMs <= now && sent * per < samples.length; sent++) {
        const payload = encodeAlaw(samples.subarray(sent * per, (sent + 1) * per));
        assert.equal(media.receive(packet(sent, payload, 8, sent * per), peer, sent * packetMs).kind, 'audio');
      }
      const frame = media.nextFrame();
      if (frame) frames.push(frame);
    }
    assert.ok(frames.every((f) => f.length === 160));
    assert.deepEqual(concat(frames), g711RoundTrip('PCMA', samples).subarray(0, frames.length * 160));
    assert.ok(frames.length * 160 >= samples.length - per, 'all but a partial frame came out');
  });
}

test('a lost packet is concealed (last frame at half level, then silence) and counted', () => {
  const media = incoming();
  const loud = new Int16Array(160).fill(8000);
  for (const seq of [0, 1, 4, 5, 6]) media.receive(packet(seq, encodeAlaw(loud)), peer, seq * 20);
  const frames = Array.from({ length: 7 }, () => media.nextFrame());
  assert.ok(frames[0]![0] > 7000 && frames[1]![0] > 7000);
  assert.ok(Math.abs(frames[2]![0] - frames[1]![0] / 2) <= 1, 'first gap frame repeats at half level');
  assert.ok(frames[3]!.every((x) => x === 0), 'second gap frame is silence');
  assert.ok(frames[4]![0] > 7000);
  assert.equal(media.stats.framesConcealed, 2);
  assert.equal(media.stats.packetsLost, 2);
});

test('telephone-event packets share the sequence space without counting as lost audio', () => {
  const media = incoming();
  const tone = encodeAlaw(new Int16Array(160).fill(3000));
  const event = (i: number): Uint8Array => serializeTelephoneEvent({ event: 5, end: i === 3, volume: 10, duration: 160 * (i + 1) });
  // 4 audio packets, 4 event packets (audio suppressed meanwhile), 4 audio: one per 20 ms.
  const stream = [0, 1, 2, 3].map(() => packetOf(tone, 8)).concat([0, 1, 2, 3].map((i) => packetOf(event(i), 101)), [0, 1, 2, 3].map(() => packetOf(tone, 8)));
  const digits: string[] = [];
  const frames: Int16Array[] = [];
  stream.forEach((p, seq) => {
    const verdict = media.receive(packet(seq, p.payload, p.payloadType, p.payloadType === 101 ? 640 : seq * 160), peer, seq * 20);
    if (verdict.kind === 'dtmf') digits.push(...media.receiveDtmf(verdict.packet, seq * 20));
    const frame = media.nextFrame();
    if (frame) frames.push(frame);
  });
  for (let i = 0; i < 4; i++) {
    const frame = media.nextFrame();
    if (frame) frames.push(frame);
  }
  assert.deepEqual(digits, ['5']);
  assert.equal(frames.length, 8, 'eight audio frames, the event packets skipped');
  assert.equal(media.stats.framesConcealed, 0);
  assert.equal(media.stats.packetsLost, 0);
});

const packetOf = (payload: Uint8Array, payloadType: number): { payload: Uint8Array; payloadType: number } => ({ payload, payloadType });

test('an event whose end packets were all lost is still reported once the stream goes quiet', () => {
  const media = incoming();
  const verdict = media.receive(packet(1, serializeTelephoneEvent({ event: 11, end: false, volume: 10, duration: 160 }), 101), peer, 0);
  assert.equal(verdict.kind, 'dtmf');
  if (verdict.kind === 'dtmf') assert.deepEqual(media.receiveDtmf(verdict.packet, 0), []);
  assert.deepEqual(media.flushStaleDtmf(500), []);
  assert.deepEqual(media.flushStaleDtmf(1000), ['#']);
  assert.deepEqual(media.flushStaleDtmf(3000), []);
});
