/** Public types of the RTP media shell (see README.md). */
import type dgram from 'node:dgram';
import type { JitterBufferOptions } from '../rtp/index.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import type { MediaClock } from './media-clock.ts';

/** A bound RTP/RTCP port pair (P even, P+1). The RtpSession that uses it closes it. */
export interface RtpSockets {
  port: number;
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  /** Closes both sockets; idempotent. */
  close(): Promise<void>;
}

export interface MediaLogger {
  warn(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
}

export interface RtpSessionOptions {
  sockets: RtpSockets;
  clock: MediaClock;
  media: NegotiatedMedia;
  /** No RTP or RTCP for this long → onMediaTimeout. Default 30000; 0 disables the check. */
  mediaTimeoutMs?: number;
  logger?: MediaLogger;
  /** Mean RTCP report interval; default 5000 (RFC 3550). Shorter only for tests and tooling. */
  rtcpIntervalMs?: number;
  /** Receive jitter buffer tuning; default 3 frames (60 ms) deep. */
  jitterBuffer?: JitterBufferOptions;
}

export interface PlayoutResult {
  /** Agent audio actually sent, in ms of the original PCM (padding not counted). */
  playedMs: number;
  interrupted: boolean;
}

export interface PlayoutHandle {
  readonly id: number;
  readonly done: Promise<PlayoutResult>;
}

/** One 20 ms tick: 160 samples of 8 kHz PCM each, or null for nothing. */
export interface MediaTick {
  /** Caller frame played out of the jitter buffer this tick (concealed on loss; null while buffering). */
  caller: Int16Array | null;
  /** Agent frame sent this tick (null when only silence or DTMF events went out, or nothing was sent). */
  agent: Int16Array | null;
}

export interface DtmfSendOptions {
  /** Tone length per digit; default 100 ms, 40–8000. */
  durationMs?: number;
  /** Silence after each digit; default max(60, durationMs). */
  gapMs?: number;
}

export interface RtpSessionStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  /** Network loss of the peer's stream (RFC 3550 A.1 accounting). */
  packetsLost: number;
  /** Interarrival jitter of the peer's stream (RFC 3550 §6.4.1). */
  jitterMs: number;
  /** Actual send time minus ideal time (start + n × 20 ms), from a bounded histogram. */
  sendJitterP50Ms?: number;
  sendJitterP99Ms?: number;
  sendJitterMaxMs?: number;
  /** Frames concealed because their packet never arrived in time. */
  framesConcealed: number;
  packetsLate: number;
  jitterBufferUnderruns: number;
  /** Packets dropped: unparseable, unnegotiated payload type, wrong source, SRTP refusals. */
  malformedPackets: number;
  unknownPayloadType: number;
  wrongSource: number;
  srtpFailures: number;
  sendErrors: number;
  rtcpSent: number;
  rtcpReceived: number;
  dtmfReceived: number;
  /** Round trip from the peer's RTCP report blocks (LSR/DLSR), when it sent any. */
  rttMs?: number;
  /** Cumulative loss of our stream as the peer reported it. */
  remotePacketsLost?: number;
  /** Where we send RTP now (after latching). */
  remote: { host: string; port: number; latched: boolean };
}

/**
 * One call's media as the engine and the voice application drive it. RtpSession implements it
 * in-process; a media worker's session proxy (worker/) implements it across threads.
 */
export interface CallMedia {
  readonly localPort: number;
  update(media: NegotiatedMedia): void;
  play(pcm: Int16Array): PlayoutHandle;
  clearPlayout(): void;
  sendDtmf(digits: string, opts?: DtmfSendOptions): Promise<void>;
  onTick(listener: (tick: MediaTick) => void): void;
  onAudio(listener: (pcm: Int16Array) => void): void;
  onDtmf(listener: (digit: string) => void): void;
  onMediaTimeout(listener: () => void): void;
  /** Counters for the metrics feed: cheap to read, up to a second old across threads. */
  readonly packetCounts: { sent: number; received: number; lost: number };
  readonly sendJitter: { readonly count: number; readonly sumMs: number; countBelow(edgesMs: readonly number[]): number[] };
  close(): Promise<void>;
}

/** The ports a call's media will use, bound before the SDP is written. */
export interface CallMediaPorts {
  readonly port: number;
  close(): Promise<void>;
}
