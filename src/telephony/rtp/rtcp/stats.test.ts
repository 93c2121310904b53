import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SrtpContext } from '../srtp/srtp-context.ts';
import { generateMasterKey } from '../srtp/sdes.ts';
import { ntpFromUnixMs, ntpMiddle32 } from './ntp.ts';
import { parseRtcp } from './parse.ts';
import { ReceiverStatistics } from './receiver-stats.ts';
import { buildBye, buildReport, nextReportDelayMs } from './report.ts';
import { SenderStatistics } from './sender-stats.ts';
import { serializeRtcp } from './serialize.ts';

const PCMU = 8000;

/** Feeds 20 ms packets in order, skipping `lost`, arriving exactly on time. */
function feed(stats: ReceiverStatistics, seqs: number[], lost: Set<number> = new Set()): void {
  for (const [n, seq] of seqs.entries()) {
    if (!lost.has(seq)) stats.onPacket(seq, n * 160, 1000 + n * 20);
  }
}

test('fraction lost per interval and cumulative lost (RFC 3550 A.3)', () => {
  const stats = new ReceiverStatistics(0xabc, PCMU);
  assert.equal(stats.reportBlock(0), undefined, 'no block before any packet');
  const seqs = Array.from({ length: 100 }, (_, i) => 1000 + i);
  feed(stats, seqs, new Set([1010, 1011, 1050, 1090]));
  const first = stats.reportBlock(3000);
  assert.ok(first);
  assert.equal(first.ssrc, 0xabc);
  assert.equal(first.cumulativeLost, 4);
  assert.equal(first.fractionLost, Math.floor((4 * 256) / 100)); // 10
  assert.equal(first.highestSeq, 1099);
  for (let seq = 1100; seq < 1150; seq++) stats.onPacket(seq, (seq - 1000) * 160, 1000 + (seq - 1000) * 20);
  const second = stats.reportBlock(4000);
  assert.equal(second?.fractionLost, 0, 'no loss in the second interval');
  assert.equal(second?.cumulativeLost, 4, 'cumulative keeps the earlier loss');
});

test('duplicates make cumulative lost negative and fraction zero', () => {
  const stats = new ReceiverStatistics(1, PCMU);
  feed(stats, [1, 2, 3, 3, 3]);
  const block = stats.reportBlock(0);
  assert.equal(block?.cumulativeLost, -2);
  assert.equal(block?.fractionLost, 0);
});

test('extended highest sequence counts wraps (65535 → 0)', () => {
  const stats = new ReceiverStatistics(1, PCMU);
  feed(stats, [65533, 65534, 65535, 0, 1, 2]);
  const block = stats.reportBlock(0);
  assert.equal(block?.highestSeq, 0x10002);
  assert.equal(block?.cumulativeLost, 0);
  stats.onPacket(65535, 0, 2000); // late duplicate from before the wrap: counted, max unchanged
  assert.equal(stats.reportBlock(0)?.highestSeq, 0x10002);
});

test('a sender restart (big jump, then in sequence) resynchronises; a lone stray packet is ignored', () => {
  const stats = new ReceiverStatistics(1, PCMU);
  feed(stats, [10, 11, 12]);
  assert.equal(stats.onPacket(40000, 0, 100), false, 'first packet after a big jump is held as suspect');
  assert.equal(stats.reportBlock(0)?.highestSeq, 12);
  assert.equal(stats.onPacket(40001, 160, 120), true, 'the next one in sequence confirms the restart');
  const block = stats.reportBlock(0);
  assert.equal(block?.highestSeq, 40001);
  assert.equal(block?.cumulativeLost, 0);
});

test('interarrival jitter follows J += (|D| - J)/16 (RFC 3550 A.8)', () => {
  const stats = new ReceiverStatistics(1, PCMU);
  stats.onPacket(0, 0, 0);
  stats.onPacket(1, 160, 20);
  assert.equal(stats.reportBlock(0)?.jitter, 0, 'perfectly paced: no jitter');
  stats.onPacket(2, 320, 50); // 10 ms late = 80 timestamp units: D = 80, J = 5
  assert.equal(stats.reportBlock(0)?.jitter, 5);
  stats.onPacket(3, 480, 60); // back on time: D = 80 again, J = 5 + 75/16 = 9.6875
  assert.equal(stats.reportBlock(0)?.jitter, 9);
  // Jitter keeps its meaning across an RTP timestamp wrap.
  const wrap = new ReceiverStatistics(2, PCMU);
  wrap.onPacket(0, 0xffffff60, 0);
  wrap.onPacket(1, 0x00000000, 20);
  assert.equal(wrap.reportBlock(0)?.jitter, 0);
});

test('LSR and DLSR come from the last sender report', () => {
  const stats = new ReceiverStatistics(1, PCMU);
  stats.onPacket(0, 0, 0);
  assert.deepEqual([stats.reportBlock(0)?.lastSr, stats.reportBlock(0)?.delaySinceLastSr], [0, 0]);
  stats.onSenderReport(0x12345678, 0x9abcdef0, 1000);
  const block = stats.reportBlock(1500);
  assert.equal(block?.lastSr, 0x56789abc);
  assert.equal(block?.delaySinceLastSr, 32768, '0.5 s in 1/65536 s units');
});

test('NTP conversion from Unix milliseconds', () => {
  const ntp = ntpFromUnixMs(Date.UTC(2026, 0, 1) + 500);
  assert.equal(ntp.seconds, Date.UTC(2026, 0, 1) / 1000 + 2_208_988_800);
  assert.equal(ntp.fraction, 2 ** 31);
  assert.equal(ntpMiddle32(0x0001abcd, 0x80000000), 0xabcd8000);
});

test('sender report: counts and an NTP/RTP pair for the same instant from the injected clock', () => {
  const sender = new SenderStatistics(0x5150, PCMU);
  assert.equal(sender.hasSent, false);
  for (let n = 0; n < 4; n++) sender.onPacketSent(1000 + n * 160, 160, 5000 + n * 20);
  const wallClockMs = Date.UTC(2026, 5, 1, 12);
  const report = sender.senderReport({ wallClockMs, monotonicMs: 5000 + 3 * 20 + 10 });
  assert.equal(report.sender.packetCount, 4);
  assert.equal(report.sender.octetCount, 640);
  assert.equal(report.sender.rtpTimestamp, 1000 + 3 * 160 + 80, 'last timestamp plus 10 ms at 8 kHz');
  assert.deepEqual([report.sender.ntpSeconds, report.sender.ntpFraction], Object.values(ntpFromUnixMs(wallClockMs)));
});

test('the compound report: RR + CNAME before sending, SR after; survives serialize → SRTCP → parse', () => {
  const receiver = new ReceiverStatistics(0x77, PCMU);
  feed(receiver, [1, 2, 4]);
  const sender = new SenderStatistics(0x5150, PCMU);
  const input = { ssrc: 0x5150, cname: 'habla-call-1', sender, receivers: [receiver], now: { wallClockMs: 1.7e12, monotonicMs: 2000 } };
  const before = buildReport(input);
  assert.equal(before[0].type, 'rr');
  assert.deepEqual(before[1], { type: 'sdes', chunks: [{ ssrc: 0x5150, items: [{ type: 1, value: 'habla-call-1' }] }] });
  sender.onPacketSent(160, 160, 1980);
  const after = buildBye(input, 'hangup');
  assert.deepEqual(after.map((packet) => packet.type), ['sr', 'sdes', 'bye']);
  const key = generateMasterKey();
  const wire = new SrtpContext(key).protectRtcp(serializeRtcp(after));
  assert.ok(wire.ok);
  const clear = new SrtpContext(key).unprotectRtcp(wire.value);
  assert.ok(clear.ok);
  const parsed = parseRtcp(clear.value);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, after);
  assert.equal(parsed.value[0].type === 'sr' && parsed.value[0].reports[0].cumulativeLost, 1);
});

test('report interval: 5 s randomised over [2.5, 7.5) s', () => {
  assert.equal(nextReportDelayMs(() => 0), 2500);
  assert.equal(nextReportDelayMs(() => 0.5), 5000);
  const delay = nextReportDelayMs();
  assert.ok(delay >= 2500 && delay < 7500);
});
