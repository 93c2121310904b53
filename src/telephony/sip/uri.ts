/** SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966): parse to a structure, format back. */
import { fail, ok, type Result } from './result.ts';
import type { Params } from './syntax.ts';

export interface SipUri {
  readonly scheme: 'sip' | 'sips' | 'tel';
  /** Percent-decoded; for tel: the telephone number. */
  readonly user?: string;
  readonly password?: string;
  /** Hostname, IPv4, or IPv6 reference with its brackets; '' for tel: URIs. */
  readonly host: string;
  readonly port?: number;
  /** Names lowercased, names and values percent-decoded, in order. */
  readonly params: Params;
  /** `?name=value&…` headers, percent-decoded. Not allowed in a Request-URI. */
  readonly headers: Map<string, string>;
}

const ALNUM = 'A-Za-z0-9';
const MARK = "\\-_.!~*'()";
const USER_CHARS = new RegExp(`^[${ALNUM}${MARK}&=+$,;?/%]*$`);
const PASSWORD_CHARS = new RegExp(`^[${ALNUM}${MARK}&=+$,%]*$`);
const PARAM_CHARS = new RegExp(`^[${ALNUM}${MARK}\\[\\]/:&+$%]*$`);
const HEADER_CHARS = new RegExp(`^[${ALNUM}${MARK}\\[\\]/?:+$%]*$`);
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9.])?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
const TEL_NUMBER_RE = /^[0-9A-Fa-f*#+\-.()pPwW]+$/;

/** Percent-decodes as UTF-8; a `%` not followed by two hex digits stays literal. */
export function unescapeUri(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Escapes everything outside `allowed` (a character class body) and always `%`. */
function escapeUri(text: string, allowed: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (ch !== '%' && allowed.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
const USER_SAFE = new RegExp(`^[${ALNUM}${MARK}&=+$,;?/]$`);
const PASSWORD_SAFE = new RegExp(`^[${ALNUM}${MARK}&=+$,]$`);
const PARAM_SAFE = new RegExp(`^[${ALNUM}${MARK}\\[\\]/:&+$]$`);
const HEADER_SAFE = new RegExp(`^[${ALNUM}${MARK}\\[\\]/?:+$]$`);

function parseUriParams(text: string): Params | null {
  const params: Params = new Map();
  if (text === '') return params;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (name === '' || !PARAM_CHARS.test(name) || (value !== null && !PARAM_CHARS.test(value))) return null;
    params.set(unescapeUri(name).toLowerCase(), value === null ? null : unescapeUri(value));
  }
  return params;
}

function parseUriHeaders(text: string): Map<string, string> | null {
  const headers = new Map<string, string>();
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || !HEADER_CHARS.test(part.slice(0, eq)) || !HEADER_CHARS.test(part.slice(eq + 1))) return null;
    headers.set(unescapeUri(part.slice(0, eq)), unescapeUri(part.slice(eq + 1)));
  }
  return headers;
}

/** `host[:port]`; an IPv6 reference keeps its brackets so it can be written back verbatim. */
export function parseHostPort(text: string): { host: string; port?: number } | null {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(0, close + 1);
    rest = text.slice(close + 1);
    if (!IPV6_RE.test(host)) return null;
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (!HOSTNAME_RE.test(host)) return null;
  }
  if (rest === '') return { host };
  if (!/^:\d{1,5}$/.test(rest)) return null;
  const port = Number(rest.slice(1));
  return port <= 65535 ? { host, port } : null;
}

function parseTel(rest: string): Result<SipUri> {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  const params = parseUriParams(semi < 0 ? '' : rest.slice(semi + 1));
  if (!TEL_NUMBER_RE.test(number) || !params) return fail('bad_uri', 'malformed tel: URI');
  return ok({ scheme: 'tel', user: number, host: '', params, headers: new Map() });
}

export function parseUri(text: string): Result<SipUri> {
  const colon = text.indexOf(':');
  const scheme = text.slice(0, Math.max(colon, 0)).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest);
  if (scheme !== 'sip' && scheme !== 'sips') return fail('bad_uri', 'only sip:, sips: and tel: URIs are supported');
  // '@' may appear only as the userinfo separator (RFC 3261 §25.1: it is escaped elsewhere).
  const at = rest.lastIndexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    const rawUser = pc < 0 ? userinfo : userinfo.slice(0, pc);
    const rawPassword = pc < 0 ? undefined : userinfo.slice(pc + 1);
    if (rawUser === '' || !USER_CHARS.test(rawUser)) return fail('bad_uri', 'invalid user part');
    if (rawPassword !== undefined && !PASSWORD_CHARS.test(rawPassword)) return fail('bad_uri', 'invalid password');
    user = unescapeUri(rawUser);
    password = rawPassword === undefined ? undefined : unescapeUri(rawPassword);
  }
  const afterUser = rest.slice(at + 1);
  const q = afterUser.indexOf('?');
  const beforeHeaders = q < 0 ? afterUser : afterUser.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostPort = parseHostPort(semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi));
  if (!hostPort) return fail('bad_uri', 'invalid host or port');
  const params = parseUriParams(semi < 0 ? '' : beforeHeaders.slice(semi + 1));
  if (!params) return fail('bad_uri', 'invalid URI parameter');
  const headers = q < 0 ? new Map<string, string>() : parseUriHeaders(afterUser.slice(q + 1));
  if (!headers) return fail('bad_uri', 'invalid URI header');
  return ok({ scheme, user, password, ...hostPort, params, headers });
}

export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') out += uri.user ?? '';
  else {
    if (uri.user !== undefined) {
      out += escapeUri(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${escapeUri(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [name, value] of uri.params) {
    out += `;${escapeUri(name, PARAM_SAFE)}`;
    if (value !== null) out += `=${escapeUri(value, PARAM_SAFE)}`;
  }
  const headers = [...uri.headers].map(([n, v]) => `${escapeUri(n, HEADER_SAFE)}=${escapeUri(v, HEADER_SAFE)}`);
  if (headers.length > 0) out += `?${headers.join('&')}`;
  return out;
}
