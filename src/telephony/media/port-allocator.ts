/**
 * Hands out RTP/RTCP port pairs (even P for RTP, P+1 for RTCP, RFC 3550 §11) inside a
 * configured range. Candidates are tried round-robin from just after the last allocation, so
 * a port freed a moment ago is the last to be reused: stray packets of the previous call
 * then land on an unused port instead of in the next call's jitter buffer.
 *
 * PortPairRange is the search; whoever binds the sockets supplies `bind` (this thread here,
 * a media worker in worker/).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { RtpSockets } from './types.ts';

export interface RtpPortAllocatorOptions {
  host: string;
  min: number;
  max: number;
}

export class PortPairRange {
  readonly min: number;
  readonly max: number;
  private readonly first: number;
  private readonly pairs: number;
  /** Ports handed out (or being bound right now), so concurrent allocations never collide. */
  private readonly taken = new Set<number>();
  private cursor = 0; // index of the next pair to try

  constructor({ min, max }: { min: number; max: number }) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`invalid RTP port range ${min}-${max} (need 1 <= min <= max <= 65535)`);
    }
    this.min = min;
    this.max = max;
    this.first = min % 2 === 0 ? min : min + 1;
    this.pairs = Math.max(0, Math.floor((max - this.first + 1) / 2));
    if (this.pairs === 0) throw new RangeError(`RTP port range ${min}-${max} holds no even/odd port pair`);
  }

  /**
   * Binds the next free pair with `bind` (undefined: in use by someone else, try the next);
   * throws when every pair in the range is taken or in use. The port stays taken until release().
   */
  async allocate<T>(bind: (port: number) => Promise<T | undefined>): Promise<T> {
    for (let attempts = 0; attempts < this.pairs; attempts++) {
      const port = this.first + 2 * this.cursor;
      this.cursor = (this.cursor + 1) % this.pairs;
      if (this.taken.has(port)) continue;
      // Reserve before the first await: a concurrent allocate() must skip this pair.
      this.taken.add(port);
      let bound: T | undefined;
      try {
        bound = await bind(port);
      } finally {
        if (bound === undefined) this.taken.delete(port);
      }
      if (bound !== undefined) return bound;
    }
    throw new Error(`no free RTP ports in ${this.min}-${this.max}`);
  }

  release(port: number): void {
    this.taken.delete(port);
  }

  /** Pairs currently handed out (for metrics and tests). */
  get inUse(): number {
    return this.taken.size;
  }
}

export class RtpPortAllocator {
  private readonly range: PortPairRange;

  constructor(private readonly opts: RtpPortAllocatorOptions) {
    this.range = new PortPairRange(opts);
  }

  /** Binds the next free pair; throws when every pair in the range is taken or in use. */
  allocate(): Promise<RtpSockets> {
    return this.range.allocate(async (port) => {
      const sockets = await bindRtpPair(this.opts.host, port);
      if (!sockets) return undefined;
      let released: Promise<void> | undefined;
      const close = (): Promise<void> => (released ??= sockets.close().then(() => this.range.release(port)));
      return { ...sockets, close };
    });
  }

  get inUse(): number {
    return this.range.inUse;
  }
}

/**
 * Binds RTP on `port` and RTCP on `port + 1` of `host`; undefined when either is in use by
 * someone else. Other bind errors (EACCES, EADDRNOTAVAIL for a wrong host) are configuration
 * errors and are thrown.
 */
export async function bindRtpPair(host: string, port: number): Promise<RtpSockets | undefined> {
  const rtp = await bindOne(host, port);
  if (!rtp) return undefined;
  const rtcp = await bindOne(host, port + 1).catch(async (error: unknown) => {
    await closeSocket(rtp);
    throw error;
  });
  if (!rtcp) {
    await closeSocket(rtp);
    return undefined;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= Promise.all([closeSocket(rtp), closeSocket(rtcp)]).then(() => {}));
  return { port, rtp, rtcp, close };
}

function bindOne(host: string, port: number): Promise<dgram.Socket | undefined> {
  const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.close();
      // In use (by another process, or a socket we do not know of): try the next pair.
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    };
    socket.once('error', onError);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off('error', onError);
      // Until a session attaches its own handler, an 'error' event must not crash the process.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
