import { createHmac, timingSafeEqual } from 'node:crypto';
import { aesCm, packetIv } from './aes-cm.ts';
import { type DerivedKeys, type SessionKeys, deriveSessionKeys } from './key-derivation.ts';
import { fail, ok, type SrtpResult } from './result.ts';
import { ReplayWindow } from './replay-window.ts';
import { estimateIndex, MAX_RTP_INDEX } from './rollover.ts';
import { readRtcpSenderSsrc, readRtpHeader } from './rtp-header.ts';

/** AES_CM_128_HMAC_SHA1_80: 80-bit tags for both SRTP and SRTCP (RFC 4568 §6.2.1). */
export const AUTH_TAG_LENGTH = 10;
const SRTCP_INDEX_LENGTH = 4;
const RTCP_CLEAR_PREFIX = 8; // RTCP header + sender SSRC stay in the clear (RFC 3711 §3.4)
const MAX_SRTCP_INDEX = 0x7fffffff;

export interface MasterKey {
  masterKey: Buffer; // 16 bytes
  masterSalt: Buffer; // 14 bytes
}

interface RtpStreamState {
  roc: number;
  highestSeq: number;
  window: ReplayWindow;
}

interface RtcpStreamState {
  nextIndex: number;
  window: ReplayWindow;
}

/**
 * One SRTP cryptographic context per master key, holding per-SSRC state (RFC 3711 §3.2).
 * With SDES each direction has its own key: protect outgoing media with a context built from
 * the key we offered, unprotect incoming media with one built from the peer's key. Pure
 * state, no I/O; not safe to share one context between sending and receiving the same SSRC.
 */
export class SrtpContext {
  readonly #keys: DerivedKeys;
  readonly #rtpStreams = new Map<number, RtpStreamState>();
  readonly #rtcpStreams = new Map<number, RtcpStreamState>();

  constructor(key: MasterKey) {
    this.#keys = deriveSessionKeys(key.masterKey, key.masterSalt);
  }

  /** RTP → SRTP: encrypt the payload, append the 80-bit tag. */
  protectRtp(input: Uint8Array): SrtpResult<Buffer> {
    const packet = asBuffer(input);
    const header = readRtpHeader(packet);
    if (!header) return fail('malformed', 'not an RTP packet');
    const stream = this.#rtpStream(header.ssrc, header.seq);
    const guess = estimateIndex(header.seq, stream.highestSeq, stream.roc);
    if (guess.roc < 0) return fail('too_old', 'sequence number precedes the first packet sent');
    if (guess.index > MAX_RTP_INDEX) return fail('index_exhausted', 'SRTP index exhausted; rekey');
    if (guess.index > stream.roc * 65536 + stream.highestSeq) {
      stream.roc = guess.roc;
      stream.highestSeq = header.seq;
    }
    const keys = this.#keys.rtp;
    const encrypted = Buffer.concat([
      packet.subarray(0, header.headerLength),
      aesCm(keys.encryptionKey, packetIv(keys.salt, header.ssrc, guess.index), packet.subarray(header.headerLength)),
    ]);
    return ok(Buffer.concat([encrypted, rtpTag(keys, encrypted, guess.roc)]));
  }

  /** SRTP → RTP: estimate the index, refuse replays, verify the tag, then decrypt. */
  unprotectRtp(input: Uint8Array): SrtpResult<Buffer> {
    const packet = asBuffer(input);
    const authenticated = packet.subarray(0, packet.length - AUTH_TAG_LENGTH);
    const header = packet.length >= AUTH_TAG_LENGTH ? readRtpHeader(authenticated) : undefined;
    if (!header) return fail('malformed', 'not an SRTP packet');
    const known = this.#rtpStreams.get(header.ssrc);
    const stream = known ?? { roc: 0, highestSeq: header.seq, window: new ReplayWindow() };
    const guess = estimateIndex(header.seq, stream.highestSeq, stream.roc);
    if (guess.roc < 0) return fail('too_old', 'packet precedes the first one received');
    const verdict = stream.window.check(guess.index);
    if (verdict !== 'new') return fail(verdict, `packet index ${guess.index} ${verdict.replace('_', ' ')}`);
    const keys = this.#keys.rtp;
    const expected = rtpTag(keys, authenticated, guess.roc);
    if (!timingSafeEqual(expected, packet.subarray(packet.length - AUTH_TAG_LENGTH))) {
      return fail('auth_failed', 'SRTP authentication tag mismatch');
    }
    // Only an authenticated packet may create state or move the ROC and the window.
    if (!known) this.#rtpStreams.set(header.ssrc, stream);
    if (guess.index > stream.roc * 65536 + stream.highestSeq) {
      stream.roc = guess.roc;
      stream.highestSeq = header.seq;
    }
    stream.window.accept(guess.index);
    const iv = packetIv(keys.salt, header.ssrc, guess.index);
    return ok(
      Buffer.concat([
        authenticated.subarray(0, header.headerLength),
        aesCm(keys.encryptionKey, iv, authenticated.subarray(header.headerLength)),
      ]),
    );
  }

  /** RTCP → SRTCP: encrypt after the first 8 bytes, append E|index and the tag. */
  protectRtcp(input: Uint8Array): SrtpResult<Buffer> {
    const packet = asBuffer(input);
    const ssrc = readRtcpSenderSsrc(packet);
    if (ssrc === undefined) return fail('malformed', 'not an RTCP packet');
    let stream = this.#rtcpStreams.get(ssrc);
    if (!stream) {
      // libsrtp increments before use, so its first SRTCP index is 1; we do the same.
      stream = { nextIndex: 1, window: new ReplayWindow() };
      this.#rtcpStreams.set(ssrc, stream);
    }
    if (stream.nextIndex > MAX_SRTCP_INDEX) return fail('index_exhausted', 'SRTCP index exhausted; rekey');
    const index = stream.nextIndex++;
    const keys = this.#keys.rtcp;
    const trailer = Buffer.alloc(SRTCP_INDEX_LENGTH);
    trailer.writeUInt32BE((0x80000000 | index) >>> 0);
    const body = Buffer.concat([
      packet.subarray(0, RTCP_CLEAR_PREFIX),
      aesCm(keys.encryptionKey, packetIv(keys.salt, ssrc, index), packet.subarray(RTCP_CLEAR_PREFIX)),
      trailer,
    ]);
    return ok(Buffer.concat([body, hmac80(keys, body)]));
  }

  /** SRTCP → RTCP. Accepts unencrypted (E=0) SRTCP too, which RFC 3711 allows. */
  unprotectRtcp(input: Uint8Array): SrtpResult<Buffer> {
    const packet = asBuffer(input);
    const minimum = RTCP_CLEAR_PREFIX + SRTCP_INDEX_LENGTH + AUTH_TAG_LENGTH;
    const ssrc = readRtcpSenderSsrc(packet);
    if (ssrc === undefined || packet.length < minimum) return fail('malformed', 'not an SRTCP packet');
    const authenticated = packet.subarray(0, packet.length - AUTH_TAG_LENGTH);
    const word = authenticated.readUInt32BE(authenticated.length - SRTCP_INDEX_LENGTH);
    const encrypted = (word & 0x80000000) !== 0;
    const index = word & MAX_SRTCP_INDEX;
    const stream = this.#rtcpStreams.get(ssrc) ?? { nextIndex: 1, window: new ReplayWindow() };
    const verdict = stream.window.check(index);
    if (verdict !== 'new') return fail(verdict, `SRTCP index ${index} ${verdict.replace('_', ' ')}`);
    const keys = this.#keys.rtcp;
    if (!timingSafeEqual(hmac80(keys, authenticated), packet.subarray(packet.length - AUTH_TAG_LENGTH))) {
      return fail('auth_failed', 'SRTCP authentication tag mismatch');
    }
    this.#rtcpStreams.set(ssrc, stream);
    stream.window.accept(index);
    const rest = authenticated.subarray(RTCP_CLEAR_PREFIX, authenticated.length - SRTCP_INDEX_LENGTH);
    const clear = encrypted ? aesCm(keys.encryptionKey, packetIv(keys.salt, ssrc, index), rest) : rest;
    return ok(Buffer.concat([packet.subarray(0, RTCP_CLEAR_PREFIX), clear]));
  }

  /** The sender's first sequence number anchors its ROC at 0 (RFC 3711 §3.3.1). */
  #rtpStream(ssrc: number, seq: number): RtpStreamState {
    let stream = this.#rtpStreams.get(ssrc);
    if (!stream) {
      stream = { roc: 0, highestSeq: seq, window: new ReplayWindow() };
      this.#rtpStreams.set(ssrc, stream);
    }
    return stream;
  }
}

/** Accept any Uint8Array (the RTP module produces those) without copying it. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** RFC 3711 §4.2: the RTP tag covers the authenticated portion followed by the 32-bit ROC. */
function rtpTag(keys: SessionKeys, authenticated: Buffer, roc: number): Buffer {
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc >>> 0);
  return createHmac('sha1', keys.authKey).update(authenticated).update(rocBytes).digest().subarray(0, AUTH_TAG_LENGTH);
}

function hmac80(keys: SessionKeys, data: Buffer): Buffer {
  return createHmac('sha1', keys.authKey).update(data).digest().subarray(0, AUTH_TAG_LENGTH);
}
