/**
 * Where the peer's media goes, and from whom we take it (symmetric RTP, RFC 4961; "latching").
 *
 * We start by sending to the address in the SDP. The first valid packet from the peer — one
 * that parsed, carries a negotiated payload type and passed SRTP — fixes the real address:
 * behind NAT the SDP names a private address, and the peer's packets show the public one.
 * After that only packets from the latched address are taken, which stops strangers from
 * injecting audio into the call (the "RTP bleed" class of attacks). Exceptions: an SRTP
 * packet that authenticates proves it comes from the key holder, so it may move the latch
 * (a NAT rebinding mid-call); and a re-INVITE with a new address starts the learning again.
 */
import type { NegotiatedMedia } from '../sdp/index.ts';

export interface Address {
  host: string;
  port: number;
}

const sameAddress = (a: Address, b: Address): boolean => a.port === b.port && a.host === b.host;

export type LatchVerdict = 'accepted' | 'latched' | 'wrong-source';

export class RemoteEndpoint {
  private rtp: Address;
  private rtpLatched = false;
  private rtcpSource: Address | undefined;
  private media: NegotiatedMedia;

  constructor(media: NegotiatedMedia) {
    this.media = media;
    this.rtp = { host: media.remoteAddress, port: media.remotePort };
  }

  update(media: NegotiatedMedia): void {
    const moved =
      media.remoteAddress !== this.media.remoteAddress ||
      media.remotePort !== this.media.remotePort ||
      media.remoteRtcpPort !== this.media.remoteRtcpPort ||
      media.rtcpMux !== this.media.rtcpMux;
    this.media = media;
    if (!moved) return;
    this.rtp = { host: media.remoteAddress, port: media.remotePort };
    this.rtpLatched = false;
    this.rtcpSource = undefined;
  }

  /** A valid RTP packet arrived from `from`: take it (latching if first) or refuse it. */
  acceptRtp(from: Address, authenticated: boolean): LatchVerdict {
    if (this.rtpLatched && sameAddress(from, this.rtp)) return 'accepted';
    if (this.rtpLatched && !authenticated) return 'wrong-source';
    this.rtp = { host: from.host, port: from.port };
    this.rtpLatched = true;
    return 'latched';
  }

  /**
   * Plain RTCP only feeds statistics and keeps the call alive, so it is taken from the peer's
   * hosts (the SDP's or the latched one), any port. (SRTCP is judged by its tag instead.)
   */
  isPeerHost(from: Address): boolean {
    return from.host === this.media.remoteAddress || from.host === this.rtp.host;
  }

  /** A valid RTCP packet came from `from`: send our reports there (symmetric RTCP). */
  latchRtcp(from: Address): void {
    this.rtcpSource = { host: from.host, port: from.port };
  }

  get rtpDestination(): Address {
    return this.rtp;
  }

  get latched(): boolean {
    return this.rtpLatched;
  }

  get rtcpDestination(): Address {
    if (this.rtcpSource) return this.rtcpSource;
    if (this.media.rtcpMux) return this.rtp;
    // Latched to a NAT mapping the SDP did not name: the RTCP mapping is usually the next port.
    const port = this.rtpLatched && this.rtp.port !== this.media.remotePort ? this.rtp.port + 1 : this.media.remoteRtcpPort;
    return { host: this.rtp.host, port };
  }
}

/** Old-style hold (c=0.0.0.0) and port 0 are "send nothing here". */
export function isSendable(address: Address): boolean {
  return address.port > 0 && address.port <= 65535 && address.host !== '0.0.0.0' && address.host !== '::' && address.host !== '';
}
