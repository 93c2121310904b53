import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aesCmKeystream, packetIv } from './aes-cm.ts';
import { deriveKey, deriveSessionKeys } from './key-derivation.ts';
import { SrtpContext } from './srtp-context.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('RFC 3711 B.2: AES-CM keystream segments', () => {
  const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const salt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');
  const iv = packetIv(salt, 0, 0);
  assert.equal(iv.toString('hex').toUpperCase(), 'F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
  const stream = aesCmKeystream(sessionKey, iv, 0xff02 * 16);
  const block = (n: number) => stream.subarray(n * 16, n * 16 + 16).toString('hex').toUpperCase();
  assert.equal(block(0x0000), 'E03EAD0935C95E80E166B16DD92B4EB4');
  assert.equal(block(0x0001), 'D23513162B02D0F72A43A2FE4A5F97AB');
  assert.equal(block(0x0002), '41E95B3BB0A2E8DD477901E4FCA894C0');
  assert.equal(block(0xfeff), 'EC8CDF7398607CB0F2D21675EA9EA1E4');
  assert.equal(block(0xff00), '362B7C3C6773516318A077D7FC5073AE');
  assert.equal(block(0xff01), '6A2CC3787889374FBEB4C81B17BA6C44');
});

test('RFC 3711 B.3: session keys from the master key and salt', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');
  const keys = deriveSessionKeys(masterKey, masterSalt);
  assert.equal(keys.rtp.encryptionKey.toString('hex').toUpperCase(), 'C61E7A93744F39EE10734AFE3FF7A087');
  assert.equal(keys.rtp.salt.toString('hex').toUpperCase(), '30CBBC08863D8C85D49DB34A9AE1');
  assert.equal(keys.rtp.authKey.toString('hex').toUpperCase(), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  // B.3 also lists the longer auth-key keystream; the first 20 bytes are the HMAC-SHA1 key.
  assert.equal(
    deriveKey(masterKey, masterSalt, 1, 32).toString('hex').toUpperCase(),
    'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE',
  );
  assert.notDeepEqual(keys.rtcp.encryptionKey, keys.rtp.encryptionKey, 'RTCP uses its own labels');
});

test('the master key must be 16 bytes and the salt 14', () => {
  assert.throws(() => deriveSessionKeys(Buffer.alloc(15), Buffer.alloc(14)), RangeError);
  assert.throws(() => deriveSessionKeys(Buffer.alloc(16), Buffer.alloc(16)), RangeError);
});

// Known answers from libsrtp's srtp_validate(), the reference every SIP endpoint interoperates with.
const LIBSRTP_KEY = {
  masterKey: hex('e1f97a0d3e018be0d64fa32c06de4139'),
  masterSalt: hex('0ec675ad498afeebb6960b3aabe6'),
};
const RTP_PLAIN = hex('800f1234decafbadcafebabe' + 'ab'.repeat(16));
const SRTP_CIPHER = hex('800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb');
const RTCP_PLAIN = hex('81c8000bcafebabe' + 'ab'.repeat(16));
const SRTCP_CIPHER = hex('81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798');

test('libsrtp known answer: SRTP protect and unprotect', () => {
  const sent = new SrtpContext(LIBSRTP_KEY).protectRtp(RTP_PLAIN);
  assert.ok(sent.ok);
  assert.equal(sent.value.toString('hex'), SRTP_CIPHER.toString('hex'));
  const received = new SrtpContext(LIBSRTP_KEY).unprotectRtp(SRTP_CIPHER);
  assert.ok(received.ok);
  assert.equal(received.value.toString('hex'), RTP_PLAIN.toString('hex'));
});

test('libsrtp known answer: SRTCP protect and unprotect', () => {
  const sent = new SrtpContext(LIBSRTP_KEY).protectRtcp(RTCP_PLAIN);
  assert.ok(sent.ok);
  assert.equal(sent.value.toString('hex'), SRTCP_CIPHER.toString('hex'));
  const received = new SrtpContext(LIBSRTP_KEY).unprotectRtcp(SRTCP_CIPHER);
  assert.ok(received.ok);
  assert.equal(received.value.toString('hex'), RTCP_PLAIN.toString('hex'));
});
