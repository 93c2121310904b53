/**
 * Runs calls' media on worker threads (HABLA_MEDIA_WORKERS). Why: on one event loop, every
 * database write, SIP message, HTTP request and garbage collection of the main thread delays
 * the 20 ms media tick of every call; measured at 300 calls that pushed RTP send jitter p99 to
 * 30 ms. A worker has its own event loop and heap, so pacing only competes with other media.
 *
 * Ports are searched on the main thread (one range shared by all workers) and bound by the
 * worker that will run the session; a call goes to the worker with the fewest ports in use.
 * A worker that dies fails its sessions (their calls end) and is replaced for new calls.
 */
import type { NegotiatedMedia } from '../../sdp/index.ts';
import { MEDIA_CLOCK_PHASES, type MediaHost, type MediaHostOptions } from '../media-host.ts';
import { PortPairRange } from '../port-allocator.ts';
import type { CallMedia, CallMediaPorts, MediaLogger } from '../types.ts';
import type { MediaPriority, MediaWorkerData } from './protocol.ts';
import { WorkerLink } from './worker-link.ts';

export interface WorkerMediaHostOptions extends MediaHostOptions {
  /** How many media threads; at least 1. */
  workers: number;
  /** How often sessions' counters reach the main thread (metrics); default 1000 ms. */
  countersIntervalMs?: number;
  rtcpIntervalMs?: number;
  /** Forward the workers' debug log lines (dropped packets…); default false. */
  forwardDebug?: boolean;
  /** How the media threads are scheduled (Linux; needs CAP_SYS_NICE); default `realtime`. */
  priority?: MediaPriority;
}

const CLOSE_GRACE_MS = 1000;

interface WorkerPorts extends CallMediaPorts {
  readonly link: WorkerLink;
}

export class WorkerMediaHost implements MediaHost {
  private readonly range: PortPairRange;
  private readonly data: MediaWorkerData;
  private readonly logger: MediaLogger;
  private links: WorkerLink[] = [];
  private nextSessionId = 1;
  private closed = false;
  /** Workers replaced after dying. */
  restarts = 0;

  private constructor(private readonly options: WorkerMediaHostOptions) {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new RangeError('workers must be an integer ≥ 1');
    this.range = new PortPairRange({ min: options.portMin, max: options.portMax });
    this.logger = options.logger ?? { warn: () => {}, debug: () => {} };
    this.data = {
      host: options.host,
      mediaTimeoutMs: options.mediaTimeoutMs,
      rtcpIntervalMs: options.rtcpIntervalMs,
      countersIntervalMs: options.countersIntervalMs ?? 1000,
      forwardDebug: options.forwardDebug ?? false,
      priority: options.priority ?? 'realtime',
      clockPhases: options.clockPhases ?? MEDIA_CLOCK_PHASES,
    };
  }

  static async start(options: WorkerMediaHostOptions): Promise<WorkerMediaHost> {
    const host = new WorkerMediaHost(options);
    host.links = await Promise.all(Array.from({ length: options.workers }, () => host.startWorker()));
    return host;
  }

  get workers(): number {
    return this.links.length;
  }

  /** Sessions open on each worker (for tests and metrics). */
  get sessionsPerWorker(): number[] {
    return this.links.map((link) => link.sessions.size);
  }

  async allocatePorts(): Promise<WorkerPorts> {
    if (this.closed) throw new Error('media host closed');
    const link = this.links.reduce((a, b) => (b.load < a.load ? b : a));
    return this.range.allocate(async (port) => {
      if (!(await link.bind(port))) return undefined;
      let released = false;
      const close = async (): Promise<void> => {
        if (released) return;
        released = true;
        link.release(port);
        this.range.release(port);
      };
      return { port, link, close };
    });
  }

  openMedia(ports: CallMediaPorts, media: NegotiatedMedia): CallMedia {
    const { link, port } = ports as Partial<WorkerPorts>;
    if (!(link instanceof WorkerLink) || port === undefined) throw new Error('ports were not allocated by this media host');
    const session = link.open(this.nextSessionId++, port, media, this.logger);
    void session.whenClosed.then(() => this.range.release(port));
    return session;
  }

  /** Stops the workers, once sessions still closing have sent their RTCP BYE (1 s at most). */
  async close(): Promise<void> {
    this.closed = true;
    const closing = this.links.flatMap((link) => [...link.sessions.values()].map((session) => session.whenClosed));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closing), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    await Promise.all(this.links.map((link) => link.stop()));
  }

  /** Kills worker `index` the way a crash would (tests of what a crash leaves behind). */
  killWorkerForTests(index: number): Promise<void> {
    return this.links[index]!.crash();
  }

  private startWorker(): Promise<WorkerLink> {
    return WorkerLink.start(this.data, this.logger, (dead) => this.replace(dead));
  }

  /** A worker died: its sessions already failed; new calls go to a fresh one. */
  private replace(dead: WorkerLink): void {
    if (this.closed) return;
    for (const port of dead.ports) this.range.release(port);
    this.startWorker().then(
      (fresh) => {
        if (this.closed) return void fresh.stop();
        this.links = this.links.map((link) => (link === dead ? fresh : link));
        this.restarts++;
      },
      (error: unknown) => this.logger.warn({ err: error }, 'media worker could not be restarted'),
    );
  }
}
