/**
 * The packet transform between the session and the wire: identity for plain RTP, SRTP/SRTCP
 * (SDES keys from the SDP) otherwise. A re-INVITE that repeats the same keys keeps the
 * contexts, because their rollover counters and replay windows must survive it; new keys
 * start new contexts.
 */
import { SrtpContext, type MasterKey, type SrtpError } from '../rtp/srtp/index.ts';
import type { NegotiatedCrypto } from '../sdp/index.ts';
import type { Result } from '../result.ts';

type Transformed = Result<Uint8Array, SrtpError>;

export class SrtpTransform {
  private tx: SrtpContext | undefined;
  private rx: SrtpContext | undefined;
  private crypto: NegotiatedCrypto | null = null;

  constructor(crypto: NegotiatedCrypto | null) {
    this.update(crypto);
  }

  get secure(): boolean {
    return this.crypto !== null;
  }

  update(crypto: NegotiatedCrypto | null): void {
    const previous = this.crypto;
    this.crypto = crypto;
    if (!crypto) {
      this.tx = this.rx = undefined;
      return;
    }
    if (!previous || !sameKey(previous.localKey, crypto.localKey)) this.tx = new SrtpContext(crypto.localKey);
    if (!previous || !sameKey(previous.remoteKey, crypto.remoteKey)) this.rx = new SrtpContext(crypto.remoteKey);
  }

  protectRtp(packet: Uint8Array): Transformed {
    return this.tx ? this.tx.protectRtp(packet) : { ok: true, value: packet };
  }

  unprotectRtp(packet: Uint8Array): Transformed {
    return this.rx ? this.rx.unprotectRtp(packet) : { ok: true, value: packet };
  }

  protectRtcp(packet: Uint8Array): Transformed {
    return this.tx ? this.tx.protectRtcp(packet) : { ok: true, value: packet };
  }

  unprotectRtcp(packet: Uint8Array): Transformed {
    return this.rx ? this.rx.unprotectRtcp(packet) : { ok: true, value: packet };
  }
}

function sameKey(a: MasterKey, b: MasterKey): boolean {
  return a.masterKey.equals(b.masterKey) && a.masterSalt.equals(b.masterSalt);
}
