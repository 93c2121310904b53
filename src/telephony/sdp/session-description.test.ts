import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readAudioMedia } from './audio-media.ts';
import { MAX_SDP_LENGTH, parseSdp, serializeSdp } from './session-description.ts';
import { BARESIP_OFFER, BARESIP_SRTP_OFFER, CARRIER_OFFER, SIPP_UAC_OFFER } from './test-fixtures.ts';

describe('SDP parser', () => {
  it('reads the sipp uac offer', () => {
    const r = parseSdp(SIPP_UAC_OFFER);
    assert.ok(r.ok, !r.ok ? r.error : '');
    const sdp = r.value;
    assert.deepEqual(sdp.origin, { username: 'user1', sessionId: '53655765', sessionVersion: '2353687637', netType: 'IN', addrType: 'IP4', address: '127.0.1.1' });
    assert.equal(sdp.sessionName, '-');
    assert.deepEqual(sdp.connection, { netType: 'IN', addrType: 'IP4', address: '127.0.1.1' });
    assert.equal(sdp.media.length, 1);
    assert.deepEqual(sdp.media[0].formats, ['0']);
    const audio = readAudioMedia(sdp, 0)!;
    assert.deepEqual(audio.formats, [{ payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1 }]);
    assert.equal(audio.direction, 'sendrecv');
    assert.equal(audio.rtcpMux, false);
  });

  it('reads the baresip offer, codecs in order with rtpmap and fmtp', () => {
    const r = parseSdp(BARESIP_OFFER);
    assert.ok(r.ok);
    const audio = readAudioMedia(r.value, 0)!;
    assert.deepEqual(audio.formats.map((f) => `${f.payloadType} ${f.name}/${f.clockRate}/${f.channels}`), [
      '96 OPUS/48000/2',
      '9 G722/8000/1',
      '0 PCMU/8000/1',
      '8 PCMA/8000/1',
      '101 TELEPHONE-EVENT/8000/1',
    ]);
    assert.equal(audio.formats[4].fmtp, '0-15');
    assert.equal(audio.rtcpMux, true);
    assert.equal(audio.ptime, 20);
    assert.deepEqual(r.value.media[0].bandwidths, [{ type: 'AS', value: 128 }]);
  });

  it('reads the carrier offer with LF endings, a=rtcp, an extra rejected m= line and vendor attributes', () => {
    const r = parseSdp(CARRIER_OFFER);
    assert.ok(r.ok);
    assert.equal(r.value.sessionName, 'SIP Media Capabilities');
    assert.equal(r.value.media.length, 2);
    assert.equal(r.value.media[1].port, 0);
    const audio = readAudioMedia(r.value, 0)!;
    assert.equal(audio.rtcpPort, 27837);
    assert.equal(audio.address, '212.230.0.12');
    assert.ok(r.value.media[0].attributes.some((a) => a.name === 'X-vendor-opaque' && a.value === 'value with spaces'));
  });

  it('reads SDES crypto lines in order', () => {
    const r = parseSdp(BARESIP_SRTP_OFFER);
    assert.ok(r.ok);
    const audio = readAudioMedia(r.value, 0)!;
    assert.equal(audio.protocol, 'RTP/SAVP');
    assert.deepEqual(audio.crypto.map((c) => c.split(' ')[1]), ['AES_256_CM_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']);
  });

  it('serialises to CRLF text that parses back to the same description', () => {
    for (const text of [SIPP_UAC_OFFER, BARESIP_OFFER, BARESIP_SRTP_OFFER, CARRIER_OFFER]) {
      const first = parseSdp(text);
      assert.ok(first.ok);
      const out = serializeSdp(first.value);
      assert.ok(out.endsWith('\r\n') && !/[^\r]\n/.test(out), 'CRLF only');
      const again = parseSdp(out);
      assert.ok(again.ok);
      assert.deepEqual(again.value, first.value);
    }
    // Canonical inputs come back byte for byte.
    assert.equal(serializeSdp((parseSdp(BARESIP_OFFER) as { ok: true; value: never }).value), BARESIP_OFFER);
  });

  it('refuses what it cannot understand, with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /v=0/],
      ['v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n', /v=0/],
      ['v=0\r\ns=-\r\nt=0 0\r\n', /o=/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n', /s=/],
      ['v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n', /o=/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4\r\n', /c=/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio port RTP/AVP 0\r\n', /m=/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n', /port/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 4000 RTP/AVP\r\n', /m=/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nthis is not sdp\r\n', /malformed/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nv=0\r\n', /repeated/],
      ['v=0\r\n' + 'a=x\r\n'.repeat(MAX_SDP_LENGTH / 4), /too large/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n' + 'm=audio 1 RTP/AVP 0\r\n'.repeat(40), /too many/],
    ];
    for (const [text, reason] of cases) {
      const r = parseSdp(text);
      assert.ok(!r.ok, JSON.stringify(text.slice(0, 60)));
      assert.match(r.error, reason);
    }
  });

  it('never throws on hostile text: random, truncated fixtures and binary garbage', () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (s) => void parseSdp(s)), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.constantFrom(SIPP_UAC_OFFER, BARESIP_OFFER, CARRIER_OFFER, BARESIP_SRTP_OFFER), fc.nat(), fc.string({ maxLength: 20 }), (text, cut, junk) => {
        const r = parseSdp(text.slice(0, cut % text.length) + junk);
        if (r.ok) for (let i = 0; i < r.value.media.length; i++) readAudioMedia(r.value, i);
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => void parseSdp(Buffer.from(b).toString('latin1'))), { numRuns: 1000 });
    assert.ok(!parseSdp(undefined as unknown as string).ok);
  });
});
