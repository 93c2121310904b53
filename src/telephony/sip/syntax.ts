/** Small pieces of the RFC 3261 grammar shared by the header, URI and digest parsers. */

/** Ordered header/URI parameters; names lowercased (they compare case-insensitively), `null` = no value. */
export type Params = Map<string, string | null>;

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** Parameter values: token, or a host (IPv6 references bring `[`, `]` and `:`). */
const PARAM_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~[\]:]+$/;

/** Trims SP and HT only: String.prototype.trim would also eat U+FEFF and other Unicode spaces. */
export function trimLws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

export function isToken(text: string): boolean {
  return TOKEN_RE.test(text);
}

/**
 * Splits `text` on `separator` where it appears outside quoted strings and `<...>`.
 * Returns null when a quoted string or an angle bracket is left open, so callers can
 * refuse the value instead of guessing where it ends.
 */
export function splitOutside(text: string, separator: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (inAngle) {
      if (ch === '>') inAngle = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '<') inAngle = true;
    else if (ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuote || inAngle) return null;
  parts.push(text.slice(start));
  return parts;
}

/**
 * Reads a quoted string starting at `text[from] === '"'`. Returns the unescaped content
 * and the index after the closing quote, or null if it never closes.
 */
export function readQuoted(text: string, from: number): { value: string; end: number } | null {
  let value = '';
  for (let i = from + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      if (i + 1 >= text.length) return null;
      value += text[++i];
    } else if (ch === '"') return { value, end: i + 1 };
    else value += ch;
  }
  return null;
}

export function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Parses `;name=value;flag` (the leading `;` included, LWS allowed around `;` and `=`).
 * Empty parameters (`;;`) and non-token names are errors: RFC 4475 badinv01.
 */
export function parseParams(text: string): Params | null {
  const params: Params = new Map();
  const trimmed = text.trim();
  if (trimmed === '') return params;
  const parts = splitOutside(trimmed, ';');
  if (!parts || parts[0].trim() !== '') return null;
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!isToken(name)) return null;
    if (eq < 0) {
      params.set(name.toLowerCase(), null);
      continue;
    }
    const raw = part.slice(eq + 1).trim();
    let value: string;
    if (raw.startsWith('"')) {
      const q = readQuoted(raw, 0);
      if (!q || q.end !== raw.length) return null;
      value = q.value;
    } else if (PARAM_VALUE_RE.test(raw)) value = raw;
    else return null;
    params.set(name.toLowerCase(), value);
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) {
    if (value === null) out += `;${name}`;
    else out += `;${name}=${PARAM_VALUE_RE.test(value) ? value : quote(value)}`;
  }
  return out;
}

/** Strict unsigned decimal with an upper bound; leading zeros allowed (RFC 4475 wsinv). */
export function parseBoundedInt(text: string, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const digits = t.replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return null; // beyond exact doubles; every bound we use is smaller
  const n = Number(digits);
  return n <= max ? n : null;
}
