/**
 * The send half of a session: one call per tick turns agent audio, G.711 silence or DTMF
 * events into RTP packets on one SSRC and one sequence space, protects them and hands them
 * to the wire; it also measures how late each packet left against its ideal time.
 *
 * Audio packets are built with `RtpSender.event()` + `skip()` rather than `audio()`: the
 * payload type can change on a re-INVITE while the SSRC, sequence numbers and timestamps
 * must continue, and the marker rule is ours (below).
 *
 * Marker bit (RFC 3551 §4.1): we send continuously (silence included), so a talkspurt
 * begins only where packets stopped: the first packet, after a hold or a DTMF event, after
 * a clock stall whose ticks were skipped, and after the peer's address changed.
 */
import { g711 } from '../codecs/index.ts';
import { serializeRtpPacket, type RtpPacket, type RtpSender } from '../rtp/index.ts';
import type { SenderStatistics } from '../rtp/rtcp/index.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import type { DtmfStep } from './dtmf-lane.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { SAMPLES_PER_FRAME } from './playout-queue.ts';
import type { SrtpTransform } from './srtp-transform.ts';

export interface OutgoingMediaOptions {
  media: NegotiatedMedia;
  sender: RtpSender;
  senderStats: SenderStatistics;
  transform: SrtpTransform;
  /** Puts a finished packet on the wire (to the current destination). */
  send: (datagram: Uint8Array) => void;
  now: () => number;
}

export class OutgoingMedia {
  private media: NegotiatedMedia;
  private silence: Uint8Array;
  private encodeG711: (pcm: Int16Array, out?: Uint8Array) => Uint8Array;
  private readonly payload = new Uint8Array(SAMPLES_PER_FRAME); // reused: serialisation copies it
  private markNext = true;
  private eventTimestamp = 0;
  readonly sendJitter = new LatencyHistogram();
  readonly counters = { packetsSent: 0, bytesSent: 0, srtpFailures: 0 };

  constructor(private readonly opts: OutgoingMediaOptions) {
    this.media = opts.media;
    this.silence = silenceFor(opts.media);
    this.encodeG711 = g711(opts.media.codec).encode;
  }

  update(media: NegotiatedMedia): void {
    if (media.codec !== this.media.codec) {
      this.silence = silenceFor(media);
      this.encodeG711 = g711(media.codec).encode;
    }
    this.media = media;
  }

  /** The next audio packet starts a talkspurt (sending resumes after a gap). */
  markTalkspurt(): void {
    this.markNext = true;
  }

  /** One 20 ms audio frame (null = silence). */
  audio(pcm: Int16Array | null, tickNow: number): void {
    const payload = pcm ? this.encodeG711(pcm, this.payload) : this.silence;
    const sender = this.opts.sender;
    const packet = sender.event(this.media.payloadType, payload, sender.nextTimestamp, this.markNext);
    this.markNext = false;
    sender.skip(SAMPLES_PER_FRAME);
    this.transmit(packet, tickNow);
  }

  /** This tick's RFC 4733 packets; they all carry the event's start timestamp. */
  events(step: Extract<DtmfStep, { kind: 'event' }>, tickNow: number): void {
    const pt = this.media.dtmfPayloadType;
    if (pt === null) return this.audio(null, tickNow); // re-INVITE dropped telephone-event
    const sender = this.opts.sender;
    if (step.eventStart) this.eventTimestamp = sender.nextTimestamp;
    for (const p of step.packets) this.transmit(sender.event(pt, p.payload, this.eventTimestamp, p.marker), tickNow);
    sender.skip(SAMPLES_PER_FRAME);
    this.markNext = true;
  }

  /** Not sending this tick (hold, recvonly): media time still advances. */
  idle(frames = 1): void {
    this.opts.sender.skip(frames * SAMPLES_PER_FRAME);
    this.markNext = true;
  }

  private transmit(packet: RtpPacket, tickNow: number): void {
    const wire = this.opts.transform.protectRtp(serializeRtpPacket(packet));
    if (!wire.ok) {
      this.counters.srtpFailures++;
      return;
    }
    const now = this.opts.now();
    this.opts.send(wire.value);
    this.sendJitter.record(now - tickNow);
    this.counters.packetsSent++;
    this.counters.bytesSent += wire.value.length;
    this.opts.senderStats.onPacketSent(this.opts.sender.nextTimestamp, packet.payload.length, now);
  }
}

function silenceFor(media: NegotiatedMedia): Uint8Array {
  return new Uint8Array(SAMPLES_PER_FRAME).fill(g711(media.codec).silence);
}
