/**
 * SIP message parser (RFC 3261 §7, §18.3): bytes in, a SipMessage or a SipError out.
 * Datagram mode frames with Content-Length inside one UDP payload; stream mode (TCP) also
 * reports how many bytes the message used, or `incomplete` when more are needed.
 */
import { canonicalHeaderName, isListHeader } from './header-names.ts';
import type { SipHeader, SipMessage } from './message.ts';
import { fail, ok, type Result, type SipError } from './result.ts';
import { parseStartLine } from './start-line.ts';
import { isToken, parseBoundedInt, splitOutside, trimLws } from './syntax.ts';

export interface ParseOptions {
  /** 'datagram' (UDP, default) or 'stream' (TCP/TLS: Content-Length mandatory). */
  readonly transport?: 'datagram' | 'stream';
  readonly maxMessageBytes?: number;
  readonly maxHeaders?: number;
  /** Longest header line after unfolding, name included. */
  readonly maxHeaderBytes?: number;
}

export const DEFAULT_LIMITS = { maxMessageBytes: 65_535, maxHeaders: 200, maxHeaderBytes: 8_192 } as const;

export type ParseResult =
  | { readonly ok: true; readonly value: SipMessage; readonly consumed: number }
  | { readonly ok: false; readonly error: SipError };

const LF = 0x0a;
const CR = 0x0d;

/** Index just past the empty line ending the header section, or -1. Tolerates bare LF. */
function findHeaderEnd(buf: Buffer, from: number, limit: number): number {
  const end = Math.min(buf.length, limit);
  for (let i = buf.indexOf(LF, from); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) {
    if (buf[i + 1] === LF) return i + 2;
    if (buf[i + 1] === CR && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}

/** Skips CRLFs before the start line (RFC 3261 §7.5; also how keep-alives look). */
function skipLeadingNewlines(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
  return i;
}

/** Joins folded lines (a line starting with SP/HT continues the previous one) into logical lines. */
function unfold(text: string): string[] | null {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (lines.length < 2) return null; // the start line cannot be folded
      lines[lines.length - 1] += ` ${trimLws(line)}`;
    } else lines.push(line);
  }
  return lines;
}

function parseHeaderLines(lines: string[], options: Required<Omit<ParseOptions, 'transport'>>): Result<SipHeader[]> {
  if (lines.length - 1 > options.maxHeaders) return fail('too_many_headers', `more than ${options.maxHeaders} headers`);
  const headers: SipHeader[] = [];
  for (const line of lines.slice(1)) {
    if (line.length > options.maxHeaderBytes) return fail('header_too_long', 'header line too long');
    const colon = line.indexOf(':');
    const rawName = colon < 0 ? '' : trimLws(line.slice(0, colon));
    if (!isToken(rawName)) return fail('bad_header', 'header line without a valid name');
    const name = canonicalHeaderName(rawName);
    const value = trimLws(line.slice(colon + 1));
    const values = isListHeader(name) ? (splitOutside(value, ',') ?? [value]) : [value];
    for (const v of values) {
      const trimmed = trimLws(v);
      if (trimmed !== '' || values.length === 1) headers.push({ name, value: trimmed });
    }
  }
  return ok(headers);
}

/** All Content-Length values must agree; none means undefined. */
function contentLength(headers: SipHeader[], max: number): Result<number | undefined> {
  let length: number | undefined;
  for (const h of headers) {
    if (h.name !== 'Content-Length') continue;
    const n = parseBoundedInt(h.value, max);
    if (n === null) return fail('bad_content_length', 'Content-Length is not a number within limits');
    if (length !== undefined && length !== n) return fail('bad_content_length', 'conflicting Content-Length headers');
    length = n;
  }
  return ok(length);
}

export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  try {
    return parse(typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength), options);
  } catch (error) {
    // Defence in depth for a network-facing parser; the fuzz tests assert this never happens.
    return fail('internal', error instanceof Error ? error.message : String(error));
  }
}

function parse(buf: Buffer, options: ParseOptions): ParseResult {
  const limits = {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
    maxHeaders: options.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes,
  };
  const stream = options.transport === 'stream';
  const start = skipLeadingNewlines(buf);
  if (start === buf.length) return fail(stream ? 'incomplete' : 'empty', 'no message');
  if (!stream && buf.length > limits.maxMessageBytes) return fail('too_large', `datagram over ${limits.maxMessageBytes} bytes`);
  let headerEnd = findHeaderEnd(buf, start, start + limits.maxMessageBytes);
  if (headerEnd < 0) {
    if (stream) {
      return buf.length - start >= limits.maxMessageBytes
        ? fail('too_large', 'header section over the size limit')
        : fail('incomplete', 'header section not complete');
    }
    // A datagram whose last header line ends the payload: accept it with an empty body.
    if (buf[buf.length - 1] !== LF) return fail('truncated', 'datagram ends inside the header section');
    headerEnd = buf.length;
  }
  const headerText = buf.toString('utf8', start, headerEnd);
  // A CR not followed by LF is no line ending and is not allowed in a value either.
  if (/\r(?!\n)/.test(headerText)) return fail('bad_header', 'bare CR in the header section');
  const lines = unfold(headerText);
  if (!lines || lines.length === 0) return fail('bad_start_line', 'missing or folded start line');
  const startLine = parseStartLine(lines[0]);
  if (!startLine.ok) return startLine;
  const headers = parseHeaderLines(lines, limits);
  if (!headers.ok) return headers;
  const length = contentLength(headers.value, limits.maxMessageBytes);
  if (!length.ok) return length;
  const available = buf.length - headerEnd;
  let bodyLength: number;
  if (length.value === undefined) {
    if (stream) return fail('missing_content_length', 'Content-Length is required on stream transports');
    bodyLength = available; // UDP without Content-Length: the rest of the datagram (RFC 3261 §18.3)
  } else if (length.value > available) {
    if (stream) return fail('incomplete', 'body not complete');
    return fail('body_truncated', 'Content-Length is larger than the body received');
  } else bodyLength = length.value; // extra datagram bytes beyond Content-Length are discarded
  const body = Buffer.from(buf.subarray(headerEnd, headerEnd + bodyLength));
  const consumed = stream ? headerEnd + bodyLength : buf.length;
  return { ok: true, value: { ...startLine.value, headers: headers.value, body }, consumed };
}
