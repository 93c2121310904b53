/**
 * SDP (RFC 8866, formerly 4566) as data: a parser that is tolerant of what real equipment
 * sends (LF-only line endings, out-of-order lines, unknown line types, trailing blank lines)
 * and strict about what we must understand (v=0 first, o=, s=, well-formed c= and m=).
 * Parsing never throws; it returns a Result. Serialising emits the canonical line order.
 */
import { err, ok, type Result } from '../result.ts';

export interface Origin {
  username: string;
  /** Kept as text: numeric in practice but may exceed 2^53. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface Connection {
  netType: string;
  addrType: string;
  /** Address without any /ttl/count suffix (multicast only). */
  address: string;
}

export interface Attribute {
  name: string;
  value?: string;
}

export interface Bandwidth {
  type: string;
  value: number;
}

export interface MediaDescription {
  type: string; // audio, video, image, application...
  port: number;
  portCount?: number;
  protocol: string; // RTP/AVP, RTP/SAVP, udptl...
  formats: string[];
  information?: string;
  connection?: Connection;
  bandwidths: Bandwidth[];
  attributes: Attribute[];
}

export interface SessionDescription {
  origin: Origin;
  sessionName: string;
  information?: string;
  connection?: Connection;
  bandwidths: Bandwidth[];
  timing: { start: string; stop: string };
  attributes: Attribute[];
  media: MediaDescription[];
}

export const MAX_SDP_LENGTH = 64 * 1024;
const MAX_MEDIA = 32;
const MAX_LINES = 2000;
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

export function parseSdp(text: string): Result<SessionDescription> {
  if (typeof text !== 'string') return err('SDP is not text');
  if (text.length > MAX_SDP_LENGTH) return err('SDP too large');
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_LINES) return err('SDP has too many lines');
  if (lines[0] !== 'v=0') return err('SDP must start with v=0');
  let origin: Origin | undefined;
  let sessionName: string | undefined;
  let timing: { start: string; stop: string } | undefined;
  const session: Omit<SessionDescription, 'origin' | 'sessionName' | 'timing' | 'media'> = { bandwidths: [], attributes: [] };
  const media: MediaDescription[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue; // stray blank line: tolerated
    if (line.length < 2 || line[1] !== '=' || !/^[a-z]$/.test(line[0])) return err(`malformed SDP line ${i + 1}`);
    const type = line[0];
    const value = line.slice(2);
    const current = media[media.length - 1];
    switch (type) {
      case 'v':
        return err('repeated v= line');
      case 'o': {
        const parts = value.split(' ');
        if (parts.length !== 6 || parts.some((p) => p === '')) return err('malformed o= line');
        const [username, sessionId, sessionVersion, netType, addrType, address] = parts;
        origin = { username, sessionId, sessionVersion, netType, addrType, address };
        break;
      }
      case 's':
        sessionName = value;
        break;
      case 'i':
        if (current) current.information = value;
        else session.information = value;
        break;
      case 'c': {
        const c = parseConnection(value);
        if (!c.ok) return c;
        if (current) current.connection = c.value;
        else session.connection = c.value;
        break;
      }
      case 'b': {
        const m = /^([A-Za-z0-9_-]+):(\d{1,12})$/.exec(value);
        if (!m) return err('malformed b= line');
        (current ?? session).bandwidths.push({ type: m[1], value: Number(m[2]) });
        break;
      }
      case 't': {
        const m = /^(\d+) (\d+)$/.exec(value);
        if (!m) return err('malformed t= line');
        timing ??= { start: m[1], stop: m[2] };
        break;
      }
      case 'a': {
        const a = parseAttribute(value);
        if (!a.ok) return a;
        (current ?? session).attributes.push(a.value);
        break;
      }
      case 'm': {
        if (media.length >= MAX_MEDIA) return err('too many m= lines');
        const m = parseMediaLine(value);
        if (!m.ok) return m;
        media.push(m.value);
        break;
      }
      default:
        // u, e, p, r, z, k and unknown letters carry nothing we act on (RFC 8866 §5: ignore).
        break;
    }
  }
  if (!origin) return err('SDP has no o= line');
  if (sessionName === undefined) return err('SDP has no s= line');
  return ok({ origin, sessionName, ...session, timing: timing ?? { start: '0', stop: '0' }, media });
}

function parseConnection(value: string): Result<Connection> {
  const parts = value.split(' ');
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || !TOKEN.test(parts[1])) return err('malformed c= line');
  const address = parts[2].split('/')[0];
  if (!/^[0-9A-Za-z.:\-_%]+$/.test(address)) return err('malformed c= address');
  return ok({ netType: parts[0], addrType: parts[1], address });
}

function parseAttribute(value: string): Result<Attribute> {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!TOKEN.test(name)) return err('malformed a= line');
  return ok(colon < 0 ? { name } : { name, value: value.slice(colon + 1) });
}

function parseMediaLine(value: string): Result<MediaDescription> {
  const m = /^([A-Za-z0-9_-]+) (\d{1,5})(?:\/(\d{1,5}))? ([A-Za-z0-9/_.-]+)((?: [^ ]+)+)$/.exec(value);
  if (!m) return err('malformed m= line');
  const port = Number(m[2]);
  if (port > 65535) return err('m= port out of range');
  const formats = m[5].trim().split(' ');
  const media: MediaDescription = { type: m[1], port, protocol: m[4], formats, bandwidths: [], attributes: [] };
  if (m[3] !== undefined) media.portCount = Number(m[3]);
  return ok(media);
}

function attributeLines(attributes: Attribute[]): string[] {
  return attributes.map((a) => (a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`));
}

function connectionLine(c: Connection): string {
  return `c=${c.netType} ${c.addrType} ${c.address}`;
}

export function serializeSdp(sdp: SessionDescription): string {
  const o = sdp.origin;
  const lines = ['v=0', `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`, `s=${sdp.sessionName || '-'}`];
  if (sdp.information !== undefined) lines.push(`i=${sdp.information}`);
  if (sdp.connection) lines.push(connectionLine(sdp.connection));
  for (const b of sdp.bandwidths) lines.push(`b=${b.type}:${b.value}`);
  lines.push(`t=${sdp.timing.start} ${sdp.timing.stop}`);
  lines.push(...attributeLines(sdp.attributes));
  for (const m of sdp.media) {
    const port = m.portCount === undefined ? `${m.port}` : `${m.port}/${m.portCount}`;
    lines.push(`m=${m.type} ${port} ${m.protocol} ${m.formats.join(' ')}`);
    if (m.information !== undefined) lines.push(`i=${m.information}`);
    if (m.connection) lines.push(connectionLine(m.connection));
    for (const b of m.bandwidths) lines.push(`b=${b.type}:${b.value}`);
    lines.push(...attributeLines(m.attributes));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Values of one attribute, media level first then session level (RFC 8866 §5.13 scoping). */
export function attributeValues(media: MediaDescription | undefined, name: string): string[] {
  return (media?.attributes ?? []).filter((a) => a.name.toLowerCase() === name).map((a) => a.value ?? '');
}

export function hasAttribute(attributes: Attribute[], name: string): boolean {
  return attributes.some((a) => a.name.toLowerCase() === name);
}
