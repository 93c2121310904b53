import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  formatCryptoAttribute,
  formatInlineKey,
  generateMasterKey,
  parseCryptoAttribute,
  parseInlineKey,
} from './sdes.ts';

// The example key of RFC 4568 §9.1 (40 base64 characters = 30 bytes).
const RFC4568_KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';

test('parses the RFC 4568 example attribute, including a key lifetime', () => {
  const parsed = parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY}|2^20`);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.value.tag, 1);
  assert.equal(parsed.value.lifetime, '2^20');
  assert.equal(parsed.value.key.masterKey.length, 16);
  assert.equal(parsed.value.key.masterSalt.length, 14);
  assert.equal(formatInlineKey(parsed.value.key), `inline:${RFC4568_KEY}`);
});

test('generated keys use the injected randomness and round-trip through the attribute', () => {
  const key = generateMasterKey((size) => Buffer.alloc(size, 0xab));
  assert.deepEqual(key.masterKey, Buffer.alloc(16, 0xab));
  assert.deepEqual(key.masterSalt, Buffer.alloc(14, 0xab));
  const line = formatCryptoAttribute(2, key);
  assert.match(line, /^2 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/);
  const parsed = parseCryptoAttribute(line);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.key, key);
  const fresh = [generateMasterKey(), generateMasterKey()];
  assert.notDeepEqual(fresh[0], fresh[1], 'default randomness is crypto-random');
  assert.throws(() => generateMasterKey(() => Buffer.alloc(3)), RangeError);
});

test('refuses what we cannot honour: other suites, MKI, several keys, session parameters', () => {
  const refused = [
    `1 AES_CM_128_HMAC_SHA1_32 inline:${RFC4568_KEY}`,
    `1 AEAD_AES_128_GCM inline:${RFC4568_KEY}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY}|2^20|1:4`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY}|1:4`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY};inline:${RFC4568_KEY}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY} KDR=1`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY} UNENCRYPTED_SRTP`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY.slice(4)}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY}|banana`,
    `1 AES_CM_128_HMAC_SHA1_80 uri:${RFC4568_KEY}`,
    `x AES_CM_128_HMAC_SHA1_80 inline:${RFC4568_KEY}`,
    '1 AES_CM_128_HMAC_SHA1_80',
    '',
  ];
  for (const value of refused) assert.equal(parseCryptoAttribute(value).ok, false, value);
  assert.equal(parseInlineKey(`inline:${'!'.repeat(40)}`).ok, false);
});

test('arbitrary strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      assert.equal(typeof parseCryptoAttribute(text).ok, 'boolean');
      assert.equal(typeof parseInlineKey(`inline:${text}`).ok, 'boolean');
    }),
    { numRuns: 500 },
  );
});
