/**
 * Where a trunk lives: `outbound_config.termination_uri` is `host`, `host:port` or a SIP URI,
 * optionally followed by `;transport=tcp` (or `udp`, the default).
 * Names are resolved to an address once per call (A/AAAA; SRV/NAPTR are not consulted, so a
 * trunk that needs them must be given as host:port).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseHostPort, parseUri } from '../sip/index.ts';

export interface TrunkAddress {
  /** What goes into the Request-URI and To/From host: the trunk's name as configured. */
  readonly uriHost: string;
  /** Where requests go. */
  readonly host: string;
  readonly port: number;
  /** `;transport=tcp` on the termination URI (a Habla extension); UDP otherwise. */
  readonly transport: 'UDP' | 'TCP';
}

/**
 * A trunk's address, or any peer's SIP URI (a Contact) read the same way. The URI parser reads
 * a sip: URI's parameters (a `;` may sit in its user part); after a bare host:port they are split here.
 */
export function parseTrunk(trunk: string): TrunkAddress | undefined {
  const text = trunk.trim();
  if (/^sips?:/i.test(text)) {
    const uri = parseUri(text);
    const transport = uri.ok ? transportOf(uri.value.params.get('transport')) : undefined;
    if (!uri.ok || !transport) return undefined;
    const port = uri.value.port ?? 5060;
    return { host: unbracket(uri.value.host), port, uriHost: uri.value.port ? `${uri.value.host}:${port}` : uri.value.host, transport };
  }
  const [address, ...params] = text.split(';');
  const transport = transportOf(transportParam(params));
  const parsed = parseHostPort(address.trim());
  if (!transport || !parsed || parsed.host === '') return undefined;
  const port = parsed.port ?? 5060;
  return { host: unbracket(parsed.host), port, uriHost: parsed.port ? `${parsed.host}:${port}` : parsed.host, transport };
}

/** The value of a `transport=` among `name=value` parameters. */
function transportParam(params: string[]): string | undefined {
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name.toLowerCase() === 'transport') return value;
  }
  return undefined;
}

/** UDP unless the parameter says TCP; undefined for a transport we do not speak. */
function transportOf(param: string | null | undefined): TrunkAddress['transport'] | undefined {
  const value = (param ?? 'udp').toLowerCase();
  return value === 'tcp' ? 'TCP' : value === 'udp' ? 'UDP' : undefined;
}

export async function resolveTrunk(trunk: string): Promise<TrunkAddress | undefined> {
  const parsed = parseTrunk(trunk);
  if (!parsed) return undefined;
  if (isIP(parsed.host)) return parsed;
  try {
    const { address } = await lookup(parsed.host);
    return { ...parsed, host: address };
  } catch {
    return undefined;
  }
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
