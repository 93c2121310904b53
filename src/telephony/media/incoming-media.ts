/**
 * The receive half of a session: datagram → SRTP → RTP parse → payload-type and source
 * checks → jitter buffer (audio) or telephone-event receiver (DTMF); and once per tick, the
 * next 20 ms of decoded caller audio. Peers packetising 10 or 30 ms are re-framed to 20 ms
 * here, so listeners always see 160-sample frames. Nothing here throws on input: every refusal
 * is a counted reason.
 */
import { g711, type G711Codec } from '../codecs/index.ts';
import { JitterBuffer, parseRtpPacket, SequenceTracker, TelephoneEventReceiver, type JitterBufferOptions, type RtpPacket } from '../rtp/index.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import { SAMPLES_PER_FRAME } from './playout-queue.ts';
import type { Address, LatchVerdict, RemoteEndpoint } from './remote-endpoint.ts';
import type { SrtpTransform } from './srtp-transform.ts';

export type RtpVerdict =
  | { kind: 'audio' | 'dtmf'; packet: RtpPacket; latch: LatchVerdict }
  | { kind: 'dropped'; reason: 'srtp' | 'malformed' | 'payload-type' | 'wrong-source' };

const DTMF_FLUSH_MS = 1000; // an event whose end packets were all lost is closed after this
const MAX_POPS_PER_TICK = 8; // 10 ms packets need two; anything more is a broken stream

export class IncomingMedia {
  private media: NegotiatedMedia;
  private codec: G711Codec;
  private decodeG711: (codes: Uint8Array) => Int16Array;
  private jitter: JitterBuffer;
  private tracker = new SequenceTracker();
  private trackerSsrc: number | undefined;
  private lostBefore = 0; // loss counted under earlier SSRCs
  private readonly dtmf = new TelephoneEventReceiver(8000);
  private dtmfOpenAt: number | undefined; // last packet of an event not yet ended
  private backlog: Int16Array[] = []; // decoded samples not yet handed out, for non-20 ms packets
  private backlogSamples = 0;
  private lastFrame: Int16Array | undefined;
  private lastPacketSamples = SAMPLES_PER_FRAME;
  private concealed = 0; // consecutive concealed packets
  readonly counters = { received: 0, dtmfPackets: 0, framesConcealed: 0 };

  constructor(
    media: NegotiatedMedia,
    private readonly transform: SrtpTransform,
    private readonly endpoint: RemoteEndpoint,
    private readonly jitterOptions: JitterBufferOptions = {},
  ) {
    this.media = media;
    this.codec = media.codec;
    this.decodeG711 = g711(media.codec).decode;
    this.jitter = new JitterBuffer(jitterOptions);
  }

  update(media: NegotiatedMedia): void {
    if (media.codec !== this.codec || media.payloadType !== this.media.payloadType) {
      // Frames queued under the old codec would decode to noise: start the buffer afresh.
      this.jitter = new JitterBuffer(this.jitterOptions);
      this.backlog = [];
      this.backlogSamples = 0;
      this.codec = media.codec;
      this.decodeG711 = g711(media.codec).decode;
    }
    this.media = media;
  }

  /** Classifies one datagram from the RTP port (RTCP is routed away before this). */
  receive(datagram: Uint8Array, from: Address, arrivalMs: number): RtpVerdict {
    const clear = this.transform.unprotectRtp(datagram);
    if (!clear.ok) return { kind: 'dropped', reason: clear.error.code === 'malformed' ? 'malformed' : 'srtp' };
    const parsed = parseRtpPacket(clear.value);
    if (!parsed.ok) return { kind: 'dropped', reason: 'malformed' };
    const packet = parsed.value;
    const kind = packet.payloadType === this.media.payloadType ? 'audio' : packet.payloadType === this.media.dtmfPayloadType ? 'dtmf' : undefined;
    if (!kind) return { kind: 'dropped', reason: 'payload-type' };
    const latch = this.endpoint.acceptRtp(from, this.transform.secure);
    if (latch === 'wrong-source') return { kind: 'dropped', reason: 'wrong-source' };
    this.count(packet);
    // Events go through the jitter buffer too (skipped at playout) so that the sequence
    // numbers they take are not mistaken for lost audio.
    this.jitter.push(packet, arrivalMs);
    if (kind === 'dtmf') this.counters.dtmfPackets++;
    return { kind, packet, latch };
  }

  /** Feeds a telephone-event packet; returns the digits it completed. */
  receiveDtmf(packet: RtpPacket, arrivalMs: number): string[] {
    const ended = packet.payload.length >= 4 && (packet.payload[1] & 0x80) !== 0;
    this.dtmfOpenAt = ended ? undefined : arrivalMs;
    return this.dtmf.receive(packet).map((d) => d.digit);
  }

  /** Digits whose end never came, once the event stream has been quiet for a while. */
  flushStaleDtmf(nowMs: number): string[] {
    if (this.dtmfOpenAt === undefined || nowMs - this.dtmfOpenAt < DTMF_FLUSH_MS) return [];
    this.dtmfOpenAt = undefined;
    return this.dtmf.flush().map((d) => d.digit);
  }

  /** The next 20 ms of caller audio (concealed on loss), or null while buffering. */
  nextFrame(): Int16Array | null {
    for (let pops = 0; this.backlogSamples < SAMPLES_PER_FRAME && pops < MAX_POPS_PER_TICK; pops++) {
      const result = this.jitter.pop();
      if (result.kind === 'underrun') break;
      if (result.kind === 'frame' && result.packet.payloadType !== this.media.payloadType) continue;
      const pcm = result.kind === 'frame' ? this.decode(result.packet) : this.conceal();
      if (pcm.length === SAMPLES_PER_FRAME && this.backlogSamples === 0) return pcm;
      this.backlog.push(pcm);
      this.backlogSamples += pcm.length;
    }
    if (this.backlogSamples < SAMPLES_PER_FRAME) return null;
    return this.takeFrame();
  }

  /** Network loss of the peer's stream so far (what `stats.packetsLost` reports), without building `stats`. */
  get packetsLost(): number {
    return this.lostBefore + Math.max(0, this.tracker.packetsLost);
  }

  get stats(): { packetsReceived: number; packetsLost: number; jitterMs: number; packetsLate: number; jitterBufferUnderruns: number; framesConcealed: number } {
    const jb = this.jitter.stats;
    return {
      packetsReceived: this.counters.received,
      packetsLost: this.packetsLost,
      jitterMs: jb.jitterMs,
      packetsLate: jb.late,
      jitterBufferUnderruns: jb.underruns,
      framesConcealed: this.counters.framesConcealed,
    };
  }

  private count(packet: RtpPacket): void {
    if (this.trackerSsrc !== packet.ssrc) {
      this.lostBefore += Math.max(0, this.tracker.packetsLost);
      this.tracker = new SequenceTracker();
      this.trackerSsrc = packet.ssrc;
    }
    this.tracker.accept(packet.sequenceNumber);
    this.counters.received++;
  }

  private decode(packet: RtpPacket): Int16Array {
    const pcm = this.decodeG711(packet.payload);
    this.concealed = 0;
    this.lastFrame = pcm;
    if (pcm.length > 0) this.lastPacketSamples = pcm.length;
    return pcm;
  }

  /** Packet loss concealment, kept simple: the last packet once at half level, then silence. */
  private conceal(): Int16Array {
    this.counters.framesConcealed++;
    const out = new Int16Array(this.lastPacketSamples);
    if (this.concealed++ === 0 && this.lastFrame) {
      for (let i = 0; i < out.length && i < this.lastFrame.length; i++) out[i] = this.lastFrame[i] >> 1;
    }
    return out;
  }

  private takeFrame(): Int16Array {
    const frame = new Int16Array(SAMPLES_PER_FRAME);
    let filled = 0;
    while (filled < SAMPLES_PER_FRAME) {
      const head = this.backlog[0];
      const n = Math.min(head.length, SAMPLES_PER_FRAME - filled);
      frame.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.backlog.shift();
      else this.backlog[0] = head.subarray(n);
    }
    this.backlogSamples -= SAMPLES_PER_FRAME;
    return frame;
  }
}
