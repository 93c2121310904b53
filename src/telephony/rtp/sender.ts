/**
 * Outgoing RTP stream state for one SSRC: sequence numbers, media timestamps and the marker
 * bit. It builds packets; pacing (when to send them) belongs to the caller's clock.
 *
 * RFC 3550 §5.1: SSRC, initial sequence number and initial timestamp are random, so that
 * known-plaintext attacks on SRTP are harder and restarted senders are distinguishable.
 * The marker is set on the first packet of a talkspurt (RFC 3551 §4.1): the first packet
 * of the stream and the first after `pause()`.
 */
import { randomBytes } from 'node:crypto';
import type { RtpPacket } from './packet.ts';
import { seqNext, timestampNext } from './sequence.ts';

export interface RtpSenderOptions {
  payloadType: number;
  /** Media samples per frame: 160 for 20 ms at 8 kHz. */
  samplesPerFrame?: number;
  /** 32 random bits; injectable so tests are deterministic. */
  random32?: () => number;
  /** Fixed SSRC (e.g. kept across a re-INVITE); otherwise random. */
  ssrc?: number;
}

const defaultRandom32 = (): number => randomBytes(4).readUInt32BE(0);

export class RtpSender {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly samplesPerFrame: number;
  private seq: number;
  private ts: number;
  private talkspurtStart = true;
  private sentPackets = 0;
  private sentOctets = 0;

  constructor(options: RtpSenderOptions) {
    const random32 = options.random32 ?? defaultRandom32;
    this.payloadType = options.payloadType;
    this.samplesPerFrame = options.samplesPerFrame ?? 160;
    this.ssrc = (options.ssrc ?? random32()) >>> 0;
    this.seq = random32() & 0xffff;
    this.ts = random32() >>> 0;
  }

  /** Packet for the next audio frame; the timestamp then advances by one frame. */
  audio(payload: Uint8Array): RtpPacket {
    const packet = this.build(this.payloadType, payload, this.ts, this.talkspurtStart);
    this.talkspurtStart = false;
    this.ts = timestampNext(this.ts, this.samplesPerFrame);
    return packet;
  }

  /**
   * Silence suppression: `frames` frames are not sent. The timestamp keeps counting media
   * time (so the receiver can place the next talkspurt) while the sequence number does not
   * (so the receiver does not see loss). The next audio packet carries the marker.
   */
  pause(frames = 0): void {
    this.ts = timestampNext(this.ts, frames * this.samplesPerFrame);
    this.talkspurtStart = true;
  }

  /**
   * A packet of another payload type in the same stream (RFC 4733 events): shares the
   * sequence space and SSRC, with a caller-chosen timestamp and marker; media time does not move.
   */
  event(payloadType: number, payload: Uint8Array, timestamp: number, marker: boolean): RtpPacket {
    return this.build(payloadType, payload, timestamp >>> 0, marker);
  }

  /** Advances media time without sending (e.g. while event packets replaced audio). */
  skip(samples: number): void {
    this.ts = timestampNext(this.ts, samples);
  }

  /** Timestamp the next audio packet will carry. */
  get nextTimestamp(): number {
    return this.ts;
  }

  get nextSequenceNumber(): number {
    return this.seq;
  }

  /** For RTCP sender reports. */
  get stats(): { packets: number; octets: number } {
    return { packets: this.sentPackets, octets: this.sentOctets };
  }

  private build(payloadType: number, payload: Uint8Array, timestamp: number, marker: boolean): RtpPacket {
    const packet: RtpPacket = {
      payloadType,
      sequenceNumber: this.seq,
      timestamp,
      ssrc: this.ssrc,
      marker,
      csrcs: [],
      payload,
      paddingLength: 0,
    };
    this.seq = seqNext(this.seq);
    this.sentPackets = (this.sentPackets + 1) >>> 0;
    this.sentOctets = (this.sentOctets + payload.length) >>> 0;
    return packet;
  }
}
