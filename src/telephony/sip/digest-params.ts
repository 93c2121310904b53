/**
 * The `Scheme name=value, name="quoted"` syntax shared by WWW-Authenticate,
 * Proxy-Authenticate, Authorization and Proxy-Authorization (RFC 3261 §25.1, RFC 7616 §3).
 */
import { fail, ok, type Result } from './result.ts';
import { isToken, quote, readQuoted, splitOutside } from './syntax.ts';

export interface AuthHeader {
  readonly scheme: string;
  /** Names lowercased; quoted values unescaped. */
  readonly params: Map<string, string>;
}

export function parseAuthHeader(value: string): Result<AuthHeader> {
  const m = /^\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^]*)$/.exec(value);
  if (!m) return fail('bad_value', 'missing authentication scheme or parameters');
  const parts = splitOutside(m[2], ',');
  if (!parts) return fail('bad_value', 'unterminated quoted string');
  const params = new Map<string, string>();
  for (const part of parts) {
    if (part.trim() === '') continue; // tolerate `a=1,,b=2` and trailing commas
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    if (!isToken(name)) return fail('bad_value', 'malformed auth-param');
    const raw = part.slice(eq + 1).trim();
    if (raw.startsWith('"')) {
      const q = readQuoted(raw, 0);
      if (!q || q.end !== raw.length) return fail('bad_value', `malformed quoted value for ${name}`);
      params.set(name, q.value);
    } else if (isToken(raw)) params.set(name, raw);
    else return fail('bad_value', `malformed value for ${name}`);
  }
  return ok({ scheme: m[1], params });
}

/** `quoted` names are written as quoted strings, the rest as tokens (the RFC 3261 grammar). */
export function formatAuthHeader(scheme: string, params: ReadonlyArray<readonly [string, string]>, quoted: ReadonlySet<string>): string {
  return `${scheme} ${params.map(([n, v]) => `${n}=${quoted.has(n) ? quote(v) : v}`).join(', ')}`;
}
