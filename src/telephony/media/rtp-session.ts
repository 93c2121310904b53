/**
 * One call's media: the I/O shell that joins a socket pair and the shared media clock to the
 * sans-I/O RTP cores. Every tick it plays one caller frame out of the jitter buffer and sends
 * one packet (agent audio, G.711 silence or DTMF), so the two directions handed to onTick are
 * aligned by construction. See README.md for the behaviour and the reasons behind it.
 */
import { RtpSender } from '../rtp/index.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import { checkDtmfRequest, DtmfLane } from './dtmf-lane.ts';
import { IncomingMedia } from './incoming-media.ts';
import type { HistogramSnapshot, LatencyHistogram } from './latency-histogram.ts';
import type { MediaClock } from './media-clock.ts';
import { MediaWire } from './media-wire.ts';
import { OutgoingMedia } from './outgoing-media.ts';
import { PlayoutQueue } from './playout-queue.ts';
import { RtcpChannel } from './rtcp-channel.ts';
import { isSendable, RemoteEndpoint, type Address } from './remote-endpoint.ts';
import { DropCounters, SessionEvents, SocketErrors } from './session-support.ts';
import { SrtpTransform } from './srtp-transform.ts';
import type { CallMedia, DtmfSendOptions, MediaLogger, MediaTick, PlayoutHandle, RtpSessionOptions, RtpSessionStats } from './types.ts';

const DEFAULT_MEDIA_TIMEOUT_MS = 30_000;

export class RtpSession implements CallMedia {
  readonly localPort: number;
  private media: NegotiatedMedia;
  private readonly clock: MediaClock;
  private readonly logger: MediaLogger | undefined;
  private readonly mediaTimeoutMs: number;
  private readonly transform: SrtpTransform;
  private readonly endpoint: RemoteEndpoint;
  private readonly wire: MediaWire;
  private readonly incoming: IncomingMedia;
  private readonly outgoing: OutgoingMedia;
  private readonly rtcp: RtcpChannel;
  private readonly playout = new PlayoutQueue();
  private readonly dtmfOut = new DtmfLane();
  private readonly events: SessionEvents;
  private readonly drops: DropCounters;
  private readonly socketErrors: SocketErrors;
  private readonly unsubscribe: () => void;
  private lastTickNow: number | undefined;
  private lastActivity: number;
  private timedOut = false;
  private dtmfReceived = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(opts: RtpSessionOptions) {
    this.clock = opts.clock;
    this.media = opts.media;
    this.logger = opts.logger;
    this.localPort = opts.sockets.port;
    this.mediaTimeoutMs = opts.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
    const log = (fields: object, msg: string): void => this.logger?.warn({ localPort: this.localPort, ...fields }, msg);
    this.events = new SessionEvents((err, event) => log({ err }, `${event} listener threw`));
    this.drops = new DropCounters((reason, from) => this.logger?.debug({ localPort: this.localPort, reason, from }, 'RTP packet dropped'));
    this.socketErrors = new SocketErrors((err) => log({ err }, 'RTP socket error'));
    this.transform = new SrtpTransform(opts.media.crypto);
    this.endpoint = new RemoteEndpoint(opts.media);
    this.wire = new MediaWire(opts.sockets, this.endpoint, {
      rtp: (datagram, from) => this.receiveRtp(datagram, from),
      rtcp: (datagram, from) => this.receiveRtcp(datagram, from),
      failed: (err, from) => {
        // Defence in depth: the cores return results, so this is a bug; drop the datagram.
        this.drops.count('malformed', from);
        log({ err }, 'RTP datagram handling failed');
      },
      socketError: (err) => this.socketErrors.report(err),
    }, opts.media.rtcpMux);
    const sender = new RtpSender({ payloadType: opts.media.payloadType });
    this.rtcp = new RtcpChannel({
      ssrc: sender.ssrc,
      clockRate: opts.media.clockRate,
      transform: this.transform,
      intervalMs: opts.rtcpIntervalMs,
      send: (datagram) => this.wire.sendRtcp(datagram),
    });
    this.incoming = new IncomingMedia(opts.media, this.transform, this.endpoint, opts.jitterBuffer);
    this.outgoing = new OutgoingMedia({
      media: opts.media,
      sender,
      senderStats: this.rtcp.sender,
      transform: this.transform,
      now: this.clock.now,
      send: (datagram) => this.wire.sendRtp(datagram),
    });
    this.lastActivity = this.clock.now();
    this.unsubscribe = this.clock.subscribe((tickNow) => this.onClockTick(tickNow));
  }

  update(media: NegotiatedMedia): void {
    if (this.closed) return;
    const before = this.endpoint.rtpDestination;
    this.media = media;
    this.endpoint.update(media);
    this.wire.rtcpMux = media.rtcpMux;
    this.transform.update(media.crypto);
    this.incoming.update(media);
    this.outgoing.update(media);
    if (this.endpoint.rtpDestination !== before) this.outgoing.markTalkspurt();
  }

  play(pcm: Int16Array): PlayoutHandle {
    const handle = this.playout.enqueue(pcm);
    if (this.closed) this.playout.clear();
    return handle;
  }

  clearPlayout(): void {
    this.playout.clear();
  }

  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('RTP session is closed'));
    const durationMs = opts.durationMs ?? 100;
    const gapMs = opts.gapMs ?? Math.max(60, durationMs);
    const problem = checkDtmfRequest(digits, durationMs, gapMs);
    if (problem) return Promise.reject(new RangeError(problem));
    return this.dtmfOut.enqueue({ digits, durationMs, gapMs, events: this.media.dtmfPayloadType !== null });
  }

  onTick(listener: (tick: MediaTick) => void): void {
    this.events.tick.add(listener);
  }

  onAudio(listener: (pcm: Int16Array) => void): void {
    this.events.audio.add(listener);
  }

  onDtmf(listener: (digit: string) => void): void {
    this.events.dtmf.add(listener);
  }

  onMediaTimeout(listener: () => void): void {
    this.events.mediaTimeout.add(listener);
  }

  /**
   * The send-jitter histogram behind `stats()`' percentiles, read-only: a metrics feed folds its
   * buckets into process-wide figures while the call lasts, without a hook on the send path.
   */
  get sendJitter(): Pick<LatencyHistogram, 'count' | 'sumMs' | 'countBelow'> {
    return this.outgoing.sendJitter;
  }

  /** The send-jitter histogram as a compact copy, for another thread. */
  sendJitterSnapshot(): HistogramSnapshot {
    return this.outgoing.sendJitter.snapshot();
  }

  /**
   * The packet counters of `stats()` alone. `stats()` builds the whole report (tens of µs); a
   * metrics feed reads these for every call at every scrape, on the thread that paces the media.
   */
  get packetCounts(): { sent: number; received: number; lost: number } {
    return { sent: this.outgoing.counters.packetsSent, received: this.incoming.counters.received, lost: this.incoming.packetsLost };
  }

  stats(): RtpSessionStats {
    const sendJitter = this.outgoing.sendJitter;
    const destination = this.endpoint.rtpDestination;
    return {
      ...this.outgoing.counters,
      ...this.incoming.stats,
      ...this.drops.counts,
      srtpFailures: this.drops.counts.srtpFailures + this.outgoing.counters.srtpFailures,
      ...(sendJitter.count > 0
        ? { sendJitterP50Ms: sendJitter.quantile(0.5), sendJitterP99Ms: sendJitter.quantile(0.99), sendJitterMaxMs: sendJitter.max }
        : {}),
      sendErrors: this.socketErrors.count,
      dtmfReceived: this.dtmfReceived,
      ...this.rtcp.stats,
      remote: { host: destination.host, port: destination.port, latched: this.endpoint.latched },
    };
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.unsubscribe();
    this.playout.clear();
    this.dtmfOut.cancel(new Error('RTP session closed before the DTMF digits were sent'));
    await this.wire.close(this.rtcp.byePacket(this.clock.now()));
  }

  private onClockTick(tickNow: number): void {
    if (this.closed) return;
    this.noteSkippedTicks(tickNow);
    const caller = this.incoming.nextFrame();
    if (caller) this.events.audio.emit(caller);
    for (const digit of this.incoming.flushStaleDtmf(tickNow)) this.emitDigit(digit);
    const agent = this.sendTick(tickNow);
    this.events.tick.emit({ caller, agent });
    this.rtcp.onTick(tickNow);
    this.checkMediaTimeout(tickNow);
  }

  /** Sends this tick's packet; returns the agent audio it carried. */
  private sendTick(tickNow: number): Int16Array | null {
    const direction = this.media.direction;
    if ((direction !== 'sendrecv' && direction !== 'sendonly') || !isSendable(this.endpoint.rtpDestination)) {
      // Held: nothing goes out, and queued speech and digits wait for the call to resume.
      this.outgoing.idle();
      return null;
    }
    const step = this.dtmfOut.next();
    if (step?.kind === 'event') this.outgoing.events(step, tickNow);
    else if (step?.kind === 'tone') this.outgoing.audio(step.pcm, tickNow);
    else if (step?.kind === 'gap') this.outgoing.audio(null, tickNow);
    if (step) return step.kind === 'tone' ? step.pcm : null;
    const frame = this.playout.nextFrame();
    this.outgoing.audio(frame, tickNow);
    return frame;
  }

  /** Ticks the clock dropped after a long stall: media time jumps, a new talkspurt begins. */
  private noteSkippedTicks(tickNow: number): void {
    const last = this.lastTickNow;
    this.lastTickNow = tickNow;
    if (last === undefined) return;
    const skipped = Math.round((tickNow - last) / this.clock.frameMs) - 1;
    if (skipped > 0) this.outgoing.idle(skipped);
  }

  private checkMediaTimeout(nowMs: number): void {
    if (this.timedOut || !(this.mediaTimeoutMs > 0)) return;
    const d = this.media.direction;
    const peerShouldSend = !this.media.remoteHold && (d === 'sendrecv' || d === 'recvonly');
    if (!peerShouldSend) {
      this.lastActivity = nowMs; // paused while held: the count restarts when media should flow
      return;
    }
    if (nowMs - this.lastActivity < this.mediaTimeoutMs) return;
    this.timedOut = true;
    this.logger?.warn({ localPort: this.localPort, silentMs: Math.round(nowMs - this.lastActivity) }, 'RTP media timeout');
    this.events.mediaTimeout.emit();
  }

  private emitDigit(digit: string): void {
    this.dtmfReceived++;
    this.events.dtmf.emit(digit);
  }

  private receiveRtp(datagram: Uint8Array, from: Address): void {
    const now = this.clock.now();
    const verdict = this.incoming.receive(datagram, from, now);
    if (verdict.kind === 'dropped') return this.drops.count(verdict.reason, from);
    this.lastActivity = now;
    if (verdict.latch === 'latched') this.logger?.debug({ localPort: this.localPort, from }, 'RTP latched to the peer address');
    const p = verdict.packet;
    this.rtcp.onRtpReceived(p.ssrc, p.sequenceNumber, p.timestamp, now);
    if (verdict.kind === 'dtmf') for (const digit of this.incoming.receiveDtmf(p, now)) this.emitDigit(digit);
  }

  private receiveRtcp(datagram: Uint8Array, from: Address): void {
    // Plain RTCP is judged by its source before it may touch our statistics; SRTCP by its tag.
    if (!this.transform.secure && !this.endpoint.isPeerHost(from)) return this.drops.count('wrong-source', from);
    const now = this.clock.now();
    const verdict = this.rtcp.receive(datagram, now);
    if (!verdict.ok) return this.drops.count(verdict.reason === 'srtcp' ? 'srtp' : 'malformed', from);
    this.endpoint.latchRtcp(from);
    this.lastActivity = now;
  }
}
