import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { acceptAnswer, answerOffer, createOffer, type NegotiatedMedia } from '../../sdp/index.ts';
import { MediaClock } from '../media-clock.ts';
import { RtpSession } from '../rtp-session.ts';
import { concat, g711RoundTrip, mediaTo, sine, sleep, testAllocator, waitFor } from '../test-support.ts';
import type { CallMedia, RtpSockets } from '../types.ts';
import type { RemoteMediaSession } from './remote-media-session.ts';
import { WorkerMediaHost } from './worker-media-host.ts';

// Real threads, real sockets: media on a worker talks to an in-process RtpSession over loopback.
const local = testAllocator(20);
const base = 30000 + 2 * Math.floor(Math.random() * 4000);
const range = { portMin: base, portMax: base + 99 };
let host: WorkerMediaHost;
const clock = new MediaClock();

before(async () => {
  host = await WorkerMediaHost.start({ host: '127.0.0.1', ...range, mediaTimeoutMs: 0, workers: 2, countersIntervalMs: 100 });
});
after(async () => {
  await host.close();
  clock.stop();
});

/** A worker session and an in-process one, each sending to the other. */
async function pairWithLocal(remoteMedia: (localPort: number) => NegotiatedMedia = mediaTo, localMedia: (remotePort: number) => NegotiatedMedia = mediaTo) {
  const ports = await host.allocatePorts();
  const sockets = await local.allocate();
  const remote = host.openMedia(ports, remoteMedia(sockets.port)) as RemoteMediaSession;
  const peer = new RtpSession({ sockets, clock, media: localMedia(ports.port) });
  return { remote, peer, close: () => Promise.all([remote.close(), peer.close()]) };
}

/** Threads of this process scheduled SCHED_FIFO (policy 1: field 41 of /proc/…/task/…/stat). */
function fifoThreads(): number {
  const tasks = fs.readdirSync('/proc/self/task');
  return tasks.filter((tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return fields[41 - 3] === '1';
  }).length;
}

function framesOf(media: CallMedia): Int16Array[] {
  const frames: Int16Array[] = [];
  media.onAudio((pcm) => frames.push(pcm.slice()));
  return frames;
}

function startOf(frames: Int16Array[], expected: Int16Array): number {
  const first = expected.subarray(0, 160);
  return frames.findIndex((f) => f.every((x, i) => x === first[i]));
}

describe('WorkerMediaHost (media on worker threads)', () => {
  test('audio crosses both ways exactly as G.711 decodes it; ticks carry both directions aligned', async () => {
    const { remote, peer, close } = await pairWithLocal();
    try {
      const heardByWorker = framesOf(remote);
      const heardByPeer = framesOf(peer);
      const agentFrames: Int16Array[] = [];
      remote.onTick(({ agent }) => agent && agentFrames.push(agent.slice()));
      const toPeer = concat([sine(440, 200, 6000), sine(1000, 200, 12000)]);
      const toWorker = concat([sine(700, 300, 9000), sine(300, 100, 3000)]);
      const [played] = await Promise.all([remote.play(toPeer).done, peer.play(toWorker).done]);
      assert.deepEqual(played, { playedMs: 400, interrupted: false });
      await sleep(200);
      for (const [frames, sent] of [[heardByPeer, toPeer], [heardByWorker, toWorker]] as const) {
        const expected = g711RoundTrip('PCMA', sent);
        const at = startOf(frames, expected);
        assert.ok(at >= 0, 'the first frame arrived');
        assert.deepEqual(concat(frames.slice(at, at + expected.length / 160)), expected);
      }
      assert.deepEqual(concat(agentFrames), toPeer, 'onTick reports the agent audio sent, unencoded');
    } finally {
      await close();
    }
  });

  test('clearPlayout interrupts with what was played; closing resolves the rest interrupted', async () => {
    const { remote, close } = await pairWithLocal();
    try {
      const first = remote.play(sine(440, 2000));
      await sleep(300);
      remote.clearPlayout();
      const result = await first.done;
      assert.equal(result.interrupted, true);
      assert.ok(result.playedMs >= 200 && result.playedMs <= 600, `played ${result.playedMs} ms`);
      const pending = remote.play(sine(440, 2000));
      await remote.close();
      assert.equal((await pending.done).interrupted, true);
      assert.equal((await remote.play(sine(440, 100)).done).interrupted, true, 'after close nothing plays');
    } finally {
      await close();
    }
  });

  test('DTMF both ways; bad digits reject with RangeError as in-process', async () => {
    const { remote, peer, close } = await pairWithLocal();
    try {
      const atWorker: string[] = [];
      const atPeer: string[] = [];
      remote.onDtmf((d) => atWorker.push(d));
      peer.onDtmf((d) => atPeer.push(d));
      await Promise.all([remote.sendDtmf('12#'), peer.sendDtmf('9*')]);
      await waitFor('digits', () => atWorker.length === 2 && atPeer.length === 3);
      assert.deepEqual([atWorker, atPeer], [['9', '*'], ['1', '2', '#']]);
      await assert.rejects(remote.sendDtmf('x'), RangeError);
    } finally {
      await close();
    }
  });

  test('SDES-SRTP keys survive the thread hop: audio decrypts on both sides', async () => {
    const ports = await host.allocatePorts();
    const sockets: RtpSockets = await local.allocate();
    const offer = createOffer({ address: '127.0.0.1', port: ports.port, encryption: 'require' });
    const answer = answerOffer(offer.sdp, { address: '127.0.0.1', port: sockets.port, encryption: 'require' });
    assert.ok(answer.ok);
    const accepted = acceptAnswer(offer, answer.value.sdp);
    assert.ok(accepted.ok && accepted.value.crypto);
    const remote = host.openMedia(ports, accepted.value);
    const peer = new RtpSession({ sockets, clock, media: answer.value.media });
    try {
      const heard = framesOf(peer);
      const back = framesOf(remote);
      const tone = sine(600, 200, 8000);
      await Promise.all([remote.play(tone).done, peer.play(tone).done]);
      await sleep(200);
      const codec = accepted.value.codec;
      assert.ok(startOf(heard, g711RoundTrip(codec, tone)) >= 0, 'the peer decrypted the worker audio');
      assert.ok(startOf(back, g711RoundTrip(codec, tone)) >= 0, 'the worker decrypted the peer audio');
      assert.equal(peer.stats().srtpFailures, 0);
    } finally {
      await Promise.all([remote.close(), peer.close()]);
    }
  });

  test('counters reach the main thread while live and final on close; calls spread over the workers', async () => {
    const a = await pairWithLocal();
    const b = await pairWithLocal();
    try {
      assert.deepEqual(host.sessionsPerWorker.sort(), [1, 1]);
      await sleep(600);
      assert.ok(a.remote.packetCounts.sent >= 15, `live count ${a.remote.packetCounts.sent}`);
      assert.ok(a.remote.sendJitter.count >= 15);
      const stats = await a.remote.stats();
      assert.ok(stats && stats.packetsSent >= a.remote.packetCounts.sent);
      await a.remote.close();
      const sent = a.remote.packetCounts.sent;
      await sleep(300);
      assert.ok(sent >= 25, `final count ${sent}`);
      assert.equal(a.remote.packetCounts.sent, sent, 'final: it no longer moves');
      assert.equal(await a.remote.stats(), null);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('media threads run real-time (SCHED_FIFO) when allowed, else say why and run normally', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, msg: string) => warnings.push(msg), debug: () => {} };
    const before = fifoThreads();
    const rt = await WorkerMediaHost.start({ host: '127.0.0.1', portMin: base + 150, portMax: base + 159, mediaTimeoutMs: 0, workers: 2, priority: 'realtime', logger });
    try {
      if (process.getuid?.() === 0) {
        assert.equal(fifoThreads() - before, 2, 'both media threads are SCHED_FIFO');
        assert.deepEqual(warnings, []);
      } else {
        assert.equal(fifoThreads() - before, 0);
        assert.ok(warnings.some((w) => /real-time/.test(w)), warnings.join('; '));
      }
    } finally {
      await rt.close();
    }
    const normal = await WorkerMediaHost.start({ host: '127.0.0.1', portMin: base + 160, portMax: base + 169, mediaTimeoutMs: 0, workers: 1, priority: 'normal', logger });
    try {
      assert.equal(fifoThreads(), before, 'normal leaves the scheduling alone');
    } finally {
      await normal.close();
    }
  });

  test('media timeout is reported from the worker', async () => {
    const timeoutHost = await WorkerMediaHost.start({ host: '127.0.0.1', portMin: base + 100, portMax: base + 119, mediaTimeoutMs: 300, workers: 1 });
    try {
      const ports = await timeoutHost.allocatePorts();
      const media = timeoutHost.openMedia(ports, mediaTo(9)); // the discard port: nobody answers
      let timedOut = false;
      media.onMediaTimeout(() => (timedOut = true));
      await waitFor('media timeout', () => timedOut);
      await media.close();
    } finally {
      await timeoutHost.close();
    }
  });

  test('ports: released when unused or closed, refused when the range is full', async () => {
    const small = await WorkerMediaHost.start({ host: '127.0.0.1', portMin: base + 120, portMax: base + 123, mediaTimeoutMs: 0, workers: 1 });
    try {
      const p1 = await small.allocatePorts();
      const p2 = await small.allocatePorts();
      await assert.rejects(small.allocatePorts(), /no free RTP ports/);
      await p1.close();
      const p3 = await small.allocatePorts();
      const session = small.openMedia(p2, mediaTo(9));
      await session.close();
      const p4 = await small.allocatePorts();
      assert.deepEqual(new Set([p3.port, p4.port]), new Set([p1.port, p2.port]));
      await Promise.all([p3.close(), p4.close()]);
    } finally {
      await small.close();
    }
  });

  test('a worker that dies ends its calls (media timeout) and is replaced for new ones', async () => {
    const fragile = await WorkerMediaHost.start({ host: '127.0.0.1', portMin: base + 130, portMax: base + 149, mediaTimeoutMs: 0, workers: 1 });
    try {
      const ports = await fragile.allocatePorts();
      const media = fragile.openMedia(ports, mediaTo(9));
      let ended = false;
      media.onMediaTimeout(() => (ended = true));
      const pending = media.play(sine(440, 5000));
      await fragile.killWorkerForTests(0);
      await waitFor('the call told its media is gone', () => ended);
      assert.equal((await pending.done).interrupted, true);
      await media.close(); // still resolves
      await waitFor('a replacement worker', () => fragile.restarts === 1, 5000);
      assert.deepEqual(fragile.sessionsPerWorker, [0]);
      const again = await fragile.allocatePorts();
      const next = fragile.openMedia(again, mediaTo(9));
      await sleep(200);
      assert.ok((await (next as RemoteMediaSession).stats())!.packetsSent > 0, 'the new worker sends');
      await next.close();
    } finally {
      await fragile.close();
    }
  });
});
