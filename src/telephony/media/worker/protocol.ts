/**
 * The messages between the main thread and a media worker. Sessions are named by a number the
 * main thread picks; requests that need an answer carry a `req` number. Audio crosses as one
 * transferred buffer per clock tick for all of a worker's sessions, not a message per frame:
 * 300 calls would otherwise be 15,000 messages a second each way.
 */
import type { NegotiatedMedia } from '../../sdp/index.ts';
import type { HistogramSnapshot } from '../latency-histogram.ts';
import type { DtmfSendOptions, RtpSessionStats } from '../types.ts';

/**
 * `realtime`: SCHED_FIFO (falls back to `high`); `high`: nice -10 (falls back to normal);
 * `normal`: as the rest of the process.
 */
export type MediaPriority = 'realtime' | 'high' | 'normal';

export interface MediaWorkerData {
  /** Address the RTP sockets bind to. */
  host: string;
  mediaTimeoutMs: number;
  rtcpIntervalMs?: number;
  /** How often each session's counters are sent to the main thread. */
  countersIntervalMs: number;
  /** Forward debug log lines (dropped packets…): off unless the logger wants them. */
  forwardDebug: boolean;
  /** Slots each media frame is spread over (MediaClock `phases`). */
  clockPhases: number;
  /** How the media thread is scheduled (Linux): see MediaPriority. */
  priority: MediaPriority;
}

export type ToWorker =
  | { t: 'bind'; req: number; port: number }
  | { t: 'release'; port: number }
  | { t: 'open'; id: number; port: number; media: NegotiatedMedia }
  | { t: 'update'; id: number; media: NegotiatedMedia }
  | { t: 'play'; id: number; playId: number; pcm: Int16Array }
  | { t: 'clear'; id: number }
  | { t: 'dtmf'; id: number; req: number; digits: string; opts: DtmfSendOptions }
  | { t: 'stats'; id: number; req: number }
  | { t: 'close'; id: number; req: number };

/** One session's counters; the send-jitter histogram as its non-empty 0.1 ms buckets. */
export interface SessionCounters {
  id: number;
  sent: number;
  received: number;
  lost: number;
  jitter: HistogramSnapshot;
}

/**
 * The frames of one or more clock ticks. Entry i is session `ids[i]`; its caller frame is
 * samples[i*320 … +160] when flags[i] & 1, its agent frame the next 160 when flags[i] & 2.
 * A session can appear several times (catch-up ticks after a stall), in tick order.
 */
export interface TickBatch {
  t: 'ticks';
  ids: Int32Array;
  flags: Uint8Array;
  samples: Int16Array;
}

export type FromWorker =
  | { t: 'ready' }
  | { t: 'bound'; req: number; ok: true }
  | { t: 'bound'; req: number; ok: false; code?: string; message: string }
  | TickBatch
  | { t: 'played'; id: number; playId: number; playedMs: number; interrupted: boolean }
  | { t: 'digit'; id: number; digit: string }
  | { t: 'media-timeout'; id: number }
  | { t: 'dtmf-done'; req: number; error?: { name: string; message: string } }
  | { t: 'stats'; req: number; stats: RtpSessionStats | null }
  | { t: 'counters'; sessions: SessionCounters[] }
  | { t: 'closed'; req: number; counters: SessionCounters | null }
  | { t: 'log'; level: 'warn' | 'debug'; fields: object; msg: string };

export const SAMPLES_PER_FRAME = 160;
export const FRAME_PAIR = 2 * SAMPLES_PER_FRAME;
