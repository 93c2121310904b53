/**
 * What the SIP endpoint needs from a connection-oriented transport (TCP). Messages, not bytes,
 * cross this boundary: the transport cuts its byte stream with a framer the SIP layer provides,
 * so the transport itself knows nothing about SIP.
 */
import type { DatagramAddress } from './datagram-transport.ts';

/** How the bytes at the start of a connection's buffer begin. */
export type StreamFrame =
  /** Not enough bytes yet to tell. */
  | { readonly kind: 'incomplete' }
  /** A keep-alive ping (RFC 5626 §3.5.1: CRLF CRLF): answered with a pong, then dropped. */
  | { readonly kind: 'ping'; readonly length: number }
  /** Bytes that carry nothing (a pong, stray line ends): dropped. */
  | { readonly kind: 'skip'; readonly length: number }
  /** One whole message of `length` bytes. */
  | { readonly kind: 'message'; readonly length: number }
  /** The stream cannot be cut into messages any more: the connection must close. */
  | { readonly kind: 'invalid'; readonly reason: string };

export type StreamFramer = (buffer: Buffer) => StreamFrame;

/** A message and the connection's remote end (where a reply on that connection goes). */
export type StreamMessageHandler = (bytes: Buffer, from: DatagramAddress) => void;

export interface StreamTransport {
  /**
   * Sends on the open connection to `to` (either side may have opened it) or opens one.
   * `onFailure` runs, never synchronously, when the bytes cannot be handed over (connection
   * refused or timed out, closed under us, peer not reading).
   */
  send(bytes: Uint8Array, to: DatagramAddress, onFailure?: (error: Error) => void): void;
  onMessage(handler: StreamMessageHandler): void;
  /** A connection refused or closed by our limits (a peer misbehaving, or idle); one handler. */
  onDrop(handler: (reason: string, peer: DatagramAddress, detail?: string) => void): void;
  /** Whether a connection to `to` is open (either side opened it). */
  hasConnection(to: DatagramAddress): boolean;
  /** Keeps the connection to `to` open however long it is idle (a dialog lives on it); counted. */
  retain(to: DatagramAddress): void;
  release(to: DatagramAddress): void;
  address(): DatagramAddress;
  close(): Promise<void>;
}
