/** The contract's WebhookEvent enum. */
export const CONTRACT_WEBHOOK_EVENTS = ['status_changed'] as const;

/**
 * Habla extension events (docs/webhooks.md): `call_ended` once per call, when it reaches a
 * terminal status; `call_analyzed` once its post-call analysis is stored (written by the voice
 * agent's analysis step; until that exists, subscribing is accepted and nothing is sent).
 */
export const EXTENSION_WEBHOOK_EVENTS = ['call_ended', 'call_analyzed'] as const;

/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = [...CONTRACT_WEBHOOK_EVENTS, ...EXTENSION_WEBHOOK_EVENTS] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];
