import { createHmac, randomBytes } from 'node:crypto';

// The Diga-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// Signing the timestamp with the body lets receivers reject replays of old deliveries.

export const SIGNATURE_HEADER = 'Diga-Signature';
export const EVENT_ID_HEADER = 'Habla-Event-Id';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signatureHeader(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
