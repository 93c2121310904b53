import { ntpFromUnixMs } from './ntp.ts';
import type { ReportBlock, RtcpPacket } from './types.ts';

/** What the sender report needs to know about the present moment. */
export interface ReportClock {
  /** Wall-clock time (Unix ms) for the NTP timestamp. */
  wallClockMs: number;
  /** The same instant on the monotonic clock that paces RTP (the one given to onPacketSent). */
  monotonicMs: number;
}

/**
 * Counts what we send on one SSRC and builds sender reports (RFC 3550 §6.4.1). The RTP
 * timestamp in the SR is the last sent timestamp advanced by the time elapsed since, so the
 * NTP/RTP pair names one instant even between packets (receivers use it for lip sync and RTT).
 */
export class SenderStatistics {
  readonly ssrc: number;
  readonly #clockRate: number;
  #packets = 0;
  #octets = 0;
  #lastRtpTimestamp: number | undefined;
  #lastSentMs = 0;

  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc >>> 0;
    this.#clockRate = clockRate;
  }

  /** `payloadBytes` excludes the RTP header and padding, as the octet count does. */
  onPacketSent(rtpTimestamp: number, payloadBytes: number, monotonicMs: number): void {
    this.#packets = (this.#packets + 1) >>> 0;
    this.#octets = (this.#octets + payloadBytes) % 2 ** 32;
    this.#lastRtpTimestamp = rtpTimestamp >>> 0;
    this.#lastSentMs = monotonicMs;
  }

  get hasSent(): boolean {
    return this.#lastRtpTimestamp !== undefined;
  }

  senderReport(now: ReportClock, reports: ReportBlock[] = []): Extract<RtcpPacket, { type: 'sr' }> {
    const ntp = ntpFromUnixMs(now.wallClockMs);
    const elapsed = Math.max(0, now.monotonicMs - this.#lastSentMs);
    const rtpTimestamp =
      this.#lastRtpTimestamp === undefined ? 0 : (this.#lastRtpTimestamp + Math.round((elapsed * this.#clockRate) / 1000)) >>> 0;
    return {
      type: 'sr',
      ssrc: this.ssrc,
      sender: { ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp, packetCount: this.#packets, octetCount: this.#octets },
      reports,
    };
  }
}
