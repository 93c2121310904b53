/**
 * A call's media session living on a media worker, as the main thread sees it: the CallMedia
 * interface, with commands posted to the worker and its frames, digits and playout results
 * delivered back by the WorkerLink. Counters for metrics are the worker's last report (at most
 * `countersIntervalMs` old) until the session closes, then final.
 */
import { LatencyHistogram } from '../latency-histogram.ts';
import type { NegotiatedMedia } from '../../sdp/index.ts';
import { Listeners } from '../session-support.ts';
import type { CallMedia, DtmfSendOptions, MediaLogger, MediaTick, PlayoutHandle, PlayoutResult, RtpSessionStats } from '../types.ts';
import type { SessionCounters, ToWorker } from './protocol.ts';

/** What a session needs of the link to its worker. */
export interface SessionLink {
  send(message: ToWorker, transfer?: ArrayBuffer[]): void;
  request<T>(make: (req: number) => ToWorker): Promise<T>;
}

export class RemoteMediaSession implements CallMedia {
  readonly packetCounts = { sent: 0, received: 0, lost: 0 };
  readonly sendJitter = new LatencyHistogram();
  /** Resolves once the session is closed on the worker and its final counters are in. */
  readonly whenClosed: Promise<void>;
  private readonly ticks: Listeners<MediaTick>;
  private readonly audio: Listeners<Int16Array>;
  private readonly digits: Listeners<string>;
  private readonly timeouts: Listeners<void>;
  private readonly playouts = new Map<number, (result: PlayoutResult) => void>();
  private nextPlayId = 1;
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  private isClosed = false;

  constructor(
    private readonly link: SessionLink,
    readonly id: number,
    readonly localPort: number,
    logger?: MediaLogger,
  ) {
    const report = (event: string) => (err: unknown) => logger?.warn({ err, localPort }, `${event} listener threw`);
    this.ticks = new Listeners(report('tick'));
    this.audio = new Listeners(report('audio'));
    this.digits = new Listeners(report('dtmf'));
    this.timeouts = new Listeners(report('mediaTimeout'));
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  update(media: NegotiatedMedia): void {
    if (!this.isClosed) this.link.send({ t: 'update', id: this.id, media });
  }

  play(pcm: Int16Array): PlayoutHandle {
    const playId = this.nextPlayId++;
    if (this.isClosed || pcm.length === 0) {
      return { id: playId, done: Promise.resolve({ playedMs: 0, interrupted: this.isClosed }) };
    }
    const done = new Promise<PlayoutResult>((resolve) => this.playouts.set(playId, resolve));
    // A copy: the caller's array may be a view into a larger buffer it keeps using.
    const copy = pcm.slice();
    this.link.send({ t: 'play', id: this.id, playId, pcm: copy }, [copy.buffer as ArrayBuffer]);
    return { id: playId, done };
  }

  clearPlayout(): void {
    if (!this.isClosed) this.link.send({ t: 'clear', id: this.id });
  }

  sendDtmf(digits: string, opts: DtmfSendOptions = {}): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('RTP session is closed'));
    return this.link.request((req) => ({ t: 'dtmf', id: this.id, req, digits, opts }));
  }

  /** The worker's full statistics of this session (null once it is gone). */
  stats(): Promise<RtpSessionStats | null> {
    if (this.isClosed) return Promise.resolve(null);
    return this.link.request((req) => ({ t: 'stats', id: this.id, req }));
  }

  onTick(listener: (tick: MediaTick) => void): void {
    this.ticks.add(listener);
  }

  onAudio(listener: (pcm: Int16Array) => void): void {
    this.audio.add(listener);
  }

  onDtmf(listener: (digit: string) => void): void {
    this.digits.add(listener);
  }

  onMediaTimeout(listener: () => void): void {
    this.timeouts.add(listener);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.isClosed = true;
      this.closing = this.link
        .request<SessionCounters | null>((req) => ({ t: 'close', id: this.id, req }))
        .then((counters) => this.closedWith(counters), () => this.closedWith(null));
    }
    return this.closing;
  }

  // ── delivered by the WorkerLink ───────────────────────────────────────────────────────

  /** @internal One tick's frames, in order. */
  deliverTick(caller: Int16Array | null, agent: Int16Array | null): void {
    if (caller) this.audio.emit(caller);
    this.ticks.emit({ caller, agent });
  }

  /** @internal */
  deliverPlayed(playId: number, result: PlayoutResult): void {
    this.playouts.get(playId)?.(result);
    this.playouts.delete(playId);
  }

  /** @internal */
  deliverDigit(digit: string): void {
    this.digits.emit(digit);
  }

  /** @internal */
  deliverMediaTimeout(): void {
    this.timeouts.emit();
  }

  /** @internal */
  deliverCounters(counters: SessionCounters): void {
    this.packetCounts.sent = counters.sent;
    this.packetCounts.received = counters.received;
    this.packetCounts.lost = counters.lost;
    this.sendJitter.load(counters.jitter);
  }

  /**
   * @internal The worker died: the media is gone. Listeners hear a media timeout, so the call
   * ends (with an end reason) instead of hanging on a session that no longer exists.
   */
  fail(): void {
    if (this.isClosed) return this.closedWith(null);
    this.isClosed = true;
    this.closing = Promise.resolve();
    this.closedWith(null);
    this.timeouts.emit();
  }

  private closedWith(counters: SessionCounters | null): void {
    if (counters) this.deliverCounters(counters);
    for (const resolve of this.playouts.values()) resolve({ playedMs: 0, interrupted: true });
    this.playouts.clear();
    this.resolveClosed();
  }
}
