/**
 * The session's two sockets: routes incoming datagrams (RTCP by its packet type, RFC 5761,
 * whichever port it came in on), sends to the current destinations, and closes cleanly.
 * Socket handlers never throw: a failure in the layers above is reported and the datagram
 * dropped. Send failures are counted, never thrown (a closed socket included).
 */
import type dgram from 'node:dgram';
import { looksLikeRtcp } from '../rtp/index.ts';
import { isSendable, type Address, type RemoteEndpoint } from './remote-endpoint.ts';
import type { RtpSockets } from './types.ts';

export interface MediaWireHandlers {
  rtp(datagram: Buffer, from: Address): void;
  rtcp(datagram: Buffer, from: Address): void;
  /** A handler threw (a bug, not bad input: the cores return results). */
  failed(error: unknown, from: Address): void;
  socketError(error: Error): void;
}

const BYE_FLUSH_MS = 50; // how long close() waits for the last RTCP packet to leave

export class MediaWire {
  /** RTCP shares the RTP port (a=rtcp-mux). */
  rtcpMux: boolean;
  private closed = false;

  constructor(
    private readonly sockets: RtpSockets,
    private readonly endpoint: RemoteEndpoint,
    private readonly handlers: MediaWireHandlers,
    rtcpMux: boolean,
  ) {
    this.rtcpMux = rtcpMux;
    sockets.rtp.on('message', this.onRtpSocket);
    sockets.rtcp.on('message', this.onRtcpSocket);
    sockets.rtp.on('error', this.onError);
    sockets.rtcp.on('error', this.onError);
  }

  sendRtp(datagram: Uint8Array): void {
    this.send(this.sockets.rtp, datagram, this.endpoint.rtpDestination);
  }

  sendRtcp(datagram: Uint8Array, done?: () => void): void {
    this.send(this.rtcpMux ? this.sockets.rtp : this.sockets.rtcp, datagram, this.endpoint.rtcpDestination, done);
  }

  /** Stops receiving, lets `lastRtcp` (the BYE) leave, then closes both sockets. */
  async close(lastRtcp?: Uint8Array): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sockets.rtp.off('message', this.onRtpSocket);
    this.sockets.rtcp.off('message', this.onRtcpSocket);
    if (lastRtcp) {
      await new Promise<void>((resolve) => {
        setTimeout(resolve, BYE_FLUSH_MS).unref();
        this.sendRtcp(lastRtcp, resolve);
      });
    }
    await this.sockets.close();
    this.sockets.rtp.off('error', this.onError);
    this.sockets.rtcp.off('error', this.onError);
  }

  private send(socket: dgram.Socket, datagram: Uint8Array, to: Address, done?: () => void): void {
    if (!isSendable(to)) return done?.();
    try {
      socket.send(datagram, to.port, to.host, (error) => {
        if (error) this.handlers.socketError(error);
        done?.();
      });
    } catch (error) {
      // Synchronous throws: the socket was closed under us, or a bad address slipped through.
      this.handlers.socketError(error as Error);
      done?.();
    }
  }

  private dispatch(datagram: Buffer, info: dgram.RemoteInfo, viaRtcpPort: boolean): void {
    const from: Address = { host: info.address, port: info.port };
    try {
      if (viaRtcpPort || looksLikeRtcp(datagram)) this.handlers.rtcp(datagram, from);
      else this.handlers.rtp(datagram, from);
    } catch (error) {
      this.handlers.failed(error, from);
    }
  }

  private readonly onRtpSocket = (datagram: Buffer, info: dgram.RemoteInfo): void => this.dispatch(datagram, info, false);
  private readonly onRtcpSocket = (datagram: Buffer, info: dgram.RemoteInfo): void => this.dispatch(datagram, info, true);
  private readonly onError = (error: Error): void => this.handlers.socketError(error);
}
