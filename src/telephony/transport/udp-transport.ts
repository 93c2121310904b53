/**
 * The thin I/O shell under SIP: one IPv4 UDP socket. No SIP knowledge here — bytes in, bytes
 * out — so everything above it is testable with an in-memory fake.
 */
import dgram from 'node:dgram';
import type { DatagramAddress, DatagramHandler, DatagramTransport } from './datagram-transport.ts';

export interface UdpTransportOptions {
  host: string;
  /** 0 lets the OS pick; read the result with address(). */
  port: number;
  /** Socket-level failures (send errors, ICMP-driven errors): logged, never thrown. */
  onError?: (error: Error) => void;
}

export class UdpTransport implements DatagramTransport {
  private handler: DatagramHandler = () => {};
  private closed = false;

  private constructor(private readonly socket: dgram.Socket, private readonly onError: (error: Error) => void) {
    socket.on('message', (bytes, info) => {
      // A handler that throws must not take the socket (and the process) down with it.
      try {
        this.handler(bytes, { host: info.address, port: info.port });
      } catch (error) {
        this.onError(error as Error);
      }
    });
    socket.on('error', (error) => this.onError(error));
  }

  static async bind(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket, options.onError ?? (() => {}));
  }

  send(bytes: Uint8Array, to: DatagramAddress): void {
    if (this.closed) return;
    this.socket.send(bytes, to.port, to.host, (error) => {
      if (error) this.onError(error);
    });
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  address(): DatagramAddress {
    const { address, port } = this.socket.address();
    return { host: address, port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
