/** What the SIP endpoint needs from a datagram socket; the UDP shell and test fakes implement it. */
export interface DatagramAddress {
  readonly host: string;
  readonly port: number;
}

export type DatagramHandler = (bytes: Buffer, from: DatagramAddress) => void;

export interface DatagramTransport {
  /** Fire and forget: UDP loss is the transaction layer's business, send errors are only logged. */
  send(bytes: Uint8Array, to: DatagramAddress): void;
  /** One handler; a later call replaces it. */
  onDatagram(handler: DatagramHandler): void;
  /** The bound address (the real port when 0 was asked for). */
  address(): DatagramAddress;
  close(): Promise<void>;
}
