import { createCipheriv } from 'node:crypto';

/**
 * AES in counter mode as SRTP defines it (RFC 3711 §4.1.1): the 128-bit IV is the first
 * counter block and each following block adds one. SRTP IVs end in 16 zero bits and a packet
 * never needs 2^16 blocks, so OpenSSL's full-width CTR increment gives the same counters.
 */
export function aesCm(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** `length` bytes of raw keystream (AES-CM over zeros); used by the KDF and the B.2 vectors. */
export function aesCmKeystream(key: Buffer, iv: Buffer, length: number): Buffer {
  return aesCm(key, iv, Buffer.alloc(length));
}

/**
 * The per-packet IV (RFC 3711 §4.1.1): (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16).
 * The 48-bit index fits a JS number exactly; it is written as 16 + 32 bits.
 */
export function packetIv(sessionSalt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  sessionSalt.copy(iv, 0, 0, 14);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const high = Math.floor(index / 2 ** 32);
  const low = index >>> 0;
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ high, 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ low) >>> 0, 10);
  return iv;
}
