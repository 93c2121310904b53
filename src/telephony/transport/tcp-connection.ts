/**
 * One SIP TCP connection: gathers bytes until the framer finds whole messages, answers
 * keep-alive pings, queues writes while a connection we opened is still connecting, and
 * closes itself (once, telling its owner) on a broken stream, a peer that sends too much
 * without finishing a message, a peer that stops reading, or an error.
 */
import type net from 'node:net';
import type { DatagramAddress } from './datagram-transport.ts';
import type { StreamFramer } from './stream-transport.ts';
import type { TcpDropReason } from './tcp-transport.ts';

export interface ConnectionLimits {
  /** Bytes held while a message is incomplete; beyond that the peer is not speaking SIP. */
  maxBufferedBytes: number;
  /** Bytes waiting to leave towards a peer that does not read; beyond that it is closed. */
  maxQueuedBytes: number;
}

export interface ConnectionEvents {
  message(bytes: Buffer): void;
  frame: StreamFramer;
  drop(reason: TcpDropReason, detail?: string): void;
  error(error: Error): void;
}

const PONG = Buffer.from('\r\n');

export class TcpConnection {
  /** performance.now() of the last byte in or out. */
  lastActivity = performance.now();
  private buffer: Buffer = Buffer.alloc(0);
  private closedListeners: (() => void)[] = [];
  private closed = false;
  /** Writes (and their failure callbacks) made before our connect() completed. */
  private pending: { bytes: Uint8Array; fail: (error: Error) => void }[] | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly remote: DatagramAddress,
    private readonly events: ConnectionEvents,
    private readonly limits: ConnectionLimits,
    dialling = false,
  ) {
    if (dialling) {
      this.pending = [];
      socket.once('connect', () => this.flushPending());
      socket.once('timeout', () => socket.destroy(new Error(`SIP TCP connect to ${remote.host}:${remote.port} timed out`)));
    }
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.onSocketError(error));
    socket.on('close', () => this.onSocketClosed());
  }

  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }

  write(bytes: Uint8Array, fail: (error: Error) => void): void {
    if (this.closed) return fail(new Error('SIP TCP connection closed'));
    if (this.pending) {
      this.pending.push({ bytes, fail });
      return;
    }
    if (this.socket.writableLength + bytes.length > this.limits.maxQueuedBytes) {
      this.events.drop('peer_not_reading', `${this.socket.writableLength} bytes queued`);
      this.destroy();
      return fail(new Error('SIP TCP peer is not reading'));
    }
    this.lastActivity = performance.now();
    this.socket.write(bytes, (error) => {
      if (error) fail(error);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.lastActivity = performance.now();
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length > 0 && !this.closed) {
      const frame = this.events.frame(this.buffer);
      if (frame.kind === 'incomplete') break;
      if (frame.kind === 'invalid') return this.abandon('invalid_stream', frame.reason);
      if (frame.kind === 'message') this.events.message(Buffer.from(this.buffer.subarray(0, frame.length)));
      if (frame.kind === 'ping') this.socket.write(PONG);
      this.buffer = this.buffer.subarray(frame.length);
    }
    if (this.buffer.length > this.limits.maxBufferedBytes) this.abandon('buffer_overflow', `${this.buffer.length} bytes without a whole message`);
  }

  private abandon(reason: TcpDropReason, detail: string): void {
    this.events.drop(reason, detail);
    this.buffer = Buffer.alloc(0);
    this.destroy();
  }

  private flushPending(): void {
    const queued = this.pending ?? [];
    this.pending = undefined;
    this.socket.setTimeout(0);
    for (const { bytes, fail } of queued) this.write(bytes, fail);
  }

  private failPending(error: Error): void {
    const queued = this.pending ?? [];
    this.pending = undefined;
    for (const { fail } of queued) fail(error);
  }

  private onSocketError(error: Error): void {
    this.failPending(error);
    // Refused or reset connections are ordinary on the Internet: logged by the owner's drop
    // log when it matters, not as transport errors.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ECONNRESET' && code !== 'ECONNREFUSED' && code !== 'EPIPE' && !/timed out/.test(error.message)) this.events.error(error);
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending(new Error('SIP TCP connection closed'));
    for (const listener of this.closedListeners) listener();
    this.closedListeners = [];
  }
}
