/** Header values the dialog layer writes, and the Request-URI / Route computation of §12.2.1.1. */
import { quote } from '../syntax.ts';
import { formatUri, parseUri } from '../uri.ts';
import { fail, ok, type Result } from './errors.ts';

/** CR, LF and NUL would break the message framing: values we are handed must not contain them. */
export function safeText(text: string): boolean {
  return !/[\r\n\0]/.test(text);
}

export interface PartyInput {
  /** sip:, sips: or tel: URI. */
  readonly uri: string;
  readonly displayName?: string;
}

/** `"Display" <uri>`; the URI is validated so a hostile number cannot smuggle parameters. */
export function formatParty(party: PartyInput): Result<string> {
  if (!safeText(party.uri) || (party.displayName !== undefined && !safeText(party.displayName))) {
    return fail('bad_input', 'party contains CR, LF or NUL');
  }
  const uri = parseUri(party.uri);
  if (!uri.ok || /[\s<>]/.test(party.uri)) return fail('bad_input', `bad URI ${JSON.stringify(party.uri)}`);
  const name = party.displayName === undefined || party.displayName === '' ? '' : `${quote(party.displayName)} `;
  return ok(`${name}<${party.uri}>`);
}

export function withTag(nameAddr: string, tag: string | undefined): string {
  return tag === undefined ? nameAddr : `${nameAddr};tag=${tag}`;
}

export interface ViaInput {
  /** UDP, TCP, TLS… — what the transport will send on. */
  readonly transport: string;
  /** Our sent-by host; the transport may rewrite it, this is the placeholder. */
  readonly host: string;
  readonly port?: number;
  /** Must start with the RFC 3261 magic cookie `z9hG4bK` (§8.1.1.7). */
  readonly branch: string;
  /** Ask for rport (RFC 3581); default true, since trunks behind NAT rely on it. */
  readonly rport?: boolean;
}

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function formatVia(via: ViaInput): Result<string> {
  if (!via.branch.startsWith('z9hG4bK') || !TOKEN_RE.test(via.branch)) {
    return fail('bad_input', 'Via branch must be a token starting with z9hG4bK');
  }
  if (!TOKEN_RE.test(via.transport) || !/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(via.host)) {
    return fail('bad_input', 'bad Via transport or host');
  }
  const port = via.port === undefined ? '' : `:${via.port}`;
  const rport = via.rport === false ? '' : ';rport';
  return ok(`SIP/2.0/${via.transport.toUpperCase()} ${via.host}${port};branch=${via.branch}${rport}`);
}

/**
 * A URI as a Request-URI: §19.1.1 forbids the `method` parameter and URI headers there.
 * Untouched URIs are returned verbatim, so the peer sees its own Contact unchanged.
 */
export function asRequestUri(uriText: string): Result<string> {
  const parsed = parseUri(uriText);
  if (!parsed.ok || !safeText(uriText) || /\s/.test(uriText)) return fail('bad_input', `bad target URI ${JSON.stringify(uriText)}`);
  const uri = parsed.value;
  if (uri.headers.size === 0 && !uri.params.has('method')) return ok(uriText);
  const params = new Map(uri.params);
  params.delete('method');
  return ok(formatUri({ ...uri, params, headers: new Map() }));
}

/** §19.1.1: a Route URI with `lr` belongs to a loose router (RFC 3261); without it, a strict (RFC 2543) one. */
export function isLooseRoute(uriText: string): boolean {
  const uri = parseUri(uriText);
  return uri.ok && uri.value.params.has('lr');
}

/**
 * §12.2.1.1: where a request in the dialog goes. A loose first hop keeps the remote target as
 * Request-URI and lists the route set in Route; a strict first hop takes the Request-URI
 * itself and the remote target moves to the end of the Route list.
 */
export function requestTarget(remoteTarget: string, routeSet: readonly string[]): Result<{ uri: string; routes: string[] }> {
  if (routeSet.length === 0 || isLooseRoute(routeSet[0])) {
    const uri = asRequestUri(remoteTarget);
    return uri.ok ? ok({ uri: uri.value, routes: [...routeSet] }) : uri;
  }
  const first = asRequestUri(routeSet[0]);
  if (!first.ok) return first;
  return ok({ uri: first.value, routes: [...routeSet.slice(1), remoteTarget] });
}

/** Route header value for a route-set URI (name-addr form: the URI may carry `;lr`). */
export function routeValue(uriText: string): string {
  return `<${uriText}>`;
}
