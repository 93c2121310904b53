import { isIP } from 'node:net';
import { normalizePhoneNumber, normalizeSipUserIdentifier } from '../../../domain/phone-number.ts';
import { invalidField } from '../../plugins/errors.ts';

// Checks on the SIP trunk fields that JSON Schema cannot express. Each failure is a FastAPI
// 422 at the field's location, as pydantic validators would report it.

type Loc = (string | number)[];

/** E.164 (normalised, any country) or a SIP user identifier `user@domain`. */
export function checkImportedNumber(raw: string, loc: Loc): string {
  const number = raw.includes('@') ? normalizeSipUserIdentifier(raw) : normalizePhoneNumber(raw);
  if (number === undefined) {
    throw invalidField(loc, 'Value error, phone_number must be an E.164 phone number or a SIP user identifier (user@domain)');
  }
  return number;
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * `host`, `host:port`, `IPv4[:port]`, `IPv6` or `[IPv6][:port]`; no scheme, user or path.
 * Habla extension: a `;transport=tcp` (or `udp`) suffix picks the trunk's transport, the one
 * parameter accepted. Returned trimmed, with the hostname and transport lower-cased.
 */
export function checkTerminationUri(raw: string, loc: Loc): string {
  const fail = (why: string) => invalidField(loc, `Value error, ${why}`);
  const [address, ...params] = raw.trim().split(';');
  const transport = checkTransportParam(params, fail);
  const text = address.trim();
  if (/^sips?:/i.test(text)) throw fail('termination_uri must not include the sip: or sips: prefix');
  const parsed = splitHostPort(text);
  if (!parsed) throw fail('termination_uri must be a hostname or IP address with an optional :port');
  const { host, port } = parsed;
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw fail('termination_uri port must be between 1 and 65535');
  }
  if (!isIP(host) && !isHostname(host)) throw fail('termination_uri must be a hostname or IP address with an optional :port');
  const shownHost = isIP(host) === 6 && port !== undefined ? `[${host}]` : host.toLowerCase();
  return (port === undefined ? shownHost : `${shownHost}:${port}`) + (transport ? `;transport=${transport}` : '');
}

function checkTransportParam(params: string[], fail: (why: string) => Error): 'udp' | 'tcp' | undefined {
  if (params.length === 0) return undefined;
  const match = params.length === 1 ? /^\s*transport\s*=\s*(udp|tcp)\s*$/i.exec(params[0]) : null;
  if (!match) throw fail('termination_uri accepts one parameter, ;transport=udp or ;transport=tcp');
  return match[1].toLowerCase() as 'udp' | 'tcp';
}

function splitHostPort(text: string): { host: string; port?: string } | undefined {
  if (text.startsWith('[')) {
    const match = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!match || isIP(match[1]) !== 6) return undefined;
    return { host: match[1], port: match[2] };
  }
  if (isIP(text) === 6) return { host: text };
  const parts = text.split(':');
  if (parts.length > 2) return undefined;
  return { host: parts[0], port: parts[1] };
}

function isHostname(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.replace(/\.$/, '').split('.');
  // An all-numeric dotted name that is not a valid IPv4 address (e.g. 300.1.1.1) is a typo, not a host.
  if (labels.every((l) => /^\d+$/.test(l))) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** IPv4/IPv6 addresses or CIDR blocks; returned trimmed, duplicates kept out. */
export function checkAllowedAddresses(list: string[] | null | undefined, loc: Loc): string[] | null | undefined {
  if (list === null || list === undefined) return list;
  const seen = new Set<string>();
  list.forEach((raw, index) => {
    const entry = raw.trim();
    if (!isAddressOrBlock(entry)) {
      throw invalidField([...loc, index], 'Value error, must be an IPv4 or IPv6 address or CIDR block');
    }
    seen.add(entry);
  });
  return [...seen];
}

function isAddressOrBlock(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return isIP(entry) !== 0;
  const address = entry.slice(0, slash);
  const prefix = entry.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
