import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Encrypts secrets at rest (trunk passwords) with AES-256-GCM.
// Format: "v1:" + base64(iv[12] | tag[16] | ciphertext).
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1:')) throw new Error('unknown secret format');
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * The configured key (32 bytes as 64 hex digits or base64), or the one kept in `<dataDir>/secret.key`, created with mode 0600 on first start.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured !== undefined) return decodeKey(configured);
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return decodeKey(fs.readFileSync(file, 'utf8').trim());
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}

function decodeKey(text: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const base64 = Buffer.from(text, 'base64');
  if (base64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(text)) return base64;
  throw new Error('HABLA_SECRET_KEY must be 32 bytes, written as 64 hex digits or base64');
}
