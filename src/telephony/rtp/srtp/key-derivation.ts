import { aesCmKeystream } from './aes-cm.ts';

/** Session keys of one direction for one protocol (RTP or RTCP). */
export interface SessionKeys {
  encryptionKey: Buffer; // 16 bytes, AES-128
  salt: Buffer; // 14 bytes
  authKey: Buffer; // 20 bytes, HMAC-SHA1
}

export interface DerivedKeys {
  rtp: SessionKeys;
  rtcp: SessionKeys;
}

export const MASTER_KEY_LENGTH = 16;
export const MASTER_SALT_LENGTH = 14;

/** Labels of RFC 3711 §4.3.1/§4.3.2. */
const LABEL = {
  rtpEncryption: 0x00,
  rtpAuth: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuth: 0x04,
  rtcpSalt: 0x05,
} as const;

/**
 * The AES-CM PRF of RFC 3711 §4.3.1 with key_derivation_rate 0 (what SDES negotiates unless a
 * KDR parameter is given, which we refuse): key_id = label · 2^48, x = key_id XOR master_salt,
 * and the output is the keystream starting at IV x · 2^16.
 */
export function deriveKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, MASTER_SALT_LENGTH);
  iv[7] ^= label; // byte 7 of the 14-byte x holds bits 48..55 of the 112-bit value
  return aesCmKeystream(masterKey, iv, length);
}

function sessionKeys(masterKey: Buffer, masterSalt: Buffer, enc: number, auth: number, salt: number): SessionKeys {
  return {
    encryptionKey: deriveKey(masterKey, masterSalt, enc, 16),
    authKey: deriveKey(masterKey, masterSalt, auth, 20),
    salt: deriveKey(masterKey, masterSalt, salt, 14),
  };
}

export function deriveSessionKeys(masterKey: Buffer, masterSalt: Buffer): DerivedKeys {
  if (masterKey.length !== MASTER_KEY_LENGTH || masterSalt.length !== MASTER_SALT_LENGTH) {
    throw new RangeError('SRTP master key must be 16 bytes and master salt 14 bytes');
  }
  return {
    rtp: sessionKeys(masterKey, masterSalt, LABEL.rtpEncryption, LABEL.rtpAuth, LABEL.rtpSalt),
    rtcp: sessionKeys(masterKey, masterSalt, LABEL.rtcpEncryption, LABEL.rtcpAuth, LABEL.rtcpSalt),
  };
}
