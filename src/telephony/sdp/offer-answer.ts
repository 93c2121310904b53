/**
 * SDP offer/answer (RFC 3264) for one G.711 audio stream with RFC 4733 events.
 *
 * - createOffer: PCMA and PCMU (local preference order), telephone-event/8000 0-16, ptime 20,
 *   optional rtcp-mux, and SDES crypto per media_encryption (require → RTP/SAVP with crypto;
 *   allow → RTP/AVP carrying a crypto line, so plain peers still accept it; disable → plain).
 * - answerOffer: picks the first acceptable audio section (an SRTP one first under `allow`);
 *   within it the first of the
 *   offerer's codecs we support (RFC 3264 §6.1: the offerer's order is its preference);
 *   keeps the offerer's payload type numbers; rejects every other section with port 0.
 * - acceptAnswer: checks the answer against what we offered.
 * Failures carry a reason; the SIP layer answers 488 Not Acceptable Here with it.
 */
import { err, ok, type Result } from '../result.ts';
import type { MasterKey } from '../rtp/srtp/index.ts';
import { formatCryptoAttribute } from '../rtp/srtp/index.ts';
import { readAudioMedia, type AudioMedia, type Direction, type PayloadFormat } from './audio-media.ts';
import { decideOfferedCrypto, firstUsableCrypto, isSecureProfile, newLocalKey, type MediaEncryption, type NegotiatedCrypto } from './media-crypto.ts';
import { parseSdp, serializeSdp, type Attribute, type MediaDescription, type SessionDescription } from './session-description.ts';

export type G711Name = 'PCMA' | 'PCMU';
const STATIC_PT: Record<G711Name, number> = { PCMU: 0, PCMA: 8 };
const PTIME = 20;
const DTMF_EVENTS = '0-16';

export interface LocalMediaParams {
  /** Address written into c= and o= (HABLA_SIP_PUBLIC_HOST's media address). */
  address: string;
  port: number;
  /** Preference order; default PCMA first (the European trunk default), then PCMU. */
  codecs?: G711Name[];
  /** Payload type we offer for telephone-event; default 101. */
  dtmfPayloadType?: number;
  /** What we want to do; default sendrecv. Our own hold is a re-offer with sendonly. */
  direction?: Direction;
  /** Offer/accept RTP+RTCP on one port (RFC 5761); default true. */
  rtcpMux?: boolean;
  encryption?: MediaEncryption;
  /** o= line identity; keep the id and bump the version on re-offers (RFC 3264 §8). */
  sessionId?: string;
  sessionVersion?: string;
  /** Our SRTP key, reused across re-INVITEs; otherwise generated from `random`. */
  localKey?: MasterKey;
  random?: (size: number) => Buffer;
}

export interface NegotiatedMedia {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpPort: number;
  rtcpMux: boolean;
  payloadType: number;
  codec: G711Name;
  clockRate: 8000;
  /** Telephone-event payload type in both directions, or null when the peer has none. */
  dtmfPayloadType: number | null;
  /** We always packetise 20 ms; `remotePtime` is what the peer asked for, if it did. */
  ptime: 20;
  remotePtime?: number;
  /** Our direction: sendrecv, or less when the peer holds or we do. */
  direction: Direction;
  /** The peer does not want media from us (a=sendonly/inactive or c=0.0.0.0). */
  remoteHold: boolean;
  profile: string;
  crypto: NegotiatedCrypto | null;
}

export interface NegotiationFailure {
  status: 488;
  reason: string;
}

export interface SdpResult {
  sdp: string;
  description: SessionDescription;
}

/** What acceptAnswer needs to remember about our offer. */
export interface PendingOffer extends SdpResult {
  local: LocalMediaParams;
  localKey: MasterKey | null;
  cryptoTag: number | null;
}

const fail = (reason: string): { ok: false; error: NegotiationFailure } => err({ status: 488 as const, reason });

function addrType(address: string): string {
  return address.includes(':') ? 'IP6' : 'IP4';
}

function session(local: LocalMediaParams, media: MediaDescription[]): SessionDescription {
  const connection = { netType: 'IN', addrType: addrType(local.address), address: local.address };
  return {
    origin: { username: 'habla', sessionId: local.sessionId ?? String(Date.now()), sessionVersion: local.sessionVersion ?? '1', ...connection },
    sessionName: 'habla',
    connection,
    bandwidths: [],
    timing: { start: '0', stop: '0' },
    attributes: [],
    media,
  };
}

function audioAttributes(codecs: { name: G711Name; pt: number }[], dtmfPt: number | null, direction: Direction, rtcpMux: boolean, crypto: string | null): Attribute[] {
  const a: Attribute[] = codecs.map((c) => ({ name: 'rtpmap', value: `${c.pt} ${c.name}/8000` }));
  if (dtmfPt !== null) a.push({ name: 'rtpmap', value: `${dtmfPt} telephone-event/8000` }, { name: 'fmtp', value: `${dtmfPt} ${DTMF_EVENTS}` });
  a.push({ name: 'ptime', value: String(PTIME) }, { name: direction });
  if (rtcpMux) a.push({ name: 'rtcp-mux' });
  if (crypto) a.push({ name: 'crypto', value: crypto });
  return a;
}

export function createOffer(local: LocalMediaParams): PendingOffer {
  const policy = local.encryption ?? 'disable';
  const codecs = (local.codecs ?? ['PCMA', 'PCMU']).map((name) => ({ name, pt: STATIC_PT[name] }));
  const dtmfPt = local.dtmfPayloadType ?? 101;
  const localKey = policy === 'disable' ? null : (local.localKey ?? newLocalKey(local.random));
  const cryptoTag = localKey ? 1 : null;
  const media: MediaDescription = {
    type: 'audio',
    port: local.port,
    protocol: policy === 'require' ? 'RTP/SAVP' : 'RTP/AVP',
    formats: [...codecs.map((c) => String(c.pt)), String(dtmfPt)],
    bandwidths: [],
    attributes: audioAttributes(codecs, dtmfPt, local.direction ?? 'sendrecv', local.rtcpMux ?? true, localKey ? formatCryptoAttribute(1, localKey) : null),
  };
  const description = session(local, [media]);
  return { sdp: serializeSdp(description), description, local, localKey, cryptoTag };
}

function pickCodec(media: AudioMedia, allowed: G711Name[]): PayloadFormat | undefined {
  return media.formats.find((f) => f.clockRate === 8000 && f.channels === 1 && (allowed as string[]).includes(f.name));
}

function pickDtmf(media: AudioMedia): PayloadFormat | undefined {
  return media.formats.find((f) => f.name === 'TELEPHONE-EVENT' && f.clockRate === 8000);
}

/** Our direction given what the peer declared and what we want (RFC 3264 §6.1 table). */
function ourDirection(peer: Direction, peerNullAddress: boolean, wanted: Direction): { direction: Direction; remoteHold: boolean } {
  const peerSends = peer === 'sendrecv' || peer === 'sendonly';
  const peerReceives = (peer === 'sendrecv' || peer === 'recvonly') && !peerNullAddress;
  const weSend = peerReceives && (wanted === 'sendrecv' || wanted === 'sendonly');
  const weReceive = peerSends && (wanted === 'sendrecv' || wanted === 'recvonly');
  const direction: Direction = weSend ? (weReceive ? 'sendrecv' : 'sendonly') : weReceive ? 'recvonly' : 'inactive';
  return { direction, remoteHold: !peerReceives };
}

function rejected(m: MediaDescription): MediaDescription {
  return { type: m.type, port: 0, protocol: m.protocol, formats: m.formats.slice(0, 1), bandwidths: [], attributes: [] };
}

/** Answers a remote offer, or explains why it cannot be accepted. */
export function answerOffer(offerText: string, local: LocalMediaParams): Result<SdpResult & { media: NegotiatedMedia }, NegotiationFailure> {
  const parsed = parseSdp(offerText);
  if (!parsed.ok) return fail(`unparseable SDP: ${parsed.error}`);
  const offer = parsed.value;
  const policy = local.encryption ?? 'disable';
  const allowed = local.codecs ?? ['PCMA', 'PCMU'];
  const reasons: string[] = [];
  const candidates = offer.media.map((m, index) => {
    if (m.type !== 'audio' || m.port === 0) return undefined;
    const audio = readAudioMedia(offer, index);
    const outcome = audio ? acceptSection(audio, local, policy, allowed) : fail('no connection address');
    if (!outcome.ok) reasons.push(outcome.error.reason);
    return outcome.ok ? outcome.value : undefined;
  });
  // One audio stream is enough. Offers listing a plain and an SRTP line ("SRTP if you can")
  // get the SRTP one under `allow`; otherwise the first acceptable line wins.
  const secure = policy === 'allow' ? candidates.findIndex((c) => c?.media.crypto) : -1;
  const pick = secure >= 0 ? secure : candidates.findIndex((c) => c !== undefined);
  if (pick < 0) return fail(reasons[0] ?? 'no audio stream offered');
  const chosen = candidates[pick]!;
  const sections = offer.media.map((m, index) => (index === pick ? chosen.section : rejected(m)));
  const description = session(local, sections);
  return ok({ sdp: serializeSdp(description), description, media: chosen.media });
}

function acceptSection(audio: AudioMedia, local: LocalMediaParams, policy: MediaEncryption, allowed: G711Name[]): Result<{ media: NegotiatedMedia; section: MediaDescription }, NegotiationFailure> {
  if (!/^RTP\/S?AVP$/i.test(audio.protocol)) return fail(`unsupported transport ${audio.protocol}`);
  const codec = pickCodec(audio, allowed);
  if (!codec) return fail('no common codec (PCMA or PCMU)');
  const crypto = decideOfferedCrypto(audio, policy, () => local.localKey ?? newLocalKey(local.random));
  if (!crypto.ok) return fail(crypto.error);
  const dtmf = pickDtmf(audio);
  const { direction, remoteHold } = ourDirection(audio.direction, audio.nullAddress, local.direction ?? 'sendrecv');
  const rtcpMux = audio.rtcpMux && local.rtcpMux !== false;
  const dtmfPt = dtmf?.payloadType ?? null;
  const section: MediaDescription = {
    type: 'audio',
    port: local.port,
    protocol: audio.protocol,
    formats: [String(codec.payloadType), ...(dtmfPt !== null ? [String(dtmfPt)] : [])],
    bandwidths: [],
    attributes: audioAttributes([{ name: codec.name as G711Name, pt: codec.payloadType }], dtmfPt, direction, rtcpMux, crypto.value ? formatCryptoAttribute(crypto.value.tag, crypto.value.localKey) : null),
  };
  const media = negotiated(audio, codec, dtmfPt, direction, remoteHold, rtcpMux, crypto.value);
  return ok({ media, section });
}

function negotiated(audio: AudioMedia, codec: PayloadFormat, dtmfPt: number | null, direction: Direction, remoteHold: boolean, rtcpMux: boolean, crypto: NegotiatedCrypto | null): NegotiatedMedia {
  return {
    remoteAddress: audio.address,
    remotePort: audio.port,
    remoteRtcpPort: rtcpMux ? audio.port : (audio.rtcpPort ?? audio.port + 1),
    rtcpMux,
    payloadType: codec.payloadType,
    codec: codec.name as G711Name,
    clockRate: 8000,
    dtmfPayloadType: dtmfPt,
    ptime: PTIME,
    ...(audio.ptime !== undefined ? { remotePtime: audio.ptime } : {}),
    direction,
    remoteHold,
    profile: audio.protocol,
    crypto,
  };
}

/** Checks the peer's answer to our offer and returns the media to run. */
export function acceptAnswer(offer: PendingOffer, answerText: string): Result<NegotiatedMedia, NegotiationFailure> {
  const parsed = parseSdp(answerText);
  if (!parsed.ok) return fail(`unparseable SDP answer: ${parsed.error}`);
  const answer = parsed.value;
  if (answer.media.length !== offer.description.media.length) return fail('answer has a different number of m= lines');
  if (answer.media[0].port === 0) return fail('audio stream rejected by the peer');
  const audio = readAudioMedia(answer, 0);
  if (!audio) return fail('answer has no connection address');
  const offered = offer.local.codecs ?? ['PCMA', 'PCMU'];
  const codec = pickCodec(audio, offered);
  if (!codec) return fail('answer selects no codec we offered');
  const policy = offer.local.encryption ?? 'disable';
  let crypto: NegotiatedCrypto | null = null;
  const remote = firstUsableCrypto(audio);
  if (offer.localKey && remote) {
    if (remote.tag !== offer.cryptoTag) return fail('answer crypto tag does not match the offer');
    crypto = { suite: 'AES_CM_128_HMAC_SHA1_80', tag: remote.tag, remoteKey: remote.key, localKey: offer.localKey };
  } else if (isSecureProfile(audio.protocol) || policy === 'require') {
    return fail('answer has no usable SRTP crypto');
  }
  const { direction, remoteHold } = ourDirection(audio.direction, audio.nullAddress, offer.local.direction ?? 'sendrecv');
  const rtcpMux = audio.rtcpMux && offer.local.rtcpMux !== false;
  return ok(negotiated(audio, codec, pickDtmf(audio)?.payloadType ?? null, direction, remoteHold, rtcpMux, crypto));
}
