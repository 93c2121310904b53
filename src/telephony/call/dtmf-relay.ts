/**
 * DTMF carried in SIP INFO (application/dtmf-relay, the de-facto Cisco format `Signal=5` /
 * `Duration=160`, or application/dtmf with the bare digit), which some trunks send instead of
 * RFC 4733 events.
 */
const DIGIT = /^[0-9*#A-Da-d]$/;

export function parseDtmfRelay(body: string): string | undefined {
  const trimmed = body.trim();
  if (DIGIT.test(trimmed)) return trimmed.toUpperCase();
  const match = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body);
  if (!match) return undefined;
  const value = match[1];
  if (value === '10') return '*';
  if (value === '11') return '#';
  return DIGIT.test(value) ? value.toUpperCase() : undefined;
}
