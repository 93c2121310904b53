/** The events a webhook can subscribe to (the contract's WebhookEvent enum). */
export const WEBHOOK_EVENTS = ['status_changed'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];
