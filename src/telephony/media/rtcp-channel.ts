/**
 * RTCP for one session (RFC 3550 §6): a compound SR/RR + SDES about every 5 s, checked on
 * the media clock's ticks instead of a timer of its own; incoming reports feed round-trip time and the peer's view
 * of our loss. A BYE goes out on close. Sans-I/O apart from the `send` callback.
 */
import { randomBytes } from 'node:crypto';
import {
  buildBye,
  buildReport,
  RTCP_INTERVAL_MS,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  ReceiverStatistics,
  SenderStatistics,
  serializeRtcp,
  type RtcpPacket,
} from '../rtp/rtcp/index.ts';
import type { SrtpTransform } from './srtp-transform.ts';

export interface RtcpChannelOptions {
  ssrc: number;
  clockRate: number;
  transform: SrtpTransform;
  /** Puts a finished (already protected) compound packet on the wire. */
  send: (datagram: Uint8Array) => void;
  /** Mean report interval; default 5 s (RFC 3550's minimum, which a two-party call always gets). */
  intervalMs?: number;
  wallClockMs?: () => number;
}

export type RtcpVerdict = { ok: true; packets: RtcpPacket[] } | { ok: false; reason: 'srtcp' | 'malformed' };

export class RtcpChannel {
  readonly sender: SenderStatistics;
  private receiver: ReceiverStatistics | undefined;
  private readonly cname = randomBytes(12).toString('base64url'); // RFC 7022: random per session
  private readonly wallClockMs: () => number;
  private nextReportAt: number | undefined;
  private sent = 0;
  private received = 0;
  private rtt: number | undefined;
  private remoteLost: number | undefined;

  constructor(private readonly opts: RtcpChannelOptions) {
    this.sender = new SenderStatistics(opts.ssrc, opts.clockRate);
    this.wallClockMs = opts.wallClockMs ?? Date.now;
  }

  /** Every RTP packet accepted from the peer (after SRTP and validity checks). */
  onRtpReceived(ssrc: number, seq: number, timestamp: number, arrivalMs: number): void {
    if (this.receiver?.ssrc !== ssrc >>> 0) this.receiver = new ReceiverStatistics(ssrc, this.opts.clockRate);
    this.receiver.onPacket(seq, timestamp, arrivalMs);
  }

  /** Called once per tick; sends a report when one is due. */
  onTick(nowMs: number): void {
    // §6.2: the first report comes after half an interval, so a short call still gets one.
    if (this.nextReportAt === undefined) this.nextReportAt = nowMs + this.delayMs() / 2;
    if (nowMs < this.nextReportAt) return;
    this.nextReportAt = nowMs + this.delayMs();
    this.emit(buildReport(this.reportInput(nowMs)));
  }

  /** The RTCP BYE to send as the session closes (undefined if it cannot be protected). */
  byePacket(nowMs: number): Uint8Array | undefined {
    return this.protect(buildBye(this.reportInput(nowMs)));
  }

  /** Handles one datagram from the peer; `ok` means it was authentic, parseable RTCP. */
  receive(datagram: Uint8Array, arrivalMs: number): RtcpVerdict {
    const clear = this.opts.transform.unprotectRtcp(datagram);
    if (!clear.ok) return { ok: false, reason: 'srtcp' };
    const parsed = parseRtcp(clear.value);
    if (!parsed.ok) return { ok: false, reason: 'malformed' };
    this.received++;
    for (const packet of parsed.value) this.absorb(packet, arrivalMs);
    return { ok: true, packets: parsed.value };
  }

  get stats(): { rtcpSent: number; rtcpReceived: number; rttMs?: number; remotePacketsLost?: number } {
    return {
      rtcpSent: this.sent,
      rtcpReceived: this.received,
      ...(this.rtt !== undefined ? { rttMs: this.rtt } : {}),
      ...(this.remoteLost !== undefined ? { remotePacketsLost: this.remoteLost } : {}),
    };
  }

  /** §6.3.1: randomised ±50% so calls started together do not report in step. */
  private delayMs(): number {
    return (this.opts.intervalMs ?? RTCP_INTERVAL_MS) * (0.5 + Math.random());
  }

  private reportInput(nowMs: number): Parameters<typeof buildReport>[0] {
    return {
      ssrc: this.opts.ssrc,
      cname: this.cname,
      sender: this.sender,
      receivers: this.receiver ? [this.receiver] : [],
      now: { wallClockMs: this.wallClockMs(), monotonicMs: nowMs },
    };
  }

  private emit(packets: RtcpPacket[]): void {
    const datagram = this.protect(packets);
    if (datagram) this.opts.send(datagram);
  }

  private protect(packets: RtcpPacket[]): Uint8Array | undefined {
    const wire = this.opts.transform.protectRtcp(serializeRtcp(packets));
    if (!wire.ok) return undefined; // only index exhaustion, after 2^31 reports: nothing useful to do
    this.sent++;
    return wire.value;
  }

  private absorb(packet: RtcpPacket, arrivalMs: number): void {
    if (packet.type === 'sr' && this.receiver?.ssrc === packet.ssrc) {
      this.receiver.onSenderReport(packet.sender.ntpSeconds, packet.sender.ntpFraction, arrivalMs);
    }
    if (packet.type !== 'sr' && packet.type !== 'rr') return;
    for (const block of packet.reports) {
      if (block.ssrc !== this.opts.ssrc) continue;
      this.remoteLost = block.cumulativeLost;
      if (block.lastSr !== 0) this.rtt = this.roundTripMs(block.lastSr, block.delaySinceLastSr);
    }
  }

  /** RFC 3550 §6.4.1: RTT = arrival − LSR − DLSR, all in 1/65536 s of the compact NTP form. */
  private roundTripMs(lastSr: number, delaySinceLastSr: number): number {
    const now = ntpFromUnixMs(this.wallClockMs());
    const units = (ntpMiddle32(now.seconds, now.fraction) - lastSr - delaySinceLastSr) | 0;
    return units < 0 ? 0 : Math.round((units * 1000) / 65536);
  }
}
