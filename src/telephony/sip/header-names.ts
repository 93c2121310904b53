/** Header names: compact forms, canonical spelling, and which headers are comma lists. */

/** RFC 3261 §7.3.3 plus the extension compact forms registered with IANA. */
const COMPACT_TO_LONG: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
};

const LONG_TO_COMPACT = new Map(Object.entries(COMPACT_TO_LONG).map(([c, l]) => [l.toLowerCase(), c]));

const KNOWN = [
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Authentication-Info',
  'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Language',
  'CSeq', 'Date', 'Error-Info', 'Expires', 'In-Reply-To', 'Max-Forwards', 'MIME-Version',
  'Min-Expires', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority',
  'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason',
  'Record-Route', 'Remote-Party-ID', 'Reply-To', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server',
  'Service-Route', 'Timestamp', 'Unsupported', 'User-Agent', 'Warning', 'WWW-Authenticate',
  ...Object.values(COMPACT_TO_LONG),
];
const CANONICAL = new Map(KNOWN.map((n) => [n.toLowerCase(), n]));

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1): the parser splits them
 * into one entry per value. Authorization-type headers, Date and Retry-After hold commas
 * inside a single value and are never split.
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events', 'call-info',
  'contact', 'content-encoding', 'content-language', 'error-info', 'in-reply-to', 'path',
  'p-asserted-identity', 'proxy-require', 'reason', 'record-route', 'require', 'route',
  'service-route', 'supported', 'unsupported', 'via',
]);

/** `v`, `VIA` and `Via` all become `Via`; unknown headers keep the sender's spelling. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT_TO_LONG[lower] ?? name;
  return CANONICAL.get(lower) ?? name;
}

export function compactHeaderName(canonical: string): string | undefined {
  return LONG_TO_COMPACT.get(canonical.toLowerCase());
}

export function isListHeader(canonical: string): boolean {
  return LIST_HEADERS.has(canonical.toLowerCase());
}

/** Key used to compare header names: canonical form, lowercased. */
export function headerKey(name: string): string {
  return canonicalHeaderName(name).toLowerCase();
}
