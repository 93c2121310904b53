/**
 * Offers as real equipment sends them (test data). Line endings are CRLF unless noted;
 * the shapes follow captures from each peer, addresses and keys replaced.
 */
const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

/** sipp's built-in `-sn uac` scenario: one codec, no rtpmap needed for PCMU, no direction. */
export const SIPP_UAC_OFFER = crlf([
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.1.1',
  's=-',
  'c=IN IP4 127.0.1.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
]);

/** baresip (3.x) with its default audio codecs: opus and G.722 first, rtcp-mux, ssrc lines. */
export const BARESIP_OFFER = crlf([
  'v=0',
  'o=- 1785327561 3117204583 IN IP4 192.168.1.20',
  's=-',
  'c=IN IP4 192.168.1.20',
  't=0 0',
  'm=audio 10246 RTP/AVP 96 9 0 8 101',
  'b=AS:128',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 stereo=1;sprop-stereo=1;useinbandfec=1',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=ssrc:3420837429 cname:7b0d3a8e-5e23-4a0a-9d7a-2a6e1f0c4b11',
  'a=rtcp-rsize',
  'a=rtcp-mux',
  'a=ptime:20',
]);

export const BARESIP_KEY_AES256 = 'ESIzRFVmd4iZqrvM3e7/ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8A';
export const BARESIP_KEY_80 = 'ERERERERERERERERERERERERERERERERERERERER';
export const BARESIP_KEY_32 = 'IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi';

/** baresip with `mediaenc=srtp-mand`: RTP/SAVP, a suite we do not support listed first. */
export const BARESIP_SRTP_OFFER = crlf([
  'v=0',
  'o=- 2466413260 1174556374 IN IP4 192.168.1.20',
  's=-',
  'c=IN IP4 192.168.1.20',
  't=0 0',
  'm=audio 10558 RTP/SAVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=rtcp-mux',
  'a=ptime:20',
  `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${BARESIP_KEY_AES256}`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${BARESIP_KEY_80}`,
  `a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:${BARESIP_KEY_32}`,
]);

/** A carrier SBC: PCMA first, G.729 and CN we do not use, maxptime, session name, an a=rtcp port. LF line endings. */
export const CARRIER_OFFER = [
  'v=0',
  'o=Sonus_UAC 263412 19582 IN IP4 212.230.0.10',
  's=SIP Media Capabilities',
  'c=IN IP4 212.230.0.12',
  't=0 0',
  'm=audio 27836 RTP/AVP 18 8 0 101 13',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtpmap:13 CN/8000',
  'a=rtcp:27837 IN IP4 212.230.0.12',
  'a=sendrecv',
  'a=ptime:20',
  'a=maxptime:40',
  'a=X-vendor-opaque:value with spaces',
  'm=video 0 RTP/AVP 34',
  '',
].join('\n');

/** The same carrier putting the call on hold, old style (RFC 2543: c=0.0.0.0) — version bumped. */
export const CARRIER_HOLD_OLD_STYLE = CARRIER_OFFER.replace('19582', '19583').replace('c=IN IP4 212.230.0.12', 'c=IN IP4 0.0.0.0');

/** Hold per RFC 3264 §8.4: a=sendonly. */
export const CARRIER_HOLD_SENDONLY = CARRIER_OFFER.replace('19582', '19583').replace('a=sendrecv', 'a=sendonly');

/**
 * An SBC offering the same audio twice, plain then SRTP (the shape liblinphone's interop tests
 * capture from a mobile operator), with key lifetimes, several suites and an odd bare attribute.
 */
export const DUAL_LINE_OFFER = crlf([
  'v=0',
  'o=- 2049 2049 IN IP4 212.55.48.2',
  's=-',
  'c=IN IP4 212.55.48.2',
  't=0 0',
  'm=audio 15536 RTP/AVP 8 0 18 116',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:116 telephone-event/8000',
  'a=ptime:20',
  'a=3gOoBTC',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=yes',
  'm=audio 15536 RTP/SAVP 8 0 18 116',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:116 telephone-event/8000',
  'a=ptime:20',
  'a=3gOoBTC',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=yes',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${BARESIP_KEY_80}|2^31`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${BARESIP_KEY_32}|2^31`,
  `a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:${BARESIP_KEY_AES256}|2^31`,
]);
