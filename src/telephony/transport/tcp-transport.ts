/**
 * SIP over TCP (RFC 3261 §18): one listening socket on the SIP port, and one connection table
 * shared by connections peers opened to us and connections we opened to them. A message goes
 * out on whatever connection to that address is open (responses return on the request's
 * connection, §18.2.2), else on a new one. Bytes are cut into messages by the framer the SIP
 * layer gives; nothing above sees a partial message.
 *
 * The port is open to the Internet, so every resource a peer can make us hold is bounded:
 * connections in all and per source address, bytes buffered before a message completes,
 * bytes queued towards a peer that does not read, and time: a connection no dialog uses is
 * closed after `idleMs` without traffic (scanners open connections and leave them).
 */
import net from 'node:net';
import { TcpConnection, type ConnectionLimits } from './tcp-connection.ts';
import type { DatagramAddress } from './datagram-transport.ts';
import type { StreamFramer, StreamMessageHandler, StreamTransport } from './stream-transport.ts';

export interface TcpLimits extends ConnectionLimits {
  /** Connections open at once, both directions. */
  maxConnections: number;
  /** Connections a peer address may open to us at once. */
  maxConnectionsPerHost: number;
  /** An unretained connection with no traffic for this long is closed. */
  idleMs: number;
  /** Opening a connection to a peer gives up after this long. */
  connectTimeoutMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 1024,
  maxConnectionsPerHost: 32,
  idleMs: 120_000,
  connectTimeoutMs: 5_000,
  maxBufferedBytes: 65_535 + 4_096,
  maxQueuedBytes: 1024 * 1024,
};

/** Why the transport closed or refused a connection, for the endpoint's (throttled) log. */
export type TcpDropReason = 'connection_limit' | 'host_connection_limit' | 'invalid_stream' | 'buffer_overflow' | 'peer_not_reading' | 'idle';

export interface TcpTransportOptions {
  host: string;
  /** 0 lets the OS pick; read the result with address(). */
  port: number;
  framer: StreamFramer;
  limits?: Partial<TcpLimits>;
  onError?: (error: Error) => void;
}

const keyOf = (address: DatagramAddress): string => `${address.host}|${address.port}`;

export class TcpTransport implements StreamTransport {
  private readonly connections = new Map<string, TcpConnection>();
  private readonly perHost = new Map<string, number>();
  private readonly retained = new Map<string, number>();
  private readonly limits: TcpLimits;
  private readonly sweeper: NodeJS.Timeout;
  private handler: StreamMessageHandler = () => {};
  private dropHandler: (reason: TcpDropReason, peer: DatagramAddress, detail?: string) => void = () => {};
  private closed = false;

  private constructor(private readonly server: net.Server, private readonly options: TcpTransportOptions) {
    this.limits = { ...DEFAULT_TCP_LIMITS, ...options.limits };
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => this.reportError(error));
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(50, this.limits.idleMs / 4));
    this.sweeper.unref();
  }

  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpTransport(server, options);
  }

  onMessage(handler: StreamMessageHandler): void {
    this.handler = handler;
  }

  onDrop(handler: (reason: TcpDropReason, peer: DatagramAddress, detail?: string) => void): void {
    this.dropHandler = handler;
  }

  send(bytes: Uint8Array, to: DatagramAddress, onFailure?: (error: Error) => void): void {
    const fail = (error: Error): void => {
      if (onFailure) setImmediate(() => onFailure(error));
    };
    if (this.closed) return fail(new Error('SIP TCP transport is closed'));
    let connection = this.connections.get(keyOf(to));
    if (!connection) {
      if (this.connections.size >= this.limits.maxConnections) return fail(new Error('too many SIP TCP connections'));
      connection = this.dial(to);
    }
    connection.write(bytes, fail);
  }

  hasConnection(to: DatagramAddress): boolean {
    return this.connections.has(keyOf(to));
  }

  retain(to: DatagramAddress): void {
    const key = keyOf(to);
    this.retained.set(key, (this.retained.get(key) ?? 0) + 1);
  }

  release(to: DatagramAddress): void {
    const key = keyOf(to);
    const count = (this.retained.get(key) ?? 0) - 1;
    if (count > 0) this.retained.set(key, count);
    else this.retained.delete(key);
  }

  address(): DatagramAddress {
    const bound = this.server.address() as net.AddressInfo;
    return { host: bound.address, port: bound.port };
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const connection of this.connections.values()) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    if (this.closed || remote.host === '') return void socket.destroy();
    if (this.connections.size >= this.limits.maxConnections) return this.refuse(socket, remote, 'connection_limit');
    if ((this.perHost.get(remote.host) ?? 0) >= this.limits.maxConnectionsPerHost) return this.refuse(socket, remote, 'host_connection_limit');
    this.track(new TcpConnection(socket, remote, this.connectionEvents(remote), this.limits), true);
  }

  private dial(to: DatagramAddress): TcpConnection {
    const socket = net.connect({ host: to.host, port: to.port, noDelay: true, timeout: this.limits.connectTimeoutMs });
    const connection = new TcpConnection(socket, to, this.connectionEvents(to), this.limits, true);
    this.track(connection, false);
    return connection;
  }

  private track(connection: TcpConnection, inbound: boolean): void {
    const key = keyOf(connection.remote);
    // Two connections to one address (the peer dialled us while we dialled it): the newest
    // carries new messages; the older one lives on until it closes by itself.
    this.connections.set(key, connection);
    if (inbound) this.perHost.set(connection.remote.host, (this.perHost.get(connection.remote.host) ?? 0) + 1);
    connection.onClosed(() => {
      if (this.connections.get(key) === connection) this.connections.delete(key);
      if (!inbound) return;
      const left = (this.perHost.get(connection.remote.host) ?? 1) - 1;
      if (left > 0) this.perHost.set(connection.remote.host, left);
      else this.perHost.delete(connection.remote.host);
    });
  }

  private connectionEvents(remote: DatagramAddress) {
    return {
      message: (bytes: Buffer) => {
        try {
          this.handler(bytes, remote);
        } catch (error) {
          this.reportError(error as Error);
        }
      },
      frame: this.options.framer,
      drop: (reason: TcpDropReason, detail?: string) => this.dropHandler(reason, remote, detail),
      error: (error: Error) => this.reportError(error),
    };
  }

  private refuse(socket: net.Socket, remote: DatagramAddress, reason: TcpDropReason): void {
    socket.destroy();
    this.dropHandler(reason, remote);
  }

  private closeIdle(): void {
    const cutoff = performance.now() - this.limits.idleMs;
    for (const [key, connection] of this.connections) {
      if (connection.lastActivity < cutoff && !this.retained.has(key)) {
        connection.destroy();
        this.dropHandler('idle', connection.remote);
      }
    }
  }

  private reportError(error: Error): void {
    this.options.onError?.(error);
  }
}
