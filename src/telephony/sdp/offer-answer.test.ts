import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readAudioMedia } from './audio-media.ts';
import { acceptAnswer, answerOffer, createOffer, type LocalMediaParams } from './offer-answer.ts';
import { parseSdp } from './session-description.ts';
import {
  BARESIP_KEY_80,
  BARESIP_OFFER,
  BARESIP_SRTP_OFFER,
  CARRIER_HOLD_OLD_STYLE,
  CARRIER_HOLD_SENDONLY,
  CARRIER_OFFER,
  DUAL_LINE_OFFER,
  SIPP_UAC_OFFER,
} from './test-fixtures.ts';

/** Deterministic key material: byte i of every draw is `seed`. */
const fixedRandom = (seed: number) => (size: number) => Buffer.alloc(size, seed);

const LOCAL: LocalMediaParams = { address: '203.0.113.5', port: 40000, sessionId: '42', sessionVersion: '1', random: fixedRandom(7) };

function answerLines(sdp: string): string[] {
  return sdp.trimEnd().split('\r\n');
}

describe('answering real offers', () => {
  it('sipp uac: PCMU only, no DTMF, no mux', () => {
    const r = answerOffer(SIPP_UAC_OFFER, LOCAL);
    assert.ok(r.ok, !r.ok ? r.error.reason : '');
    assert.deepEqual(r.value.media, {
      remoteAddress: '127.0.1.1',
      remotePort: 6000,
      remoteRtcpPort: 6001,
      rtcpMux: false,
      payloadType: 0,
      codec: 'PCMU',
      clockRate: 8000,
      dtmfPayloadType: null,
      ptime: 20,
      direction: 'sendrecv',
      remoteHold: false,
      profile: 'RTP/AVP',
      crypto: null,
    });
    assert.deepEqual(answerLines(r.value.sdp), [
      'v=0',
      'o=habla 42 1 IN IP4 203.0.113.5',
      's=habla',
      'c=IN IP4 203.0.113.5',
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=ptime:20',
      'a=sendrecv',
    ]);
  });

  it('baresip: skips opus and G.722, takes its first G.711 (PCMU), keeps PT 101 for DTMF, muxes RTCP', () => {
    const r = answerOffer(BARESIP_OFFER, LOCAL);
    assert.ok(r.ok);
    const m = r.value.media;
    assert.equal(m.codec, 'PCMU');
    assert.equal(m.payloadType, 0);
    assert.equal(m.dtmfPayloadType, 101);
    assert.equal(m.rtcpMux, true);
    assert.equal(m.remoteRtcpPort, 10246);
    assert.equal(m.remotePtime, 20);
    const lines = answerLines(r.value.sdp);
    assert.ok(lines.includes('m=audio 40000 RTP/AVP 0 101'));
    assert.ok(lines.includes('a=rtpmap:101 telephone-event/8000'));
    assert.ok(lines.includes('a=fmtp:101 0-16'));
    assert.ok(lines.includes('a=rtcp-mux'));
    assert.ok(!lines.some((l) => /opus|G722|ssrc|label/i.test(l)), 'nothing of theirs we do not do');
  });

  it('baresip: our codec preference can exclude PCMU', () => {
    const r = answerOffer(BARESIP_OFFER, { ...LOCAL, codecs: ['PCMA'] });
    assert.ok(r.ok && r.value.media.codec === 'PCMA' && r.value.media.payloadType === 8);
    assert.ok(!answerOffer(SIPP_UAC_OFFER, { ...LOCAL, codecs: ['PCMA'] }).ok);
  });

  it('carrier: ignores G.729 and CN, answers PCMA, honours a=rtcp, rejects the video line with port 0', () => {
    const r = answerOffer(CARRIER_OFFER, { ...LOCAL, rtcpMux: false });
    assert.ok(r.ok);
    assert.equal(r.value.media.codec, 'PCMA');
    assert.equal(r.value.media.remoteRtcpPort, 27837);
    assert.equal(r.value.media.remoteAddress, '212.230.0.12');
    const lines = answerLines(r.value.sdp);
    assert.ok(lines.includes('m=audio 40000 RTP/AVP 8 101'));
    assert.equal(lines[lines.length - 1], 'm=video 0 RTP/AVP 34', 'same number of m= lines, video refused');
  });

  it('hold: a=sendonly is answered recvonly; c=0.0.0.0 (old style) also stops our sending', () => {
    for (const hold of [CARRIER_HOLD_SENDONLY, CARRIER_HOLD_OLD_STYLE]) {
      const r = answerOffer(hold, LOCAL);
      assert.ok(r.ok);
      assert.equal(r.value.media.direction, 'recvonly');
      assert.equal(r.value.media.remoteHold, true);
      assert.ok(answerLines(r.value.sdp).includes('a=recvonly'));
    }
    const inactive = answerOffer(CARRIER_OFFER.replace('a=sendrecv', 'a=inactive'), LOCAL);
    assert.ok(inactive.ok && inactive.value.media.direction === 'inactive');
    const recvonly = answerOffer(CARRIER_OFFER.replace('a=sendrecv', 'a=recvonly'), LOCAL);
    assert.ok(recvonly.ok && recvonly.value.media.direction === 'sendonly' && !recvonly.value.media.remoteHold);
    // Unhold: the next offer is sendrecv again.
    const resumed = answerOffer(CARRIER_OFFER, LOCAL);
    assert.ok(resumed.ok && resumed.value.media.direction === 'sendrecv');
    // Our own hold (local direction sendonly) against a sendrecv offer.
    const ours = answerOffer(CARRIER_OFFER, { ...LOCAL, direction: 'sendonly' });
    assert.ok(ours.ok && ours.value.media.direction === 'sendonly');
  });

  it('fails with 488 and a reason when nothing is acceptable', () => {
    const noCodec = SIPP_UAC_OFFER.replace('RTP/AVP 0', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000');
    const cases: Array<[string, RegExp]> = [
      [noCodec, /no common codec/],
      [SIPP_UAC_OFFER.replace('m=audio', 'm=video'), /no audio/],
      [SIPP_UAC_OFFER.replace('RTP/AVP', 'UDP/TLS/RTP/SAVPF'), /unsupported transport/],
      [SIPP_UAC_OFFER.replace('m=audio 6000', 'm=audio 0'), /no audio/],
      ['garbage', /unparseable/],
    ];
    for (const [offer, reason] of cases) {
      const r = answerOffer(offer, LOCAL);
      assert.ok(!r.ok);
      assert.equal(r.error.status, 488);
      assert.match(r.error.reason, reason);
    }
  });

  it('never throws on hostile offers', () => {
    fc.assert(
      fc.property(fc.constantFrom(SIPP_UAC_OFFER, BARESIP_OFFER, CARRIER_OFFER, BARESIP_SRTP_OFFER), fc.nat(), fc.string({ maxLength: 30 }), fc.constantFrom('disable', 'allow', 'require'), (text, cut, junk, encryption) => {
        const at = cut % text.length;
        answerOffer(text.slice(0, at) + junk + text.slice(at), { ...LOCAL, encryption: encryption as 'allow' });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('media_encryption policy (SDES-SRTP)', () => {
  const plain = BARESIP_OFFER;
  const savp = BARESIP_SRTP_OFFER;
  const avpWithCrypto = BARESIP_SRTP_OFFER.replace('RTP/SAVP', 'RTP/AVP');

  it('require: takes the first supported suite from an RTP/SAVP offer and answers with our key under its tag', () => {
    const r = answerOffer(savp, { ...LOCAL, encryption: 'require' });
    assert.ok(r.ok, !r.ok ? r.error.reason : '');
    const c = r.value.media.crypto!;
    assert.equal(c.tag, 2, 'AES_256 (tag 1) skipped');
    assert.equal(Buffer.concat([c.remoteKey.masterKey, c.remoteKey.masterSalt]).toString('base64'), BARESIP_KEY_80);
    assert.deepEqual(Buffer.concat([c.localKey.masterKey, c.localKey.masterSalt]), Buffer.alloc(30, 7));
    const lines = answerLines(r.value.sdp);
    assert.ok(lines.includes('m=audio 40000 RTP/SAVP 0 101'));
    assert.deepEqual(lines.filter((l) => l.startsWith('a=crypto')), [`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.alloc(30, 7).toString('base64')}`]);
  });

  it('require: refuses a plain offer, accepts crypto offered on RTP/AVP', () => {
    const r = answerOffer(plain, { ...LOCAL, encryption: 'require' });
    assert.ok(!r.ok);
    assert.match(r.error.reason, /required/);
    const best = answerOffer(avpWithCrypto, { ...LOCAL, encryption: 'require' });
    assert.ok(best.ok && best.value.media.crypto?.tag === 2 && best.value.media.profile === 'RTP/AVP');
  });

  it('require: refuses an offer whose only suites we cannot do', () => {
    const only32 = savp.split('\r\n').filter((l) => !l.includes('AES_CM_128_HMAC_SHA1_80')).join('\r\n');
    const r = answerOffer(only32, { ...LOCAL, encryption: 'require' });
    assert.ok(!r.ok);
    assert.match(r.error.reason, /no supported SRTP crypto suite/);
  });

  it('allow: plain stays plain, SAVP and best-effort crypto become SRTP', () => {
    const a = { ...LOCAL, encryption: 'allow' as const };
    const p = answerOffer(plain, a);
    assert.ok(p.ok && p.value.media.crypto === null && !p.value.sdp.includes('a=crypto'));
    const s = answerOffer(savp, a);
    assert.ok(s.ok && s.value.media.crypto !== null);
    const b = answerOffer(avpWithCrypto, a);
    assert.ok(b.ok && b.value.media.crypto !== null);
  });

  it('disable: refuses SAVP-only offers, ignores crypto on RTP/AVP, and prefers a plain alternative when one is offered', () => {
    const d = { ...LOCAL, encryption: 'disable' as const };
    const s = answerOffer(savp, d);
    assert.ok(!s.ok);
    assert.match(s.error.reason, /disabled/);
    const b = answerOffer(avpWithCrypto, d);
    assert.ok(b.ok && b.value.media.crypto === null && !b.value.sdp.includes('a=crypto'));
    // Two audio lines, SRTP first then plain (a common "SRTP if you can" offer): the second is taken.
    const both = savp + avpWithCrypto.split('\r\n').slice(5).join('\r\n');
    const r = answerOffer(both, d);
    assert.ok(r.ok, !r.ok ? r.error.reason : '');
    assert.equal(r.value.description.media[0].port, 0);
    assert.equal(r.value.description.media[1].port, 40000);
  });
});

describe('an offer with a plain and an SRTP audio line', () => {
  it('takes the plain line when encryption is disabled, the SRTP one otherwise; the other gets port 0', () => {
    const expectations = [
      ['disable', 0, null],
      ['allow', 1, 1],
      ['require', 1, 1],
    ] as const;
    for (const [encryption, taken, tag] of expectations) {
      const r = answerOffer(DUAL_LINE_OFFER, { ...LOCAL, encryption });
      assert.ok(r.ok, `${encryption}: ${!r.ok ? r.error.reason : ''}`);
      assert.deepEqual(r.value.description.media.map((m) => m.port), taken === 0 ? [40000, 0] : [0, 40000], encryption);
      assert.equal(r.value.media.crypto?.tag ?? null, tag);
      assert.equal(r.value.media.codec, 'PCMA');
      assert.equal(r.value.media.dtmfPayloadType, 116);
    }
  });
});

describe('our offers', () => {
  it('offers PCMA, PCMU and telephone-event at 20 ms, plain under disable', () => {
    const offer = createOffer(LOCAL);
    assert.deepEqual(answerLines(offer.sdp), [
      'v=0',
      'o=habla 42 1 IN IP4 203.0.113.5',
      's=habla',
      'c=IN IP4 203.0.113.5',
      't=0 0',
      'm=audio 40000 RTP/AVP 8 0 101',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendrecv',
      'a=rtcp-mux',
    ]);
  });

  it('require offers RTP/SAVP with a crypto line; allow offers RTP/AVP with one', () => {
    const req = createOffer({ ...LOCAL, encryption: 'require' });
    assert.match(req.sdp, /m=audio 40000 RTP\/SAVP 8 0 101/);
    assert.match(req.sdp, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\r\n/);
    const allow = createOffer({ ...LOCAL, encryption: 'allow' });
    assert.match(allow.sdp, /m=audio 40000 RTP\/AVP 8 0 101/);
    assert.match(allow.sdp, /a=crypto:1 /);
    const v6 = createOffer({ ...LOCAL, address: '2001:db8::5' });
    assert.match(v6.sdp, /c=IN IP6 2001:db8::5/);
  });

  it('negotiates end to end with a peer running the same code, SRTP keys crossing over', () => {
    const us = createOffer({ ...LOCAL, encryption: 'require', random: fixedRandom(1) });
    const peer = answerOffer(us.sdp, { address: '198.51.100.9', port: 50000, encryption: 'allow', codecs: ['PCMU', 'PCMA'], random: fixedRandom(2) });
    assert.ok(peer.ok);
    assert.equal(peer.value.media.codec, 'PCMA', 'answerer follows the offerer’s order');
    const ours = acceptAnswer(us, peer.value.sdp);
    assert.ok(ours.ok, !ours.ok ? ours.error.reason : '');
    assert.equal(ours.value.remoteAddress, '198.51.100.9');
    assert.equal(ours.value.remotePort, 50000);
    assert.equal(ours.value.codec, 'PCMA');
    assert.equal(ours.value.dtmfPayloadType, 101);
    assert.equal(ours.value.rtcpMux, true);
    assert.deepEqual(ours.value.crypto?.remoteKey, peer.value.media.crypto?.localKey);
    assert.deepEqual(ours.value.crypto?.localKey, peer.value.media.crypto?.remoteKey);
  });

  it('accepts a sipp-style answer and rejects answers that break the offer', () => {
    const us = createOffer(LOCAL);
    const sippAnswer = SIPP_UAC_OFFER.replace('53655765', '1');
    const ok = acceptAnswer(us, sippAnswer);
    assert.ok(ok.ok && ok.value.codec === 'PCMU' && ok.value.dtmfPayloadType === null && !ok.value.rtcpMux);
    const cases: Array<[string, RegExp]> = [
      [sippAnswer.replace('m=audio 6000', 'm=audio 0'), /rejected/],
      [sippAnswer.replace('RTP/AVP 0', 'RTP/AVP 18').replace('rtpmap:0 PCMU', 'rtpmap:18 G729'), /no codec/],
      [sippAnswer + 'm=video 0 RTP/AVP 31\r\n', /number of m= lines/],
      ['v=0', /unparseable/],
    ];
    for (const [answer, reason] of cases) {
      const r = acceptAnswer(us, answer);
      assert.ok(!r.ok);
      assert.match(r.error.reason, reason);
    }
    const secure = createOffer({ ...LOCAL, encryption: 'require' });
    const r = acceptAnswer(secure, sippAnswer);
    assert.ok(!r.ok && /SRTP/.test(r.error.reason), 'require: a plain answer is refused');
    const wrongTag = acceptAnswer(secure, sippAnswer + `a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${BARESIP_KEY_80}\r\n`);
    assert.ok(!wrongTag.ok && /tag/.test(wrongTag.error.reason));
  });

  it('re-offers keep the session id and SRTP key, with the version the caller bumps', () => {
    const first = createOffer({ ...LOCAL, encryption: 'require' });
    const again = createOffer({ ...LOCAL, encryption: 'require', sessionVersion: '2', direction: 'sendonly', localKey: first.localKey! });
    const parsed = parseSdp(again.sdp);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.origin.sessionId, '42');
    assert.equal(parsed.value.origin.sessionVersion, '2');
    assert.equal(readAudioMedia(parsed.value, 0)?.direction, 'sendonly');
    assert.deepEqual(again.localKey, first.localKey);
  });
});
