import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createRecordingUrlSigner } from './recording-url.ts';

const CALL = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const OTHER_CALL = '3c90c3cc-0d44-4b50-8888-8dd25736052b';

function parse(url: string) {
  const u = new URL(url);
  return { u, expires: Number(u.searchParams.get('expires')), signature: u.searchParams.get('signature')! };
}

describe('recording URL signer', () => {
  it('signs a link for the call that verifies until it expires', () => {
    let now = Date.parse('2026-05-01T10:00:00Z');
    const signer = createRecordingUrlSigner(randomBytes(32), { ttlSeconds: 600, clock: () => now });
    const { u, expires, signature } = parse(signer.urlFor(CALL, 'http://127.0.0.1:3000'));
    assert.equal(u.origin, 'http://127.0.0.1:3000');
    assert.equal(u.pathname, `/recordings/${CALL}`);
    assert.equal(expires, Date.parse('2026-05-01T10:10:00Z') / 1000);
    assert.ok(signer.verify(CALL, expires, signature));
    now += 599_000;
    assert.ok(signer.verify(CALL, expires, signature));
    now += 1_000;
    assert.ok(!signer.verify(CALL, expires, signature), 'expired at the announced second');
  });

  it('rejects another call, a moved expiry, a tampered signature and another key', () => {
    const key = randomBytes(32);
    const signer = createRecordingUrlSigner(key);
    const { expires, signature } = parse(signer.urlFor(CALL, 'http://x'));
    assert.ok(!signer.verify(OTHER_CALL, expires, signature));
    assert.ok(!signer.verify(CALL, expires + 3600, signature));
    assert.ok(!signer.verify(CALL, expires, signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')));
    assert.ok(!signer.verify(CALL, expires, ''));
    assert.ok(!signer.verify(CALL, Number.NaN, signature));
    assert.ok(!createRecordingUrlSigner(randomBytes(32)).verify(CALL, expires, signature));
    assert.ok(createRecordingUrlSigner(key).verify(CALL, expires, signature), 'same secret, same links after a restart');
  });

  it('uses the configured public URL instead of the request origin', () => {
    const signer = createRecordingUrlSigner(randomBytes(32), { publicBaseUrl: 'https://habla.example.com/' });
    assert.ok(signer.urlFor(CALL, 'http://10.0.0.5:3000').startsWith(`https://habla.example.com/recordings/${CALL}?expires=`));
  });
});
