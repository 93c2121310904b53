/** RTCP packet model (RFC 3550 §6.4–§6.6). Numbers are unsigned 32-bit unless noted. */

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** SDES item types (RFC 3550 §6.5). */
export const SDES_CNAME = 1;

export interface ReportBlock {
  ssrc: number;
  /** Fraction of packets lost since the previous report, as a fixed-point fraction × 256. */
  fractionLost: number;
  /** Cumulative packets lost; signed 24-bit (duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received: cycles << 16 | max seq. */
  highestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source, or 0. */
  lastSr: number;
  /** Delay since that SR was received, in 1/65536 s, or 0. */
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface SdesItem {
  type: number;
  value: string;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: ReportBlock[] }
  | { type: 'sdes'; chunks: SdesChunk[] }
  | { type: 'bye'; ssrcs: number[]; reason?: string }
  /** APP, XR, feedback...: kept whole so a relay or a log can still see them. */
  | { type: 'other'; packetType: number; count: number; body: Buffer };

export type RtcpResult<T> = { ok: true; value: T } | { ok: false; error: string };
