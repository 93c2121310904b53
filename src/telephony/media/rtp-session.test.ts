import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { after, describe, test } from 'node:test';
import { looksLikeRtcp, parseRtpPacket, type RtpPacket } from '../rtp/index.ts';
import type { G711Codec } from '../codecs/index.ts';
import type { MediaTick } from './types.ts';
import { concat, g711RoundTrip, mediaTo, sessionPair, sine, sleep, testAllocator, tonePower, waitFor } from './test-support.ts';

const allocator = testAllocator();

/** Every RTP packet arriving on a socket, parsed (the session's own listener still runs). */
function tap(socket: dgram.Socket): RtpPacket[] {
  const packets: RtpPacket[] = [];
  socket.on('message', (data: Buffer) => {
    if (looksLikeRtcp(data)) return;
    const parsed = parseRtpPacket(new Uint8Array(data));
    if (parsed.ok) packets.push(parsed.value);
  });
  return packets;
}

/** Index of the first frame equal to `frame`, or -1. */
function findFrame(frames: Int16Array[], frame: Int16Array): number {
  return frames.findIndex((f) => f.length === frame.length && f.every((x, i) => x === frame[i]));
}

describe('RtpSession between two live sessions', () => {
  after(() => assert.equal(allocator.inUse, 0, 'every test closed its sessions'));

  for (const codec of ['PCMA', 'PCMU'] as G711Codec[]) {
    test(`${codec}: audio played by A reaches B's onAudio exactly as G.711 decodes it`, async () => {
      const pair = await sessionPair(allocator, { a: { codec }, b: { codec } });
      try {
        const received: Int16Array[] = [];
        pair.b.onAudio((pcm) => received.push(pcm));
        const speech = concat([sine(440, 200, 6000), sine(1000, 200, 12000), sine(300, 100, 3000)]);
        const handle = pair.a.play(speech);
        assert.deepEqual(await handle.done, { playedMs: 500, interrupted: false });
        await sleep(150); // the jitter buffer holds 60 ms
        const expected = g711RoundTrip(codec, speech);
        const first = findFrame(received, expected.subarray(0, 160));
        assert.ok(first >= 0, 'the first frame arrived');
        const got = concat(received.slice(first, first + expected.length / 160));
        assert.deepEqual(got, expected);
        assert.ok(received.every((f) => f.length === 160));
        assert.equal(pair.b.stats().packetsLost, 0);
      } finally {
        await pair.close();
      }
    });
  }

  test('pacing: one silence packet per 20 ms, seq +1, timestamp +160, one SSRC, marker only on the first', async () => {
    const pair = await sessionPair(allocator);
    try {
      const packets = tap(pair.bSockets.rtp);
      await sleep(1000);
      const count = packets.length;
      assert.ok(count >= 46 && count <= 52, `${count} packets in 1 s`);
      assert.equal(new Set(packets.map((p) => p.ssrc)).size, 1);
      assert.equal(packets[0].marker, true, 'the stream starts with a talkspurt');
      assert.ok(packets.every((p) => p.payload.every((byte) => byte === 0xd5)), 'idle frames are A-law silence');
      for (let i = 1; i < packets.length; i++) {
        assert.equal(packets[i].sequenceNumber, (packets[i - 1].sequenceNumber + 1) & 0xffff);
        assert.equal(packets[i].timestamp, (packets[i - 1].timestamp + 160) >>> 0);
        assert.equal(packets[i].marker, false);
        assert.equal(packets[i].payload.length, 160);
      }
      const stats = pair.a.stats();
      assert.ok(stats.packetsSent >= count);
      // Measured in ms, less than a frame (a unit error would be off by 1000×); its size on an idle
      // machine is bench:sip's figure, not this test's.
      assert.ok(stats.sendJitterP50Ms !== undefined && stats.sendJitterP50Ms < 20, `p50 ${stats.sendJitterP50Ms}`);
      assert.ok(stats.sendJitterP99Ms !== undefined && stats.sendJitterP99Ms >= stats.sendJitterP50Ms);
      assert.ok(pair.b.stats().packetsReceived >= count - 1);
    } finally {
      await pair.close();
    }
  });

  test('onTick pairs the caller frame played and the agent frame sent in the same tick', async () => {
    const pair = await sessionPair(allocator);
    try {
      const aTicks: MediaTick[] = [];
      const bTicks: MediaTick[] = [];
      pair.a.onTick((t) => aTicks.push(t));
      pair.b.onTick((t) => bTicks.push(t));
      const tone = sine(500, 300);
      await pair.a.play(tone).done;
      await sleep(120);
      const sent = aTicks.filter((t) => t.agent !== null);
      assert.equal(sent.length, 15, 'A reports each agent frame it sent');
      assert.deepEqual(concat(sent.map((t) => t.agent!)), tone);
      assert.ok(aTicks.every((t) => t.caller === null || t.caller.length === 160));
      const heard = bTicks.filter((t) => t.caller !== null && t.caller.some((x) => Math.abs(x) > 100));
      assert.equal(heard.length, 15, 'B played the 15 frames out, one per tick');
      assert.ok(bTicks.every((t) => t.agent === null), 'B had nothing to say');
    } finally {
      await pair.close();
    }
  });

  test('play pads the last frame; playouts are FIFO; clearPlayout interrupts with what was sent', async () => {
    const pair = await sessionPair(allocator);
    try {
      const short = pair.a.play(new Int16Array(170).fill(1000));
      const long = pair.a.play(sine(300, 2000));
      const queued = pair.a.play(sine(600, 500));
      assert.deepEqual(await short.done, { playedMs: 21.25, interrupted: false });
      await sleep(300);
      pair.a.clearPlayout();
      const longResult = await long.done;
      assert.equal(longResult.interrupted, true);
      assert.ok(longResult.playedMs >= 200 && longResult.playedMs <= 420, `played ${longResult.playedMs} ms`);
      assert.equal(longResult.playedMs % 20, 0);
      assert.deepEqual(await queued.done, { playedMs: 0, interrupted: true });
      assert.ok(short.id < long.id && long.id < queued.id);
      assert.deepEqual(await pair.a.play(new Int16Array(0)).done, { playedMs: 0, interrupted: false });
    } finally {
      await pair.close();
    }
  });

  test('DTMF both ways as RFC 4733 events: each digit once, audio paused meanwhile', async () => {
    const pair = await sessionPair(allocator);
    try {
      const atB: string[] = [];
      const atA: string[] = [];
      pair.b.onDtmf((d) => atB.push(d));
      pair.a.onDtmf((d) => atA.push(d));
      const packets = tap(pair.bSockets.rtp);
      const speech = pair.a.play(sine(400, 2000));
      const started = Date.now();
      await Promise.all([pair.a.sendDtmf('12#'), pair.b.sendDtmf('*9', { durationMs: 60 })]);
      const took = Date.now() - started;
      assert.ok(took >= 550 && took < 900, `3 digits of 100 ms + 100 ms gaps took ${took} ms`);
      await waitFor('digits', () => atB.length === 3 && atA.length === 2);
      assert.deepEqual(atB, ['1', '2', '#']);
      assert.deepEqual(atA, ['*', '9']);
      const events = packets.filter((p) => p.payloadType === 101);
      assert.equal(events.filter((p) => p.marker).length, 3, 'one marker per event');
      assert.equal(events.filter((p) => (p.payload[1] & 0x80) !== 0).length, 9, 'three end packets per digit');
      // Audio paused: no agent audio between the first and last event packet.
      const first = packets.indexOf(events[0]);
      const last = packets.indexOf(events.at(-1)!);
      const between = packets.slice(first, last).filter((p) => p.payloadType !== 101);
      assert.ok(between.every((p) => p.payload.every((b) => b === 0xd5)), 'only silence in the inter-digit gaps');
      pair.a.clearPlayout();
      assert.equal((await speech.done).interrupted, true);
      assert.equal(pair.b.stats().dtmfReceived, 3);
    } finally {
      await pair.close();
    }
  });

  test('without telephone-event, DTMF goes in-band as dual tones the far end can hear', async () => {
    const pair = await sessionPair(allocator, { a: { dtmfPayloadType: null }, b: { dtmfPayloadType: null } });
    try {
      const heard: Int16Array[] = [];
      const digits: string[] = [];
      pair.b.onAudio((pcm) => heard.push(pcm));
      pair.b.onDtmf((d) => digits.push(d));
      const aTicks: MediaTick[] = [];
      pair.a.onTick((t) => aTicks.push(t));
      await pair.a.sendDtmf('1', { durationMs: 100 });
      await sleep(150);
      const loud = heard.filter((f) => f.some((x) => Math.abs(x) > 2000));
      assert.equal(loud.length, 5, '100 ms of tone');
      const tone = concat(loud);
      assert.ok(tonePower(tone, 697) > 50 * tonePower(tone, 852) && tonePower(tone, 1209) > 50 * tonePower(tone, 1477));
      assert.deepEqual(digits, []);
      assert.equal(aTicks.filter((t) => t.agent !== null).length, 5, 'the tone is agent audio for the recorder');
    } finally {
      await pair.close();
    }
  });

  test('a listener that throws is logged and does not stop the others or the stream', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, msg: string) => warnings.push(msg), debug: () => {} };
    const pair = await sessionPair(allocator, { bExtra: { logger } });
    try {
      let frames = 0;
      pair.b.onAudio(() => {
        throw new Error('listener bug');
      });
      pair.b.onAudio(() => frames++);
      await waitFor('frames keep coming', () => frames > 10);
      assert.ok(warnings.includes('onAudio listener threw'));
    } finally {
      await pair.close();
    }
  });

  test('DTMF is refused for non-digits and after close', async () => {
    const pair = await sessionPair(allocator);
    await assert.rejects(pair.a.sendDtmf('1x'), RangeError);
    await assert.rejects(pair.a.sendDtmf('1', { durationMs: 10 }), RangeError);
    await pair.a.sendDtmf('');
    const pending = pair.a.sendDtmf('123');
    await pair.close();
    await assert.rejects(pending, /closed before the DTMF digits were sent/);
    await assert.rejects(pair.a.sendDtmf('1'), /closed/);
  });

  test('recvonly (we are held) sends nothing and keeps speech queued; sendrecv resumes with a marker', async () => {
    const pair = await sessionPair(allocator, { a: { direction: 'recvonly', remoteHold: true } });
    try {
      const packets = tap(pair.bSockets.rtp);
      const handle = pair.a.play(sine(400, 100));
      let finished = false;
      void handle.done.then(() => (finished = true));
      await sleep(300);
      assert.equal(packets.length, 0);
      assert.equal(finished, false, 'speech waits for the call to resume');
      pair.a.update(mediaTo(pair.bSockets.port));
      assert.deepEqual(await handle.done, { playedMs: 100, interrupted: false });
      assert.equal(packets[0].marker, true, 'resumed stream starts a talkspurt');
      assert.ok(packets.slice(1).every((p) => !p.marker));
    } finally {
      await pair.close();
    }
  });

  test('update(): a re-INVITE moving to a new port and codec keeps SSRC, sequence and timestamps continuous', async () => {
    const pair = await sessionPair(allocator);
    const cSockets = await allocator.allocate();
    try {
      const atB = tap(pair.bSockets.rtp);
      const atC = tap(cSockets.rtp);
      await waitFor('packets at B', () => atB.length >= 3);
      pair.a.update(mediaTo(cSockets.port, { codec: 'PCMU' }));
      await waitFor('packets at C', () => atC.length >= 3);
      const lastAtB = atB.at(-1)!;
      const firstAtC = atC[0];
      assert.equal(firstAtC.ssrc, lastAtB.ssrc);
      assert.equal(firstAtC.sequenceNumber, (lastAtB.sequenceNumber + 1) & 0xffff);
      assert.equal(firstAtC.timestamp, (lastAtB.timestamp + 160) >>> 0);
      assert.equal(firstAtC.payloadType, 0);
      assert.equal(firstAtC.marker, true);
      assert.equal(pair.a.stats().remote.port, cSockets.port);
    } finally {
      await pair.close();
      await cSockets.close();
    }
  });

  test('close() is idempotent, interrupts playouts, stops sending and frees the ports', async () => {
    const pair = await sessionPair(allocator);
    const handle = pair.a.play(sine(400, 3000));
    await sleep(100);
    await Promise.all([pair.a.close(), pair.a.close()]);
    const result = await handle.done;
    assert.equal(result.interrupted, true);
    assert.ok(result.playedMs > 0 && result.playedMs < 3000);
    const after = pair.a.play(sine(400, 100));
    assert.deepEqual(await after.done, { playedMs: 0, interrupted: true });
    const received = pair.b.stats().packetsReceived;
    await sleep(100);
    assert.ok(pair.b.stats().packetsReceived <= received + 1, 'A went quiet');
    assert.ok(pair.b.stats().rtcpReceived >= 1, 'A said goodbye with RTCP BYE');
    assert.throws(() => pair.aSockets.rtp.address(), /Not running/);
    await pair.close();
  });
});
