import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

// Expiring links to a call's recording. The link itself is the credential (a browser <audio>
// element or a webhook consumer cannot send a bearer key), so it carries an expiry and an
// HMAC-SHA256 over the call id and that expiry. The HMAC key is derived from the installation's
// secret key with HKDF, so it is never the same bytes that encrypt trunk passwords.

export interface RecordingUrlSigner {
  /**
   * A link valid for the signer's lifetime, `<base>/recordings/<id>?expires=…&signature=…`.
   * `origin` (the requesting client's view of the server) is used unless a public base URL
   * was configured.
   */
  urlFor(callId: string, origin: string): string;
  /** Whether `signature` is ours for this call and `expires` (unix seconds) is still in the future. */
  verify(callId: string, expires: number, signature: string): boolean;
}

export interface RecordingUrlOptions {
  /** Seconds a link stays valid; one hour unless told. */
  ttlSeconds?: number;
  /** Where clients reach this server (e.g. behind a proxy): `https://habla.example.com`. */
  publicBaseUrl?: string;
  /** Milliseconds since the epoch; a fake clock in tests. */
  clock?: () => number;
}

export const RECORDING_PATH_PREFIX = '/recordings/';
const HKDF_INFO = 'habla/recording-url/v1';

export function createRecordingUrlSigner(secretKey: Buffer, options: RecordingUrlOptions = {}): RecordingUrlSigner {
  const key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), HKDF_INFO, 32));
  const ttl = options.ttlSeconds ?? 3600;
  const clock = options.clock ?? Date.now;
  const mac = (callId: string, expires: number) =>
    createHmac('sha256', key).update(`${callId}\n${expires}`).digest('base64url');

  return {
    urlFor(callId, origin) {
      const expires = Math.floor(clock() / 1000) + ttl;
      const base = (options.publicBaseUrl ?? origin).replace(/\/+$/, '');
      return `${base}${RECORDING_PATH_PREFIX}${callId}?expires=${expires}&signature=${mac(callId, expires)}`;
    },
    verify(callId, expires, signature) {
      if (!Number.isSafeInteger(expires) || expires * 1000 <= clock()) return false;
      const expected = Buffer.from(mac(callId, expires));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
