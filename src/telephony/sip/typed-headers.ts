/** Parsers for single header values the transaction and dialog layers rely on. */
import { fail, ok, type Result } from './result.ts';
import { isToken, parseBoundedInt, parseParams, readQuoted, type Params } from './syntax.ts';
import { parseHostPort, parseUri, type SipUri } from './uri.ts';

export interface Via {
  /** `SIP/2.0`. */
  readonly protocol: string;
  /** Uppercased: `UDP`, `TCP`, `TLS`, `WS`, `WSS`, `SCTP`… */
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly branch?: string;
  readonly received?: string;
  /** A number once filled in by the server; `true` when the client asked for it (RFC 3581). */
  readonly rport?: number | true;
  readonly params: Params;
}

/** A name-addr or addr-spec with header parameters: From, To, Contact, Route, Record-Route, Refer-To… */
export interface NameAddr {
  readonly displayName?: string;
  readonly uri: SipUri;
  /** Raw URI text as received, for Route/Record-Route which must be echoed unchanged. */
  readonly uriText: string;
  readonly params: Params;
  /** From/To `tag`, if any. */
  readonly tag?: string;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export interface ContentType {
  /** Lowercased. */
  readonly type: string;
  readonly subtype: string;
  readonly params: Params;
}

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
const SENT_PROTOCOL_RE = new RegExp(`^(${TOKEN})\\s*/\\s*(${TOKEN})\\s*/\\s*(${TOKEN})\\s+(.+?)\\s*$`);

export function parseVia(value: string): Result<Via> {
  const semi = value.indexOf(';');
  const head = semi < 0 ? value : value.slice(0, semi);
  const m = SENT_PROTOCOL_RE.exec(head.trim());
  if (!m) return fail('bad_value', 'malformed Via sent-protocol / sent-by');
  const hostPort = parseHostPort(m[4].replace(/\s*:\s*(\d+)$/, ':$1'));
  const params = parseParams(semi < 0 ? '' : value.slice(semi));
  if (!hostPort || !params) return fail('bad_value', 'malformed Via sent-by or parameters');
  const rportRaw = params.get('rport');
  let rport: number | true | undefined;
  if (rportRaw === null) rport = true;
  else if (rportRaw !== undefined) {
    const n = parseBoundedInt(rportRaw, 65535);
    if (n === null) return fail('bad_value', 'Via rport is not a port');
    rport = n;
  }
  return ok({
    protocol: `${m[1].toUpperCase()}/${m[2]}`,
    transport: m[3].toUpperCase(),
    ...hostPort,
    branch: params.get('branch') ?? undefined,
    received: params.get('received') ?? undefined,
    rport,
    params,
  });
}

/** Display name before `<`: a quoted string, or tokens separated by LWS (RFC 4475 baddn). */
function parseDisplayName(text: string): Result<{ name?: string; rest: string }> {
  if (text.startsWith('"')) {
    const q = readQuoted(text, 0);
    if (!q) return fail('bad_value', 'unterminated quoted display name');
    const rest = text.slice(q.end).trimStart();
    if (!rest.startsWith('<')) return fail('bad_value', 'quoted display name must be followed by <URI>');
    return ok({ name: q.value, rest });
  }
  const lt = text.indexOf('<');
  if (lt < 0) return ok({ rest: text });
  const name = text.slice(0, lt).trim();
  if (name !== '' && !name.split(/\s+/).every(isToken)) return fail('bad_value', 'display name must be quoted');
  return ok({ name: name === '' ? undefined : name, rest: text.slice(lt) });
}

export function parseNameAddr(value: string): Result<NameAddr> {
  const display = parseDisplayName(value.trim());
  if (!display.ok) return display;
  const { rest } = display.value;
  let uriText: string;
  let paramText: string;
  if (rest.startsWith('<')) {
    const gt = rest.indexOf('>');
    if (gt < 0) return fail('bad_value', 'missing >');
    // Spaces just inside the brackets are tolerated (RFC 4475 badaspec allows being liberal).
    uriText = rest.slice(1, gt).trim();
    paramText = rest.slice(gt + 1);
  } else {
    // addr-spec form: parameters belong to the header, so the URI cannot hold ; ? or ,
    const semi = rest.indexOf(';');
    uriText = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    paramText = semi < 0 ? '' : rest.slice(semi);
    if (/[?,\s]/.test(uriText)) return fail('bad_value', 'a URI with ? or , must be enclosed in <>');
  }
  const uri = parseUri(uriText);
  if (!uri.ok) return uri;
  const params = parseParams(paramText);
  if (!params) return fail('bad_value', 'malformed header parameters');
  return ok({ displayName: display.value.name, uri: uri.value, uriText, params, tag: params.get('tag') ?? undefined });
}

/** CSeq: sequence number below 2**31 (RFC 3261 §8.1.1.5) and a method token. */
export function parseCSeq(value: string): Result<CSeq> {
  const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(value);
  if (!m || !isToken(m[2])) return fail('bad_value', 'malformed CSeq');
  const seq = parseBoundedInt(m[1], 2 ** 31 - 1);
  if (seq === null) return fail('bad_value', 'CSeq number out of range');
  return ok({ seq, method: m[2] });
}

export function parseMaxForwards(value: string): Result<number> {
  const n = parseBoundedInt(value, 255);
  return n === null ? fail('bad_value', 'Max-Forwards must be 0..255') : ok(n);
}

/** Expires and similar delta-seconds values (32-bit). */
export function parseDeltaSeconds(value: string): Result<number> {
  const n = parseBoundedInt(value, 2 ** 32 - 1);
  return n === null ? fail('bad_value', 'not a delta-seconds value') : ok(n);
}

export function parseCallId(value: string): Result<string> {
  const v = value.trim();
  return v !== '' && /^[!-~]+$/.test(v) ? ok(v) : fail('bad_value', 'malformed Call-ID');
}

export function parseContentType(value: string): Result<ContentType> {
  const semi = value.indexOf(';');
  const m = new RegExp(`^\\s*(${TOKEN})\\s*/\\s*(${TOKEN})\\s*$`).exec(semi < 0 ? value : value.slice(0, semi));
  const params = parseParams(semi < 0 ? '' : value.slice(semi));
  if (!m || !params) return fail('bad_value', 'malformed Content-Type');
  return ok({ type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), params });
}
