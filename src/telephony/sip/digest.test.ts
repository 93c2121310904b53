import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDigestResponse, digestHa1, formatNonceCount } from './digest.ts';
import { answerChallenge, chooseChallenge, parseChallenge, type DigestChallenge } from './digest-client.ts';
import { buildChallenge, parseAuthorization, verifyAuthorization } from './digest-server.ts';
import type { Result } from './result.ts';

function value<T>(r: Result<T>): T {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('digest vectors', () => {
  it('RFC 2617 §3.5 "Mufasa" example (MD5, qop=auth)', () => {
    const challenge = value(parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'));
    assert.deepEqual(challenge.qop, ['auth', 'auth-int']);
    assert.equal(challenge.algorithm, 'MD5');
    const answer = answerChallenge({ challenge, username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b' });
    assert.equal(answer.response, '6629fae49393a05397450978507c4ef1');
    assert.equal(answer.header, 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001');
  });

  it('RFC 7616 §3.9.1 example with MD5 and with SHA-256 (the algorithm RFC 8760 brings to SIP)', () => {
    const base = 'Digest realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const input = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
    const md5 = answerChallenge({ challenge: value(parseChallenge(`${base}, algorithm=MD5`)), ...input });
    assert.equal(md5.response, '8ca523f5e9506fed4657c9700eebdbec');
    const sha = answerChallenge({ challenge: value(parseChallenge(`${base}, algorithm=SHA-256`)), ...input });
    assert.equal(sha.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.match(sha.header, /algorithm=SHA-256/);
  });

  it('RFC 2069 compatibility when the challenge has no qop', () => {
    const challenge = value(parseChallenge('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'));
    const answer = answerChallenge({ challenge, username: 'Mufasa', password: 'CircleOfLife', method: 'GET', uri: '/dir/index.html' });
    assert.equal(answer.response, '1949323746fe6a43ef61f9606e7febea');
    assert.equal(answer.cnonce, undefined);
    assert.doesNotMatch(answer.header, /qop|nc=|cnonce/);
  });
});

describe('digest client', () => {
  const challenge = (extra = ''): DigestChallenge => value(parseChallenge(`Digest realm="sip.example.net", nonce="n1", qop="auth"${extra}`));

  it('parses stale, opaque, domain and algorithm case-insensitively; refuses what it cannot answer', () => {
    const c = value(parseChallenge('digest REALM="r", nonce="n", stale=TRUE, algorithm=sha-256-sess, domain="sip:a.example", opaque="o"'));
    assert.deepEqual([c.realm, c.stale, c.algorithm, c.domain, c.opaque, c.qop], ['r', true, 'SHA-256-sess', 'sip:a.example', 'o', []]);
    assert.equal((parseChallenge('Basic realm="r"') as { error: { code: string } }).error.code, 'unsupported_algorithm');
    assert.equal((parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256') as { error: { code: string } }).error.code, 'unsupported_algorithm');
    assert.equal((parseChallenge('Digest realm="r", nonce="n", qop="auth-conf"') as { error: { code: string } }).error.code, 'unsupported_qop');
    for (const bad of ['Digest nonce="n"', 'Digest realm="r"', 'Digest realm="r, nonce="n"', 'Digest', 'Digest realm=r r, nonce=n', '']) {
      assert.equal(parseChallenge(bad).ok, false, bad);
    }
  });

  it('takes the topmost challenge it supports (RFC 8760 §2.4)', () => {
    const c = value(chooseChallenge([
      'Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
    ]));
    assert.equal(c.algorithm, 'SHA-256');
    assert.equal(chooseChallenge(['Basic realm="x"']).ok, false);
    assert.equal(chooseChallenge([]).ok, false);
  });

  it('counts nonce uses and draws the cnonce from the injected randomness', () => {
    const answer = answerChallenge({ challenge: challenge(), username: 'u', password: 'p', method: 'INVITE', uri: 'sip:+34600111222@sip.example.net', nonceCount: 3, randomBytes: (n) => new Uint8Array(n).fill(0xab) });
    assert.equal(answer.nc, '00000003');
    assert.equal(answer.cnonce, 'ab'.repeat(12));
    const fresh = answerChallenge({ challenge: challenge(), username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x@y' });
    assert.match(fresh.cnonce ?? '', /^[0-9a-f]{24}$/);
    assert.equal(formatNonceCount(0xffffffff), 'ffffffff');
  });

  it('uses auth-int with the body hash when that is all the server offers', () => {
    const c = value(parseChallenge('Digest realm="r", nonce="n", qop="auth-int"'));
    const a = answerChallenge({ challenge: c, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x@y', body: 'v=0\r\n', cnonce: 'c' });
    assert.equal(a.qop, 'auth-int');
    const other = answerChallenge({ challenge: c, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x@y', body: 'v=1\r\n', cnonce: 'c' });
    assert.notEqual(a.response, other.response, 'the body is covered');
  });

  it('escapes quotes in the username', () => {
    const a = answerChallenge({ challenge: challenge(), username: 'a"b\\c', password: 'p', method: 'BYE', uri: 'sip:x@y', cnonce: 'c' });
    assert.equal(value(parseAuthorization(a.header)).username, 'a"b\\c');
  });
});

describe('digest verifier', () => {
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const) {
    it(`accepts the right password and refuses a wrong one (${algorithm})`, () => {
      const header = buildChallenge({ realm: 'habla', nonce: 'abc123', opaque: 'op', algorithm, qop: ['auth'] });
      const c = value(parseChallenge(header));
      assert.equal(c.algorithm, algorithm);
      const good = answerChallenge({ challenge: c, username: '1001', password: 's3cret', method: 'REGISTER', uri: 'sip:habla.example', cnonce: 'xyz' });
      const creds = value(parseAuthorization(good.header));
      assert.equal(verifyAuthorization({ authorization: creds, method: 'REGISTER', password: 's3cret' }), true);
      assert.equal(verifyAuthorization({ authorization: creds, method: 'REGISTER', ha1: digestHa1(algorithm, '1001', 'habla', 's3cret') }), true);
      assert.equal(verifyAuthorization({ authorization: creds, method: 'REGISTER', password: 'wrong' }), false);
      assert.equal(verifyAuthorization({ authorization: creds, method: 'INVITE', password: 's3cret' }), false, 'the method is covered');
    });
  }

  it('verifies a qop-less answer and refuses malformed credentials', () => {
    const response = computeDigestResponse({ algorithm: 'MD5', username: 'u', realm: 'r', password: 'p', nonce: 'n', method: 'BYE', uri: 'sip:a@b' });
    const creds = value(parseAuthorization(`Digest username="u", realm="r", nonce="n", uri="sip:a@b", response="${response.toUpperCase()}"`));
    assert.equal(verifyAuthorization({ authorization: creds, method: 'BYE', password: 'p' }), true);
    for (const bad of [
      'Digest realm="r", nonce="n", uri="u", response="x"',
      'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth',
      'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=1, cnonce="c"',
      'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth-conf, nc=00000001, cnonce="c"',
      'Digest username="u", realm="r", nonce="n", uri="u", response="x", algorithm=AKAv1-MD5',
    ]) {
      assert.equal(parseAuthorization(bad).ok, false, bad);
    }
    const short = value(parseAuthorization('Digest username="u", realm="r", nonce="n", uri="sip:a@b", response="abc"'));
    assert.equal(verifyAuthorization({ authorization: short, method: 'BYE', password: 'p' }), false);
  });

  it('builds a challenge with stale and no qop', () => {
    assert.equal(buildChallenge({ realm: 'r', nonce: 'n', qop: [], stale: true }), 'Digest realm="r", nonce="n", algorithm=MD5, stale=TRUE');
  });
});
