import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createMetrics } from '../lib/metrics.ts';
import { MediaClock } from '../telephony/media/media-clock.ts';
import { RtpSession } from '../telephony/media/rtp-session.ts';
import { mediaTo, sessionPair, sleep, testAllocator, waitFor } from '../telephony/media/test-support.ts';
import { serializeRtpPacket } from '../telephony/rtp/index.ts';
import { RtpMetricsFeed } from './rtp-metrics-feed.ts';

// Real RTP sessions on loopback sockets, the real registry, read the way Prometheus reads it.

const allocator = testAllocator(20);
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

async function scrape(metrics: ReturnType<typeof createMetrics>) {
  const families = parsePrometheusTextFormat(await metrics.registry.metrics());
  const value = (name: string) => Number(families.find((f) => f.name === name)?.metrics[0]?.value);
  const jitter = families.find((f) => f.name === 'habla_rtp_send_jitter_seconds') as
    | { type: string; metrics: { buckets: Record<string, string>; count: string; sum: string }[] }
    | undefined;
  return {
    sent: value('habla_rtp_packets_sent_total'),
    received: value('habla_rtp_packets_received_total'),
    lost: value('habla_rtp_packets_lost_total'),
    active: value('habla_rtp_sessions_active'),
    started: value('habla_rtp_sessions_total'),
    jitterType: jitter?.type,
    buckets: Object.fromEntries(Object.entries(jitter?.metrics[0]?.buckets ?? {}).map(([le, n]) => [le, Number(n)])),
    jitterCount: Number(jitter?.metrics[0]?.count),
    jitterSum: Number(jitter?.metrics[0]?.sum),
  };
}

test('live sessions are folded in at every scrape, and once more when the call ends', async () => {
  const metrics = createMetrics({ processMetrics: false });
  const feed = new RtpMetricsFeed(metrics.rtp);
  const pair = await sessionPair(allocator);
  closers.push(() => pair.close());
  const untrack = feed.track(pair.a);
  assert.equal((await scrape(metrics)).active, 1);

  await waitFor('a few packets each way', () => pair.a.stats().packetsReceived >= 5, 3000);
  const first = await scrape(metrics);
  assert.ok(first.sent >= 5, `sent ${first.sent}`);
  assert.ok(first.received >= 5, `received ${first.received}`);
  assert.equal(first.lost, 0);
  assert.equal(first.started, 1);
  // Every packet sent has its send jitter in the histogram; buckets are cumulative.
  assert.equal(first.jitterType, 'HISTOGRAM');
  assert.equal(first.jitterCount, first.sent);
  assert.equal(first.buckets['+Inf'], first.jitterCount);
  const les = Object.keys(first.buckets).filter((le) => le !== '+Inf').sort((x, y) => Number(x) - Number(y));
  assert.equal(les[0], '0.0005');
  assert.equal(les.at(-1), '0.05');
  for (let i = 1; i < les.length; i++) assert.ok(first.buckets[les[i]!]! >= first.buckets[les[i - 1]!]!);
  assert.ok(first.jitterSum >= 0 && first.jitterSum < first.jitterCount * 0.1);

  // Live: the counters move between scrapes while the call lasts.
  await sleep(120);
  const second = await scrape(metrics);
  assert.ok(second.sent > first.sent, `${second.sent} > ${first.sent}`);
  assert.ok(second.jitterCount > first.jitterCount);

  // The call ends: its last packets are folded, then it no longer counts.
  await sleep(60);
  const statsAtEnd = pair.a.stats();
  untrack();
  const ended = await scrape(metrics);
  assert.equal(ended.active, 0);
  assert.ok(ended.sent >= statsAtEnd.packetsSent);
  await sleep(60);
  assert.equal((await scrape(metrics)).sent, ended.sent, 'an untracked session is no longer read');
  untrack(); // idempotent
  assert.equal((await scrape(metrics)).started, 1);
});

test("the callers' lost packets are counted from sequence gaps", async () => {
  const metrics = createMetrics({ processMetrics: false });
  const feed = new RtpMetricsFeed(metrics.rtp);
  const peer = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
  const clock = new MediaClock();
  const session = new RtpSession({ sockets: await allocator.allocate(), clock, media: mediaTo(peer.address().port) });
  closers.push(async () => {
    await session.close();
    clock.stop();
    peer.close();
  });
  feed.track(session);
  // Sequence 1, 2, 3, then 6: packets 4 and 5 never arrive.
  for (const seq of [1, 2, 3, 6]) {
    const packet = serializeRtpPacket({
      payloadType: 8, sequenceNumber: seq, timestamp: seq * 160, ssrc: 0x1234, marker: false, csrcs: [],
      payload: new Uint8Array(160).fill(0xd5), paddingLength: 0,
    });
    peer.send(packet, session.localPort, '127.0.0.1');
  }
  await waitFor('the four packets', () => session.stats().packetsReceived === 4);
  const figures = await scrape(metrics);
  assert.equal(figures.received, 4);
  assert.equal(figures.lost, 2);
});
