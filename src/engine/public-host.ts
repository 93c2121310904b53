/**
 * The address peers must use to reach us (Contact, Via sent-by, SDP c=). A wildcard bind
 * address cannot be written there: without HABLA_SIP_PUBLIC_HOST we pick the machine's first
 * external IPv4 address, and loopback on a machine that has none.
 */
import os from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export function resolvePublicHost(configured: string | undefined, bindHost: string): string {
  if (configured) return configured;
  if (!WILDCARDS.has(bindHost)) return bindHost;
  for (const addresses of Object.values(os.networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
