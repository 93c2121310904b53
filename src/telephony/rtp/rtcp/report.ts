import type { ReceiverStatistics } from './receiver-stats.ts';
import type { ReportClock, SenderStatistics } from './sender-stats.ts';
import { SDES_CNAME, type RtcpPacket } from './types.ts';

/**
 * Fixed report interval. RFC 3550 §6.2 scales the interval with session size and bandwidth,
 * but a phone call has two participants and one audio stream, for which the computed value is
 * its 5 s minimum anyway; we keep the ±50% randomisation (§6.3.1) so reports of many calls
 * started together do not synchronise.
 */
export const RTCP_INTERVAL_MS = 5000;

export function nextReportDelayMs(random: () => number = Math.random): number {
  return RTCP_INTERVAL_MS * (0.5 + random());
}

export interface ReportInput {
  ssrc: number;
  cname: string;
  sender?: SenderStatistics;
  receivers: ReceiverStatistics[];
  now: ReportClock;
}

/**
 * The compound packet to send now (§6.1): SR when we have sent media, else RR, with one
 * report block per source heard from (at most 31), then SDES with our CNAME.
 */
export function buildReport(input: ReportInput): RtcpPacket[] {
  const reports = input.receivers
    .map((receiver) => receiver.reportBlock(input.now.monotonicMs))
    .filter((block) => block !== undefined)
    .slice(0, 31);
  const first: RtcpPacket =
    input.sender?.hasSent === true
      ? input.sender.senderReport(input.now, reports)
      : { type: 'rr', ssrc: input.ssrc >>> 0, reports };
  return [first, { type: 'sdes', chunks: [{ ssrc: input.ssrc >>> 0, items: [{ type: SDES_CNAME, value: input.cname }] }] }];
}

/** A BYE compound packet for leaving the session (§6.6): it still starts with a report. */
export function buildBye(input: ReportInput, reason?: string): RtcpPacket[] {
  return [...buildReport(input), { type: 'bye', ssrcs: [input.ssrc >>> 0], ...(reason ? { reason } : {}) }];
}
