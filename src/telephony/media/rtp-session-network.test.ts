import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, test } from 'node:test';
import { serializeRtpPacket } from '../rtp/index.ts';
import { buildReport, ReceiverStatistics, serializeRtcp } from '../rtp/rtcp/index.ts';
import { MediaClock } from './media-clock.ts';
import { RtpSession } from './rtp-session.ts';
import { mediaTo, sessionPair, sine, sleep, testAllocator, waitFor } from './test-support.ts';

const allocator = testAllocator();

function rtp(payloadType: number, seq: number, payload = new Uint8Array(160).fill(0xd5), ssrc = 0x1234): Uint8Array {
  return serializeRtpPacket({ payloadType, sequenceNumber: seq, timestamp: seq * 160, ssrc, marker: false, csrcs: [], payload, paddingLength: 0 });
}

function udp(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)));
}

describe('RtpSession on a hostile or changing network', () => {
  after(() => assert.equal(allocator.inUse, 0));

  test('malformed datagrams on the RTP and RTCP ports are counted and dropped; media keeps flowing', async () => {
    const pair = await sessionPair(allocator, { b: { rtcpMux: false, remoteRtcpPort: 0 } });
    const stranger = await udp();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const received: Int16Array[] = [];
      pair.b.onAudio((pcm) => received.push(pcm));
      await waitFor('media', () => pair.b.stats().packetsReceived > 3);
      const valid = rtp(8, 7);
      const garbage: Uint8Array[] = [
        new Uint8Array(0),
        Uint8Array.of(0x80),
        valid.subarray(0, 11), // truncated header
        Uint8Array.of(0x8f, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1), // 15 CSRCs announced, none present
        Uint8Array.of(0x90, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff), // extension past the end
        Uint8Array.of(0xa0, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0), // padding count 0
        Uint8Array.of(0x40, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1), // RTP version 1
        Uint8Array.of(0x80, 200, 0xff, 0xff, 1, 2, 3, 4), // RTCP-looking, length past the end
        Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff),
        rtp(101, 9, Uint8Array.of(1)), // telephone-event payload too short
      ];
      for (const datagram of garbage) {
        stranger.send(datagram, pair.bSockets.port, '127.0.0.1');
        stranger.send(datagram, pair.bSockets.port + 1, '127.0.0.1');
      }
      await waitFor('drops counted', () => pair.b.stats().malformedPackets >= 16);
      await sleep(100);
      const stats = pair.b.stats();
      assert.equal(uncaught.length, 0);
      assert.equal(stats.dtmfReceived, 0);
      const after = stats.packetsReceived;
      await waitFor('media still flowing', () => pair.b.stats().packetsReceived > after + 5);
    } finally {
      process.off('uncaughtException', onUncaught);
      stranger.close();
      await pair.close();
    }
  });

  test('only negotiated payload types are taken; a stranger cannot inject into a latched stream', async () => {
    const pair = await sessionPair(allocator);
    const stranger = await udp();
    try {
      await waitFor('latched', () => pair.b.stats().remote.latched);
      stranger.send(rtp(18, 1), pair.bSockets.port, '127.0.0.1'); // G.729: not negotiated
      stranger.send(rtp(8, 2), pair.bSockets.port, '127.0.0.1'); // right type, wrong source
      stranger.send(rtp(101, 3, Uint8Array.of(1, 0x80, 0, 160)), pair.bSockets.port, '127.0.0.1');
      await waitFor('drops', () => pair.b.stats().unknownPayloadType === 1 && pair.b.stats().wrongSource === 2);
      assert.equal(pair.b.stats().remote.port, pair.aSockets.port);
      assert.equal(pair.b.stats().dtmfReceived, 0, 'a forged digit from a stranger is not reported');
    } finally {
      stranger.close();
      await pair.close();
    }
  });

  test('symmetric RTP: behind NAT the SDP port is wrong; we answer where the packets come from', async () => {
    // B's SDP view of A names a dead port (a private address behind NAT, say).
    const pair = await sessionPair(allocator, { b: { remotePort: 9, remoteRtcpPort: 9 } });
    try {
      assert.equal(pair.b.stats().remote.latched, false);
      await waitFor('B latched to A', () => pair.b.stats().remote.latched);
      assert.deepEqual(pair.b.stats().remote, { host: '127.0.0.1', port: pair.aSockets.port, latched: true });
      const atA: Int16Array[] = [];
      pair.a.onAudio((pcm) => atA.push(pcm));
      await pair.b.play(sine(500, 200, 9000)).done;
      await waitFor('A hears B', () => atA.some((f) => f.some((x) => Math.abs(x) > 4000)));
    } finally {
      await pair.close();
    }
  });

  test('media timeout fires once when the peer goes quiet', async () => {
    const pair = await sessionPair(allocator, { aExtra: { mediaTimeoutMs: 300 } });
    try {
      let fired = 0;
      pair.a.onMediaTimeout(() => fired++);
      await sleep(400);
      assert.equal(fired, 0, 'not while media flows');
      const stopped = Date.now();
      await pair.b.close();
      await waitFor('timeout', () => fired === 1);
      const after = Date.now() - stopped;
      assert.ok(after >= 250 && after < 600, `fired ${after} ms after the peer stopped`);
      await sleep(400);
      assert.equal(fired, 1, 'only once');
    } finally {
      await pair.close();
    }
  });

  test('media timeout counts from the start when nothing ever arrives, and pauses while the peer holds us', async () => {
    const clock = new MediaClock();
    const sockets = await allocator.allocate();
    const quiet = await allocator.allocate(); // bound, never sends
    const held = new RtpSession({ sockets, clock, media: mediaTo(quiet.port, { direction: 'recvonly', remoteHold: true }), mediaTimeoutMs: 200 });
    try {
      let fired = 0;
      held.onMediaTimeout(() => fired++);
      await sleep(400);
      assert.equal(fired, 0, 'on hold: no timeout');
      held.update(mediaTo(quiet.port)); // off hold: the count starts now
      await sleep(100);
      assert.equal(fired, 0);
      await waitFor('timeout', () => fired === 1, 500);
    } finally {
      await held.close();
      await quiet.close();
      clock.stop();
    }
  });

  test('RTCP without mux goes to the RTCP port, is parsed, and counts as media activity', async () => {
    const pair = await sessionPair(allocator, {
      a: { rtcpMux: false },
      b: { rtcpMux: false },
      aExtra: { rtcpIntervalMs: 100 },
      bExtra: { rtcpIntervalMs: 100 },
    });
    const rtcpAtB: Buffer[] = [];
    pair.bSockets.rtcp.on('message', (d: Buffer) => rtcpAtB.push(d));
    try {
      pair.a.update(mediaTo(pair.bSockets.port, { rtcpMux: false, remoteRtcpPort: pair.bSockets.port + 1 }));
      pair.b.update(mediaTo(pair.aSockets.port, { rtcpMux: false, remoteRtcpPort: pair.aSockets.port + 1 }));
      await waitFor('reports', () => pair.a.stats().rtcpReceived > 1 && pair.b.stats().rtcpReceived > 1);
      assert.ok(rtcpAtB.length > 0 && rtcpAtB.every((d) => d[1] === 200 || d[1] === 201), 'SR or RR first');
      await waitFor('RTT', () => pair.a.stats().rttMs !== undefined);
    } finally {
      await pair.close();
    }
  });

  test('RTCP alone keeps a session alive (a peer holding the line with reports only)', async () => {
    const clock = new MediaClock();
    const sockets = await allocator.allocate();
    const peer = await udp();
    const session = new RtpSession({ sockets, clock, media: mediaTo(peer.address().port), mediaTimeoutMs: 250 });
    let fired = 0;
    session.onMediaTimeout(() => fired++);
    const receiver = new ReceiverStatistics(1, 8000);
    const report = serializeRtcp(buildReport({ ssrc: 0x5555, cname: 'peer', receivers: [receiver], now: { wallClockMs: Date.now(), monotonicMs: 0 } }));
    const timer = setInterval(() => peer.send(report, sockets.port, '127.0.0.1'), 50);
    try {
      await sleep(600);
      assert.equal(fired, 0);
      assert.ok(session.stats().rtcpReceived >= 5);
      clearInterval(timer);
      await waitFor('timeout once reports stop', () => fired === 1, 600);
    } finally {
      clearInterval(timer);
      peer.close();
      await session.close();
      clock.stop();
    }
  });
});
