/**
 * The main thread's end of one media worker: starts the thread, numbers requests, routes what
 * the worker sends to its sessions, and, if the thread dies, fails everything that depended on
 * it (sessions end with a media timeout, requests reject) instead of leaving calls hanging.
 */
import { Worker } from 'node:worker_threads';
import type { NegotiatedMedia } from '../../sdp/index.ts';
import type { MediaLogger } from '../types.ts';
import type { FromWorker, MediaWorkerData, ToWorker } from './protocol.ts';
import { RemoteMediaSession, type SessionLink } from './remote-media-session.ts';
import { forEachTick } from './tick-collector.ts';
import { workerBootSource } from './worker-boot.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerLink implements SessionLink {
  readonly sessions = new Map<number, RemoteMediaSession>();
  /** Ports bound on this worker and not yet released or closed. */
  readonly ports = new Set<number>();
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private dead: Error | undefined;
  private stopping = false;
  private readyWaiter: { resolve(): void; reject(error: Error): void } | undefined;

  private constructor(
    data: MediaWorkerData,
    private readonly logger: MediaLogger & { error?(fields: object, msg: string): void },
    private readonly onDeath: (link: WorkerLink) => void,
  ) {
    this.worker = new Worker(workerBootSource(), { eval: true, workerData: data });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.die(error));
    this.worker.on('exit', (code) => this.die(new Error(`media worker exited with code ${code}`)));
  }

  /** Starts a worker and waits until it is ready for sessions. */
  static start(data: MediaWorkerData, logger: MediaLogger, onDeath: (link: WorkerLink) => void): Promise<WorkerLink> {
    const link = new WorkerLink(data, logger, onDeath);
    return new Promise((resolve, reject) => {
      link.readyWaiter = { resolve: () => resolve(link), reject };
    });
  }

  get load(): number {
    return this.ports.size;
  }

  send(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.dead) this.worker.postMessage(message, transfer);
  }

  request<T>(make: (req: number) => ToWorker): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const req = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(make(req));
    });
  }

  /** Binds a port pair on the worker; false when it is in use. */
  async bind(port: number): Promise<boolean> {
    const ok = await this.request<boolean>((req) => ({ t: 'bind', req, port }));
    if (ok) this.ports.add(port);
    return ok;
  }

  release(port: number): void {
    if (this.ports.delete(port)) this.send({ t: 'release', port });
  }

  open(id: number, port: number, media: NegotiatedMedia, logger?: MediaLogger): RemoteMediaSession {
    const session = new RemoteMediaSession(this, id, port, logger);
    this.sessions.set(id, session);
    void session.whenClosed.then(() => {
      this.sessions.delete(id);
      this.ports.delete(port);
    });
    if (this.dead) session.fail();
    else this.send({ t: 'open', id, port, media });
    return session;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }

  /** Ends the thread as a crash would: its sessions fail and the host replaces it. */
  async crash(): Promise<void> {
    await this.worker.terminate();
  }

  private receive(m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        return this.readyWaiter?.resolve();
      case 'ticks':
        return forEachTick(m, (id, caller, agent) => this.sessions.get(id)?.deliverTick(caller, agent));
      case 'played':
        return this.sessions.get(m.id)?.deliverPlayed(m.playId, { playedMs: m.playedMs, interrupted: m.interrupted });
      case 'digit':
        return this.sessions.get(m.id)?.deliverDigit(m.digit);
      case 'media-timeout':
        return this.sessions.get(m.id)?.deliverMediaTimeout();
      case 'counters':
        for (const counters of m.sessions) this.sessions.get(counters.id)?.deliverCounters(counters);
        return;
      case 'bound':
        if (m.ok || m.code === 'EADDRINUSE') return this.settle(m.req, m.ok);
        return this.fail(m.req, Object.assign(new Error(m.message), { code: m.code }));
      case 'dtmf-done':
        if (!m.error) return this.settle(m.req, undefined);
        // A RangeError is the caller's bad input (as in-process); anything else a plain Error.
        return this.fail(m.req, m.error.name === 'RangeError' ? new RangeError(m.error.message) : new Error(m.error.message));
      case 'stats':
        return this.settle(m.req, m.stats);
      case 'closed':
        return this.settle(m.req, m.counters);
      case 'log':
        return m.level === 'warn' ? this.logger.warn(m.fields, m.msg) : this.logger.debug(m.fields, m.msg);
    }
  }

  private settle(req: number, value: unknown): void {
    this.pending.get(req)?.resolve(value);
    this.pending.delete(req);
  }

  private fail(req: number, error: Error): void {
    this.pending.get(req)?.reject(error);
    this.pending.delete(req);
  }

  private die(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    this.readyWaiter?.reject(error);
    if (!this.stopping) (this.logger.error ?? this.logger.warn).call(this.logger, { err: error, sessions: this.sessions.size }, 'media worker died');
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    for (const session of [...this.sessions.values()]) session.fail();
    if (!this.stopping) this.onDeath(this);
  }
}
