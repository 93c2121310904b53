/**
 * Outgoing DTMF as a per-tick schedule. With a negotiated telephone-event payload type each
 * digit becomes RFC 4733 event packets (`digitPackets`, grouped by the 20 ms tick they are
 * due in); without one, in-band dual tones (ITU-T Q.23 frequencies) sent as ordinary audio.
 * After each digit a gap of silence, so the far end's detector sees separate presses.
 * Sans-I/O: the session takes one step per tick while the lane is busy; audio playout waits.
 */
import { digitPackets, digitToEvent, type TelephoneEventPacket } from '../rtp/index.ts';
import { SAMPLES_PER_FRAME } from './playout-queue.ts';

const FRAME_MS = 20;
const MIN_DURATION_MS = 40; // Q.24: shorter tones are not reliably detected
const MAX_DURATION_MS = 8000; // RFC 4733 duration is 16 bits of 8 kHz samples

export type DtmfStep =
  /** RFC 4733 packets due this tick; `eventStart` fixes the event's RTP timestamp. */
  | { kind: 'event'; eventStart: boolean; packets: TelephoneEventPacket[] }
  /** In-band tone audio for this tick. */
  | { kind: 'tone'; pcm: Int16Array }
  /** Inter-digit silence. */
  | { kind: 'gap' };

interface Job {
  steps: DtmfStep[];
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface DtmfPlan {
  digits: string;
  durationMs: number;
  gapMs: number;
  /** RFC 4733 when true, in-band tones when false. */
  events: boolean;
}

/** Validates the request; returns the reason when it cannot be sent. */
export function checkDtmfRequest(digits: string, durationMs: number, gapMs: number): string | undefined {
  for (const d of digits) if (digitToEvent(d) === undefined) return `not a DTMF digit: ${JSON.stringify(d)}`;
  if (!(durationMs >= MIN_DURATION_MS && durationMs <= MAX_DURATION_MS)) {
    return `DTMF duration must be ${MIN_DURATION_MS}-${MAX_DURATION_MS} ms`;
  }
  if (!(gapMs >= 0 && gapMs <= MAX_DURATION_MS)) return `DTMF gap must be 0-${MAX_DURATION_MS} ms`;
  return undefined;
}

export class DtmfLane {
  private readonly jobs: Job[] = [];
  private cursor = 0; // next step of jobs[0]

  /** Queues digits (already validated); the promise settles when they have all been sent. */
  enqueue(plan: DtmfPlan): Promise<void> {
    const steps: DtmfStep[] = [];
    for (const digit of plan.digits) {
      steps.push(...(plan.events ? eventSteps(digit, plan.durationMs) : toneSteps(digit, plan.durationMs)));
      for (let i = 0; i < Math.ceil(plan.gapMs / FRAME_MS); i++) steps.push({ kind: 'gap' });
    }
    if (steps.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.jobs.push({ steps, resolve, reject }));
  }

  get busy(): boolean {
    return this.jobs.length > 0;
  }

  /** This tick's step, or null when idle. Settles a job as its last step is taken. */
  next(): DtmfStep | null {
    const job = this.jobs[0];
    if (!job) return null;
    const step = job.steps[this.cursor++];
    if (this.cursor >= job.steps.length) {
      this.jobs.shift();
      this.cursor = 0;
      job.resolve();
    }
    return step;
  }

  /** Abandons everything queued (session closing). */
  cancel(error: Error): void {
    for (const job of this.jobs.splice(0)) job.reject(error);
    this.cursor = 0;
  }
}

function eventSteps(digit: string, durationMs: number): DtmfStep[] {
  const byTick: TelephoneEventPacket[][] = [];
  for (const packet of digitPackets(digit, { durationMs, packetIntervalMs: FRAME_MS })) {
    (byTick[Math.floor(packet.atMs / FRAME_MS)] ??= []).push(packet);
  }
  return Array.from(byTick, (packets, i) => ({ kind: 'event' as const, eventStart: i === 0, packets: packets ?? [] }));
}

const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];
const TONE_AMPLITUDE = 0.3 * 32767; // each tone about -7 dBm0: well inside detector range, no clipping

/** Dual-tone frames for one digit, phase-continuous across frames. */
export function toneSteps(digit: string, durationMs: number): DtmfStep[] {
  const row = KEYPAD.findIndex((keys) => keys.includes(digit.toUpperCase()));
  const low = ROWS[row];
  const high = COLUMNS[KEYPAD[row].indexOf(digit.toUpperCase())];
  const samples = Math.round((durationMs * 8000) / 1000);
  const frames = Math.ceil(samples / SAMPLES_PER_FRAME);
  const steps: DtmfStep[] = [];
  for (let f = 0; f < frames; f++) {
    const pcm = new Int16Array(SAMPLES_PER_FRAME);
    for (let i = 0; i < SAMPLES_PER_FRAME; i++) {
      const n = f * SAMPLES_PER_FRAME + i;
      if (n >= samples) break;
      const t = n / 8000;
      pcm[i] = Math.round(TONE_AMPLITUDE * (Math.sin(2 * Math.PI * low * t) + Math.sin(2 * Math.PI * high * t)));
    }
    steps.push({ kind: 'tone', pcm });
  }
  return steps;
}
