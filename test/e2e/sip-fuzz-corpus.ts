/**
 * Hostile SIP datagrams for sip-fuzz-keeps-server-up.test.ts, made from a seeded PRNG so a
 * failing run can be replayed (SIP_FUZZ_SEED). Each generator builds one datagram for a given
 * sender (its address goes into Via/Contact, so whatever Habla answers comes back to it).
 */

/** mulberry32: small, fast, good enough to drive a fuzzer, and reproducible from its seed. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

export interface Sender {
  host: string;
  port: number;
}

export interface Target {
  sipPort: number;
  /** Imported, with an inbound agent: a valid INVITE here would be answered. */
  answeringNumber: string;
  /** Imported without an inbound agent: every INVITE that parses ends in 480, never a call. */
  closedNumber: string;
}

let serial = 0;

export interface InviteParts {
  number: string;
  sdp?: string;
  contentType?: string;
  /** Replaces the computed Content-Length value. */
  contentLength?: string;
  extraHeaders?: string[];
  vias?: string[];
}

export const GOOD_SDP = (host: string) =>
  `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\n` +
  'a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

/** A well-formed INVITE from `from` (a fresh Call-ID, branch and tag each time). */
export function invite(target: Target, from: Sender, parts: InviteParts): { callId: string; text: string } {
  serial += 1;
  const callId = `fz-${serial}-${process.pid}@${from.host}`;
  const sdp = parts.sdp ?? GOOD_SDP(from.host);
  const vias = parts.vias ?? [`SIP/2.0/UDP ${from.host}:${from.port};branch=z9hG4bK-fz-${serial};rport`];
  const headers = [
    ...vias.map((via) => `Via: ${via}`),
    'Max-Forwards: 70',
    `From: "Fuzz" <sip:+34600111222@${from.host}>;tag=fz${serial}`,
    `To: <sip:${parts.number}@127.0.0.1:${target.sipPort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:fuzz@${from.host}:${from.port}>`,
    ...(parts.extraHeaders ?? []),
    `Content-Type: ${parts.contentType ?? 'application/sdp'}`,
    `Content-Length: ${parts.contentLength ?? Buffer.byteLength(sdp, 'latin1')}`,
  ];
  return { callId, text: `INVITE sip:${parts.number}@127.0.0.1:${target.sipPort} SIP/2.0\r\n${headers.join('\r\n')}\r\n\r\n${sdp}` };
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

/** Offers Habla must refuse (488, or 400 when the INVITE itself is broken): no call may start. */
export function badSdpInvite(rng: Prng, target: Target, from: Sender): { callId: string; bytes: Buffer; variant: string } {
  const h = from.host;
  const base = `v=0\r\no=- 1 1 IN IP4 ${h}\r\ns=-\r\nt=0 0\r\n`;
  const variants: [string, () => string][] = [
    ['only_g729', () => `${base}c=IN IP4 ${h}\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n`],
    ['video_only', () => `${base}c=IN IP4 ${h}\r\nm=video 40000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n`],
    ['not_sdp', () => 'hello\r\nthis is not a session description\r\n'],
    ['rejected_stream', () => `${base}c=IN IP4 ${h}\r\nm=audio 0 RTP/AVP 0\r\n`],
    ['no_connection', () => `${base}m=audio 40000 RTP/AVP 0\r\n`],
    ['bad_port', () => `${base}c=IN IP4 ${h}\r\nm=audio 99999 RTP/AVP 0\r\n`],
    ['no_formats', () => `${base}c=IN IP4 ${h}\r\nm=audio 40000 RTP/AVP\r\n`],
    ['unknown_proto', () => `${base}c=IN IP4 ${h}\r\nm=audio 40000 TCP/MSRP *\r\n`],
    ['savp_without_crypto', () => `${base}c=IN IP4 ${h}\r\nm=audio 40000 RTP/SAVP 0\r\n`],
    ['many_unsupported', () => `${base}c=IN IP4 ${h}\r\n${'m=audio 40000 RTP/AVP 18\r\n'.repeat(400)}`],
    ['binary_body', () => rng.bytes(1 + rng.int(800)).toString('latin1')],
    ['version_1', () => `v=1\r\no=- 1 1 IN IP4 ${h}\r\ns=-\r\nc=IN IP4 ${h}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n`],
  ];
  const [variant, body] = rng.pick(variants);
  const { callId, text } = invite(target, from, { number: target.answeringNumber, sdp: body() });
  return { callId, bytes: latin1(text), variant };
}

const START_LINES = [
  'INVITE sip:+34910000042@127.0.0.1 SIP/3.0', 'INVITE sip:+34910000042@127.0.0.1', 'INVITE  SIP/2.0', 'INVITE', ' INVITE sip:a@b SIP/2.0',
  'INVITE sip:a@b SIP/2.0 extra', 'invite sip:a@b SIP/2.0', 'INV\u0000ITE sip:a@b SIP/2.0', 'SIP/2.0 999 Way Too Big', 'SIP/2.0 20 OK',
  'SIP/2.0 OK', 'SIP/2.0', 'HTTP/1.1 200 OK', 'GET / HTTP/1.1', 'INVITE <sip:a@b> SIP/2.0', 'INVITE sip: SIP/2.0', 'INVITE :::: SIP/2.0',
  'X'.repeat(9000), '\r\nINVITE sip:a@b SIP/2.0', 'INVITE sip:a@b SIP/2.0\r', 'INVITE sip:%%%%@b SIP/2.0', 'INVITE tel: SIP/2.0',
  `${'A'.repeat(200)} sip:a@b SIP/2.0`, 'INVITE sip:a@[::1 SIP/2.0', 'INVITE sip:a@256.256.256.256:99999 SIP/2.0', 'ÿþINVITE sip:a@b SIP/2.0',
];

const INJECTIONS = [
  'Subject: a\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-injected',
  'Subject: a\rVia: SIP/2.0/UDP 203.0.113.9',
  'Subject: a\nCall-ID: injected',
  'Subject: first\r\n\r\nINVITE sip:injected@127.0.0.1 SIP/2.0\r\nCall-ID: smuggled',
  'Subject: \u0000\u0000\u0000',
  'X-Folded: one\r\n two\r\n\tthree',
  'NoColonHeader',
  ': no name',
  'Call-ID: second-call-id',
  'CSeq: 2 BYE',
  'CSeq: 99999999999999999999 INVITE',
  'CSeq: -1 INVITE',
  'Max-Forwards: -5',
  'Max-Forwards: 99999999999',
  'To: <sip:x@y>;tag=12345',
  'From: <sip:evil@evil>;tag="; DROP TABLE calls; --"',
  'Route: <sip:203.0.113.9;lr>',
  'Record-Route: <sip:203.0.113.9;lr>, <javascript:alert(1)>',
  'Contact: *',
  'Contact: <sip:a@b>;expires=-1, <sip:c@d>;q=9.9',
  'Authorization: Digest username="a\\", realm=, nonce="' + 'n'.repeat(3000) + '"',
  'Expires: 1e309',
  `X-Ünïcödé: ${'é'.repeat(100)}`,
  'Content-Encoding: gzip',
  'Require: 100rel, timer, nonexistent',
];

function truncated(rng: Prng, target: Target, from: Sender): Buffer {
  const whole = latin1(invite(target, from, { number: target.closedNumber }).text);
  return whole.subarray(0, 1 + rng.int(whole.length - 1));
}

function oversized(rng: Prng, target: Target, from: Sender): Buffer {
  const kind = rng.int(4);
  if (kind === 0) return latin1(invite(target, from, { number: target.closedNumber, extraHeaders: [`X-Huge: ${'a'.repeat(63_000)}`] }).text);
  if (kind === 1) return latin1(invite(target, from, { number: target.closedNumber, extraHeaders: Array.from({ length: 600 }, (_, i) => `X-H${i}: ${'b'.repeat(90)}`) }).text);
  if (kind === 2) return latin1(invite(target, from, { number: target.closedNumber, sdp: `${GOOD_SDP(from.host)}a=x:${'c'.repeat(60_000)}\r\n` }).text);
  // Just under the parser's per-line limit, many times: the most a message can carry.
  return latin1(invite(target, from, { number: target.closedNumber, extraHeaders: Array.from({ length: 7 }, (_, i) => `X-L${i}: ${'d'.repeat(8_000)}`) }).text);
}

function wrongContentLength(rng: Prng, target: Target, from: Sender): Buffer {
  const value = rng.pick(['99999', '5000', '1', '0', '-1', 'abc', '1e3', ' 12 ', '4294967296', '9007199254740993', '', '12, 13']);
  const parts: InviteParts = { number: target.closedNumber, contentLength: value };
  if (rng.int(4) === 0) parts.extraHeaders = ['Content-Length: 3'];
  return latin1(invite(target, from, parts).text);
}

function binary(rng: Prng, target: Target, from: Sender): Buffer {
  if (rng.int(8) > 0) return rng.bytes(1 + rng.int(1500));
  // A real start line and headers, then noise.
  const head = latin1(invite(target, from, { number: target.closedNumber }).text).subarray(0, 120 + rng.int(200));
  return Buffer.concat([head, rng.bytes(rng.int(1200))]);
}

function badStartLine(rng: Prng, target: Target, from: Sender): Buffer {
  const text = invite(target, from, { number: target.closedNumber }).text;
  return latin1(`${rng.pick(START_LINES)}\r\n${text.slice(text.indexOf('\r\n') + 2)}`);
}

function injected(rng: Prng, target: Target, from: Sender): Buffer {
  const extraHeaders = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(INJECTIONS));
  return latin1(invite(target, from, { number: target.closedNumber, extraHeaders }).text);
}

function hugeVia(rng: Prng, target: Target, from: Sender): Buffer {
  const ours = `SIP/2.0/UDP ${from.host}:${from.port};branch=z9hG4bK-v${rng.int(1e9)};rport`;
  const hop = (i: number) => `SIP/2.0/UDP 198.51.100.${i % 250}:5060;branch=z9hG4bK-hop${i};received=203.0.113.${i % 250}`;
  const kind = rng.int(3);
  // 190 Via lines (the parser takes 200 headers); one 8 KB comma list; or thousands (beyond every limit).
  if (kind === 0) return latin1(invite(target, from, { number: target.closedNumber, vias: [ours, ...Array.from({ length: 185 }, (_, i) => hop(i))] }).text);
  if (kind === 1) return latin1(invite(target, from, { number: target.closedNumber, vias: [[ours, ...Array.from({ length: 95 }, (_, i) => hop(i))].join(', ').slice(0, 8_150)] }).text);
  return latin1(invite(target, from, { number: target.closedNumber, vias: [ours, ...Array.from({ length: 700 }, (_, i) => hop(i))] }).text);
}

const SPECIALS = [':', ';', ',', '"', '\\', '<', '>', '\r', '\n', '\r\n', ' ', '\t', '%', '\0', '@', '[', ']', '=', '?', '\xff', 'é',
  '\r\n ', '\r\n\r\n', 'Content-Length: 99999\r\n', 'l: -1\r\n', 'v: SIP/2.0/UDP x\r\n', 'i: x\r\n', 'To: <sip:a@b>;tag=x\r\n', 'sip:', 'SIP/2.0'];

/** A valid INVITE (or OPTIONS / BYE / response) with 1–8 random edits. */
function mutated(rng: Prng, target: Target, from: Sender): Buffer {
  let text = invite(target, from, { number: target.closedNumber }).text;
  const shape = rng.int(10);
  if (shape === 0) text = text.replace(/INVITE/g, 'OPTIONS');
  if (shape === 1) text = text.replace(/INVITE/g, 'BYE');
  if (shape === 2) text = text.replace(/^INVITE \S+ SIP\/2\.0/, 'SIP/2.0 200 OK');
  for (let edits = 1 + rng.int(8); edits > 0; edits--) {
    const at = rng.int(text.length + 1);
    const op = rng.int(4);
    if (op === 0) text = text.slice(0, at) + rng.pick(SPECIALS) + text.slice(at);
    else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.int(12));
    else if (op === 2) text = text.slice(0, at) + String.fromCharCode(rng.int(256)) + text.slice(at + 1);
    else text = text.slice(0, at) + text.slice(at, at + 1 + rng.int(40)).repeat(2 + rng.int(20)) + text.slice(at);
  }
  return latin1(text);
}

/** Requests and responses for transactions and dialogs that do not exist. */
function stray(rng: Prng, target: Target, from: Sender): Buffer {
  const text = invite(target, from, { number: target.closedNumber }).text;
  const kind = rng.pick(['ACK', 'BYE', 'CANCEL', 'response', 'reinvite']);
  if (kind === 'response') return latin1(text.replace(/^INVITE \S+ SIP\/2\.0/, `SIP/2.0 ${rng.pick([100, 180, 200, 401, 486, 503])} Whatever`));
  if (kind === 'reinvite') return latin1(text.replace(/\r\nTo: ([^\r]+)/, '\r\nTo: $1;tag=nosuchdialog'));
  return latin1(text.replace(/INVITE/g, kind).replace(/\r\nTo: ([^\r]+)/, '\r\nTo: $1;tag=nosuchdialog'));
}

export const GENERATORS = { truncated, oversized, wrongContentLength, binary, badStartLine, injected, hugeVia, mutated, stray };
export type GeneratorName = keyof typeof GENERATORS;
