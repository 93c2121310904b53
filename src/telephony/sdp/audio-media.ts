/**
 * What an audio m= section says, in terms we negotiate on: payload formats with their
 * rtpmap/fmtp, ptime, direction, RTCP port and mux, SDES crypto lines, and where to send.
 */
import { attributeValues, hasAttribute, type MediaDescription, type SessionDescription } from './session-description.ts';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export interface PayloadFormat {
  payloadType: number;
  /** Encoding name, upper-cased: PCMU, PCMA, TELEPHONE-EVENT, OPUS... */
  name: string;
  clockRate: number;
  channels: number;
  fmtp?: string;
}

export interface AudioMedia {
  /** Index of the m= section in the description. */
  index: number;
  address: string;
  addrType: string;
  port: number;
  protocol: string;
  formats: PayloadFormat[];
  direction: Direction;
  /** RFC 3264 §8.4 old-style hold: c= 0.0.0.0 (the peer wants nothing sent to it). */
  nullAddress: boolean;
  rtcpMux: boolean;
  /** RFC 3605 a=rtcp port, when given. */
  rtcpPort?: number;
  ptime?: number;
  /** Raw values of a=crypto lines, in order. */
  crypto: string[];
}

/** RFC 3551 static assignments that may appear without an rtpmap. */
const STATIC_FORMATS: Record<number, [string, number]> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  4: ['G723', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  13: ['CN', 8000],
  18: ['G729', 8000],
};

function payloadFormats(m: MediaDescription): PayloadFormat[] {
  const rtpmap = new Map<number, { name: string; clockRate: number; channels: number }>();
  for (const v of attributeValues(m, 'rtpmap')) {
    const r = /^(\d{1,3}) +([^/\s]+)\/(\d{1,6})(?:\/(\d{1,2}))?\s*$/.exec(v);
    if (r) rtpmap.set(Number(r[1]), { name: r[2].toUpperCase(), clockRate: Number(r[3]), channels: r[4] ? Number(r[4]) : 1 });
  }
  const fmtp = new Map<number, string>();
  for (const v of attributeValues(m, 'fmtp')) {
    const r = /^(\d{1,3}) +(.*)$/.exec(v);
    if (r) fmtp.set(Number(r[1]), r[2].trim());
  }
  const out: PayloadFormat[] = [];
  for (const f of m.formats) {
    if (!/^\d{1,3}$/.test(f) || Number(f) > 127) continue; // not an RTP payload type
    const pt = Number(f);
    const mapped = rtpmap.get(pt) ?? (STATIC_FORMATS[pt] ? { name: STATIC_FORMATS[pt][0], clockRate: STATIC_FORMATS[pt][1], channels: 1 } : undefined);
    if (!mapped) continue; // dynamic type without rtpmap: unusable
    out.push({ payloadType: pt, ...mapped, ...(fmtp.has(pt) ? { fmtp: fmtp.get(pt) } : {}) });
  }
  return out;
}

function directionOf(m: MediaDescription, session: SessionDescription): Direction {
  for (const attrs of [m.attributes, session.attributes]) {
    const found = attrs.find((a) => (DIRECTIONS as readonly string[]).includes(a.name.toLowerCase()));
    if (found) return found.name.toLowerCase() as Direction;
  }
  return 'sendrecv';
}

function positiveInt(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n > 0 && n <= max ? n : undefined;
}

/** Reads one audio section; `undefined` when it has no usable connection address. */
export function readAudioMedia(session: SessionDescription, index: number): AudioMedia | undefined {
  const m = session.media[index];
  const c = m.connection ?? session.connection;
  if (!c || c.netType !== 'IN') return undefined;
  const rtcp = attributeValues(m, 'rtcp')[0];
  const rtcpPort = positiveInt(rtcp?.split(' ')[0], 65535);
  const ptime = positiveInt(attributeValues(m, 'ptime')[0] ?? attributeValues({ attributes: session.attributes } as MediaDescription, 'ptime')[0], 1000);
  return {
    index,
    address: c.address,
    addrType: c.addrType,
    port: m.port,
    protocol: m.protocol,
    formats: payloadFormats(m),
    direction: directionOf(m, session),
    nullAddress: c.address === '0.0.0.0' || c.address === '::',
    rtcpMux: hasAttribute(m.attributes, 'rtcp-mux'),
    ...(rtcpPort !== undefined ? { rtcpPort } : {}),
    ...(ptime !== undefined ? { ptime } : {}),
    crypto: attributeValues(m, 'crypto'),
  };
}
