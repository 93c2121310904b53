/**
 * Request-Line and Status-Line (RFC 3261 §7.1, §7.2). Strict on purpose: exactly one SP
 * between elements and nothing trailing (RFC 4475 lwsstart, trws, lwsruri, ltgtruri).
 */
import { fail, ok, type Result } from './result.ts';
import { isToken } from './syntax.ts';
import { parseUri } from './uri.ts';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string };

const VERSION_RE = /^SIP\/(\d+\.\d+)$/i;
const ABSOLUTE_URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[!-~]+$/;

function checkVersion(version: string): Result<void> {
  const m = VERSION_RE.exec(version);
  if (!m) return fail('bad_start_line', 'malformed SIP version');
  if (m[1] !== '2.0') return fail('unsupported_version', `SIP/${m[1]} is not supported`);
  return ok(undefined);
}

function parseStatusLine(line: string): Result<StartLine> {
  // Reason-Phrase may be empty (RFC 4475 noreason); a missing final SP is tolerated.
  const m = /^([^ ]+) (\d{3})(?: ([^\r\n]*))?$/.exec(line);
  if (!m) return fail('bad_start_line', 'malformed status line');
  const version = checkVersion(m[1]);
  if (!version.ok) return version;
  const status = Number(m[2]);
  if (status < 100 || status > 699) return fail('bad_start_line', 'status code out of range');
  return ok({ kind: 'response', status, reason: m[3] ?? '' });
}

function parseRequestLine(line: string): Result<StartLine> {
  const parts = line.split(' ');
  if (parts.length !== 3) return fail('bad_start_line', 'request line must be "Method SP Request-URI SP SIP-Version"');
  const [method, uri, version] = parts;
  if (!isToken(method)) return fail('bad_start_line', 'method is not a token');
  const v = checkVersion(version);
  if (!v.ok) return v;
  if (!ABSOLUTE_URI_RE.test(uri)) return fail('bad_start_line', 'Request-URI is not an absolute URI');
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    const parsed = parseUri(uri);
    if (!parsed.ok) return fail('bad_start_line', `Request-URI: ${parsed.error.message}`);
    // Headers are forbidden in a Request-URI (RFC 3261 §19.1.5, RFC 4475 escruri).
    if (parsed.value.headers.size > 0) return fail('bad_start_line', 'Request-URI must not carry headers');
  }
  return ok({ kind: 'request', method, uri });
}

export function parseStartLine(line: string): Result<StartLine> {
  return /^SIP\//i.test(line) ? parseStatusLine(line) : parseRequestLine(line);
}
