/**
 * How `media_encryption` (disable | allow | require) decides SDES-SRTP for one audio
 * section. Key parsing and generation come from the SRTP module, so the key format has one
 * owner. Only AES_CM_128_HMAC_SHA1_80 is usable; other suites' lines are skipped, not fatal.
 */
import { generateMasterKey, parseCryptoAttribute, type MasterKey } from '../rtp/srtp/index.ts';
import { err, ok, type Result } from '../result.ts';
import type { AudioMedia } from './audio-media.ts';

export type MediaEncryption = 'disable' | 'allow' | 'require';

export interface NegotiatedCrypto {
  suite: 'AES_CM_128_HMAC_SHA1_80';
  tag: number;
  /** Key the peer encrypts its packets with (we decrypt with it). */
  remoteKey: MasterKey;
  /** Key we encrypt with (the peer learns it from our SDP). */
  localKey: MasterKey;
}

export const isSecureProfile = (protocol: string): boolean => protocol.toUpperCase() === 'RTP/SAVP';

/** The first usable crypto line of a section, if any. */
export function firstUsableCrypto(media: AudioMedia): { tag: number; key: MasterKey } | undefined {
  for (const line of media.crypto) {
    const parsed = parseCryptoAttribute(line);
    if (parsed.ok) return { tag: parsed.value.tag, key: parsed.value.key };
  }
  return undefined;
}

/**
 * Decides SRTP for an offered section: `null` = plain RTP, a value = SRTP with these keys,
 * an error = this section cannot be accepted under the policy.
 *  - disable: RTP/SAVP is refused; crypto lines on RTP/AVP are ignored (plain RTP).
 *  - allow: SRTP when a usable crypto line is offered; plain RTP/AVP otherwise.
 *  - require: SRTP or nothing. Crypto on RTP/AVP (best-effort SRTP, as baresip's
 *    `mediaenc=srtp` sends) is accepted: the keys and the transform are the same.
 */
export function decideOfferedCrypto(
  media: AudioMedia,
  policy: MediaEncryption,
  localKey: () => MasterKey,
): Result<NegotiatedCrypto | null> {
  const secure = isSecureProfile(media.protocol);
  if (policy === 'disable') return secure ? err('SRTP offered but media encryption is disabled') : ok(null);
  const usable = firstUsableCrypto(media);
  if (!usable) {
    if (secure) return err(media.crypto.length ? 'no supported SRTP crypto suite offered' : 'RTP/SAVP offered without a=crypto');
    return policy === 'require' ? err('media encryption is required but the offer has no SRTP crypto') : ok(null);
  }
  return ok({ suite: 'AES_CM_128_HMAC_SHA1_80', tag: usable.tag, remoteKey: usable.key, localKey: localKey() });
}

export function newLocalKey(random?: (size: number) => Buffer): MasterKey {
  return random ? generateMasterKey(random) : generateMasterKey();
}
