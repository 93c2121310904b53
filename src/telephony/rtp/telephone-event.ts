/**
 * RFC 4733 telephone events (DTMF) — the 4-byte payload, a receiver that turns the packet
 * stream into one event per key press, and a sender that produces the packet sequence.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |     event     |E|R| volume    |          duration             |
 *
 * Every packet of one event carries the same RTP timestamp (the event's start); duration
 * grows with each update; the final packet has E set and is sent three times (§2.5.1.4).
 */
import { err, ok, type Result } from '../result.ts';
import { timestampDelta } from './sequence.ts';

export interface TelephoneEvent {
  /** 0–9 digits, 10 `*`, 11 `#`, 12–15 A–D, 16 flash; other codes exist (RFC 4734). */
  event: number;
  end: boolean;
  /** Power level as -dBm0, 0–63 (RFC 4733 §2.3.4). */
  volume: number;
  /** In RTP timestamp units (samples at 8 kHz). */
  duration: number;
}

const DIGITS = '0123456789*#ABCD';

export function eventToDigit(event: number): string | undefined {
  if (event === 16) return 'flash';
  return DIGITS[event];
}

export function digitToEvent(digit: string): number | undefined {
  const i = DIGITS.indexOf(digit.toUpperCase());
  return digit.length === 1 && i >= 0 ? i : undefined;
}

export function parseTelephoneEvent(payload: Uint8Array): Result<TelephoneEvent> {
  // Several events may be stacked in one packet (RFC 4733 §2.5.1.5, rare); the first is current.
  if (payload.length < 4) return err('telephone-event payload shorter than 4 bytes');
  return ok({
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: (payload[2] << 8) | payload[3],
  });
}

export function serializeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  if (!Number.isInteger(e.event) || e.event < 0 || e.event > 255) throw new RangeError('event out of range');
  if (!Number.isInteger(e.volume) || e.volume < 0 || e.volume > 63) throw new RangeError('volume out of range');
  if (!Number.isInteger(e.duration) || e.duration < 0 || e.duration > 0xffff) throw new RangeError('duration out of range');
  return Uint8Array.of(e.event, (e.end ? 0x80 : 0) | e.volume, e.duration >> 8, e.duration & 0xff);
}

export interface DtmfDigit {
  digit: string;
  event: number;
  /** RTP timestamp of the event start, which identifies it. */
  timestamp: number;
  durationMs: number;
  volume: number;
  /** True when the end packets never came and the digit was closed by a later event or flush. */
  endLost: boolean;
}

/**
 * Emits one `DtmfDigit` per key press, however many packets carried it: on the first end
 * packet, or — when all three end packets were lost — when the next event starts or the
 * caller flushes (e.g. after a media timeout). Retransmitted end packets are ignored.
 */
export class TelephoneEventReceiver {
  private current: { timestamp: number; event: number; duration: number; volume: number } | undefined;
  /** Timestamps of recently ended events, so their retransmitted end packets are dropped. */
  private readonly ended: number[] = [];

  constructor(private readonly clockRate = 8000) {}

  /** Feeds one RTP packet of the telephone-event payload type. */
  receive(packet: { timestamp: number; payload: Uint8Array }): DtmfDigit[] {
    const parsed = parseTelephoneEvent(packet.payload);
    if (!parsed.ok) return [];
    const e = parsed.value;
    const ts = packet.timestamp >>> 0;
    if (this.ended.includes(ts)) return [];
    const out: DtmfDigit[] = [];
    if (this.current && this.current.timestamp !== ts) {
      // A new event started: the previous one ended without us hearing its end. Older
      // timestamps are stray reordered packets of something we already closed.
      if (timestampDelta(this.current.timestamp, ts) < 0) return [];
      out.push(this.close(true));
    }
    if (!this.current) this.current = { timestamp: ts, event: e.event, duration: e.duration, volume: e.volume };
    this.current.duration = Math.max(this.current.duration, e.duration);
    if (e.end) out.push(this.close(false));
    return out;
  }

  /** Closes an event whose end never arrived (call it when the stream goes quiet). */
  flush(): DtmfDigit[] {
    return this.current ? [this.close(true)] : [];
  }

  private close(endLost: boolean): DtmfDigit {
    const c = this.current!;
    this.current = undefined;
    this.ended.push(c.timestamp);
    if (this.ended.length > 8) this.ended.shift();
    return {
      digit: eventToDigit(c.event) ?? `event-${c.event}`,
      event: c.event,
      timestamp: c.timestamp,
      durationMs: Math.round((c.duration / this.clockRate) * 1000),
      volume: c.volume,
      endLost,
    };
  }
}

export interface TelephoneEventPacket {
  /** Offset from the event start at which to send this packet. */
  atMs: number;
  /** Set on the first packet only (RFC 4733 §2.5.1.3). */
  marker: boolean;
  payload: Uint8Array;
}

export interface DigitOptions {
  durationMs?: number; // default 100 ms, a typical key press
  volume?: number; // default 10 (-10 dBm0)
  clockRate?: number;
  packetIntervalMs?: number; // default 20, matching the audio ptime
}

/**
 * The packets for one digit: a start packet, an update every interval with the growing
 * duration, then the final duration three times with E set (sent together at the end,
 * as most stacks do; RFC 4733 allows spacing them). All share one RTP timestamp, which
 * the caller takes from its RtpSender and passes to `RtpSender.event`.
 */
export function digitPackets(digit: string, options: DigitOptions = {}): TelephoneEventPacket[] {
  const event = digitToEvent(digit);
  if (event === undefined) throw new RangeError(`not a DTMF digit: ${digit}`);
  const durationMs = options.durationMs ?? 100;
  const volume = options.volume ?? 10;
  const clockRate = options.clockRate ?? 8000;
  const interval = options.packetIntervalMs ?? 20;
  if (!(durationMs >= interval) || (durationMs * clockRate) / 1000 > 0xffff) {
    throw new RangeError('duration must span at least one packet and fit 16 bits of samples');
  }
  const samples = (ms: number): number => Math.round((ms * clockRate) / 1000);
  const packets: TelephoneEventPacket[] = [];
  for (let at = 0; at < durationMs; at += interval) {
    const duration = samples(Math.min(at + interval, durationMs));
    packets.push({ atMs: at, marker: at === 0, payload: serializeTelephoneEvent({ event, end: false, volume, duration }) });
  }
  const end = serializeTelephoneEvent({ event, end: true, volume, duration: samples(durationMs) });
  for (let i = 0; i < 3; i++) packets.push({ atMs: durationMs, marker: false, payload: end });
  return packets;
}
