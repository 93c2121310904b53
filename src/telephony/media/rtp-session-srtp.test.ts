import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, test } from 'node:test';
import { looksLikeRtcp, serializeRtpPacket } from '../rtp/index.ts';
import { acceptAnswer, answerOffer, createOffer, type NegotiatedMedia } from '../sdp/index.ts';
import { MediaClock } from './media-clock.ts';
import { RtpSession } from './rtp-session.ts';
import { concat, g711RoundTrip, sine, sleep, testAllocator, waitFor } from './test-support.ts';
import type { RtpSockets } from './types.ts';

const allocator = testAllocator();

/** Runs the real SDP offer/answer with SDES so each side gets the keys the way a call does. */
function negotiateSrtp(offerer: RtpSockets, answerer: RtpSockets): { offerMedia: NegotiatedMedia; answerMedia: NegotiatedMedia } {
  const offer = createOffer({ address: '127.0.0.1', port: offerer.port, encryption: 'require' });
  const answer = answerOffer(offer.sdp, { address: '127.0.0.1', port: answerer.port, encryption: 'require' });
  assert.ok(answer.ok);
  const accepted = acceptAnswer(offer, answer.value.sdp);
  assert.ok(accepted.ok);
  assert.ok(accepted.value.crypto && answer.value.media.crypto);
  return { offerMedia: accepted.value, answerMedia: answer.value.media };
}

async function srtpPair(opts: { rtcpIntervalMs?: number } = {}) {
  const clock = new MediaClock();
  const aSockets = await allocator.allocate();
  const bSockets = await allocator.allocate();
  const { offerMedia, answerMedia } = negotiateSrtp(aSockets, bSockets);
  const a = new RtpSession({ sockets: aSockets, clock, media: offerMedia, ...opts });
  const b = new RtpSession({ sockets: bSockets, clock, media: answerMedia, ...opts });
  return {
    a,
    b,
    aSockets,
    bSockets,
    answerMedia,
    async close() {
      await Promise.all([a.close(), b.close()]);
      clock.stop();
    },
  };
}

describe('RtpSession with SDES-SRTP', () => {
  after(() => assert.equal(allocator.inUse, 0));

  test('audio and DTMF cross encrypted; the wire carries no plaintext', async () => {
    const pair = await srtpPair();
    try {
      const wire: Buffer[] = [];
      pair.bSockets.rtp.on('message', (d: Buffer) => {
        if (!looksLikeRtcp(d)) wire.push(d);
      });
      const received: Int16Array[] = [];
      const digits: string[] = [];
      pair.b.onAudio((pcm) => received.push(pcm));
      pair.b.onDtmf((d) => digits.push(d));
      const tone = sine(700, 300, 10000);
      await pair.a.play(tone).done;
      await pair.a.sendDtmf('5');
      await waitFor('digit', () => digits.length === 1);
      assert.deepEqual(digits, ['5']);
      const expected = g711RoundTrip('PCMA', tone);
      const start = received.findIndex((f) => f.every((x, i) => x === expected[i]));
      assert.ok(start >= 0, 'decrypted audio matches');
      assert.deepEqual(concat(received.slice(start, start + 15)), expected);
      const audioPackets = wire.filter((d) => (d[1] & 0x7f) === 8);
      assert.ok(audioPackets.every((d) => d.length === 12 + 160 + 10), 'RTP header + payload + 80-bit tag');
      // Silence would be 160 × 0xD5 in the clear: encrypted payloads look nothing like it.
      assert.ok(audioPackets.every((d) => d.subarray(12, 172).filter((b) => b === 0xd5).length < 20));
      assert.equal(pair.b.stats().srtpFailures, 0);
    } finally {
      await pair.close();
    }
  });

  test('a plain RTP packet injected into an SRTP session is dropped and counted', async () => {
    const pair = await srtpPair();
    const intruder = dgram.createSocket('udp4');
    try {
      const received: Int16Array[] = [];
      pair.b.onAudio((pcm) => received.push(pcm));
      await waitFor('media flowing', () => pair.b.stats().packetsReceived > 5);
      const loud = new Uint8Array(160).fill(0x80); // A-law full scale: would be unmistakable
      for (let i = 0; i < 10; i++) {
        const packet = serializeRtpPacket({ payloadType: 8, sequenceNumber: 1000 + i, timestamp: 160 * i, ssrc: 0xdeadbeef, marker: false, csrcs: [], payload: loud, paddingLength: 0 });
        intruder.send(packet, pair.bSockets.port, '127.0.0.1');
        // The right SRTP size but a wrong tag: still refused.
        intruder.send(Buffer.concat([packet, Buffer.alloc(10)]), pair.bSockets.port, '127.0.0.1');
      }
      await waitFor('drops counted', () => pair.b.stats().srtpFailures >= 20);
      await sleep(100);
      assert.ok(received.every((f) => f.every((x) => Math.abs(x) < 100)), 'no injected audio played');
      assert.equal(pair.b.stats().remote.port, pair.aSockets.port, 'the latch did not move');
    } finally {
      intruder.close();
      await pair.close();
    }
  });

  test('SRTCP reports flow both ways and give a round-trip time', async () => {
    const pair = await srtpPair({ rtcpIntervalMs: 150 });
    try {
      await waitFor('RTT from reports', () => pair.a.stats().rttMs !== undefined && pair.b.stats().rttMs !== undefined, 2500);
      const a = pair.a.stats();
      assert.ok(a.rtcpSent > 0 && a.rtcpReceived > 0);
      assert.ok(a.rttMs! >= 0 && a.rttMs! < 250, `loopback RTT ${a.rttMs} ms (a unit error would be off by orders of magnitude)`);
      assert.equal(a.remotePacketsLost, 0);
      assert.equal(a.srtpFailures + pair.b.stats().srtpFailures, 0);
    } finally {
      await pair.close();
    }
  });

  test('a re-INVITE repeating the same keys keeps the SRTP state (replays stay refused); new keys apply at once', async () => {
    const pair = await srtpPair();
    const intruder = dgram.createSocket('udp4');
    try {
      const wire: Buffer[] = [];
      pair.bSockets.rtp.on('message', (d: Buffer) => {
        if (!looksLikeRtcp(d)) wire.push(d);
      });
      await waitFor('media', () => wire.length > 5);
      const bMedia = pair.answerMedia;
      // Same keys in new objects, as a re-INVITE's fresh SDP parse produces them.
      pair.b.update({ ...bMedia, crypto: { ...bMedia.crypto!, remoteKey: { ...bMedia.crypto!.remoteKey } } });
      const before = pair.b.stats();
      intruder.send(wire[2], pair.bSockets.port, '127.0.0.1'); // a captured packet, replayed
      await waitFor('replay refused', () => pair.b.stats().srtpFailures === before.srtpFailures + 1);
      assert.equal(pair.b.stats().remote.port, pair.aSockets.port, 'a replay cannot move the latch');
      // B alone learns a new remote key that A does not use: A's packets now fail authentication.
      const { masterKey, masterSalt } = bMedia.crypto!.remoteKey;
      const wrong = { masterKey: Buffer.from(masterKey).reverse(), masterSalt };
      pair.b.update({ ...bMedia, crypto: { ...bMedia.crypto!, remoteKey: wrong } });
      await waitFor('auth failures', () => pair.b.stats().srtpFailures > before.srtpFailures + 5);
    } finally {
      intruder.close();
      await pair.close();
    }
  });
});
