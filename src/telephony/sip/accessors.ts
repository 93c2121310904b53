/**
 * Typed views of a parsed message's headers. Each returns a Result: a missing or malformed
 * header is an answerable condition (400 Bad Request), never an exception.
 */
import { getHeader, getHeaders, type SipMessage } from './message.ts';
import { fail, ok, type Result } from './result.ts';
import {
  parseCallId, parseContentType, parseCSeq, parseMaxForwards, parseNameAddr, parseVia,
  type ContentType, type CSeq, type NameAddr, type Via,
} from './typed-headers.ts';

type Msg = Pick<SipMessage, 'headers'>;

function single<T>(message: Msg, name: string, parse: (v: string) => Result<T>): Result<T> {
  const value = getHeader(message, name);
  if (value === undefined) return fail('missing_header', `${name} header missing`);
  const parsed = parse(value);
  return parsed.ok ? parsed : fail(parsed.error.code, `${name}: ${parsed.error.message}`);
}

function list<T>(message: Msg, name: string, parse: (v: string) => Result<T>): Result<T[]> {
  const out: T[] = [];
  for (const value of getHeaders(message, name)) {
    const parsed = parse(value);
    if (!parsed.ok) return fail(parsed.error.code, `${name}: ${parsed.error.message}`);
    out.push(parsed.value);
  }
  return ok(out);
}

/** All Via values, topmost first. */
export function getVias(message: Msg): Result<Via[]> {
  const vias = list(message, 'Via', parseVia);
  if (vias.ok && vias.value.length === 0) return fail('missing_header', 'Via header missing');
  return vias;
}

export function getTopVia(message: Msg): Result<Via> {
  return single(message, 'Via', parseVia);
}

export function getFrom(message: Msg): Result<NameAddr> {
  return single(message, 'From', parseNameAddr);
}

export function getTo(message: Msg): Result<NameAddr> {
  return single(message, 'To', parseNameAddr);
}

export function getCSeq(message: Msg): Result<CSeq> {
  return single(message, 'CSeq', parseCSeq);
}

export function getCallId(message: Msg): Result<string> {
  return single(message, 'Call-ID', parseCallId);
}

export function getMaxForwards(message: Msg): Result<number> {
  return single(message, 'Max-Forwards', parseMaxForwards);
}

export function getContentType(message: Msg): Result<ContentType> {
  return single(message, 'Content-Type', parseContentType);
}

/** Contact values; `'*'` is the REGISTER wildcard. An absent Contact is an empty list. */
export function getContacts(message: Msg): Result<NameAddr[] | '*'> {
  const values = getHeaders(message, 'Contact');
  if (values.length === 1 && values[0] === '*') return ok('*');
  return list(message, 'Contact', parseNameAddr);
}

export function getRoutes(message: Msg): Result<NameAddr[]> {
  return list(message, 'Route', parseNameAddr);
}

export function getRecordRoutes(message: Msg): Result<NameAddr[]> {
  return list(message, 'Record-Route', parseNameAddr);
}
