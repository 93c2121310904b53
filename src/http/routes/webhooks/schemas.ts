import { Type } from 'typebox';
import { WEBHOOK_EVENTS } from '../../../domain/webhook-events.ts';
import { DateTime, EXTENSION, Nullable, StringEnum, Uuid } from '../../schemas/common.ts';

// `call_ended` and `call_analyzed` are Habla's additions to the contract's enum (status_changed).
export const WebhookEvent = StringEnum(WEBHOOK_EVENTS, {
  ...EXTENSION,
  description: 'status_changed (Diga); call_ended and call_analyzed are Habla extensions, see docs/webhooks.md',
});

export const WebhookRequest = Type.Object({
  url: Type.String({ minLength: 1, format: 'uri' }),
  subscribed_events: Type.Array(WebhookEvent),
});

export const WebhookUpdateRequest = Type.Object({
  url: Type.Optional(Type.String()),
  subscribed_events: Type.Optional(Nullable(Type.Array(WebhookEvent))),
});

export const WebhookResponse = Type.Object({
  id: Uuid(),
  url: Type.String(),
  subscribed_events: Type.Array(WebhookEvent),
  created_date: DateTime(),
});

/** The create response also carries the signing secret, shown only this once. */
export const WebhookCreatedResponse = Type.Object({
  ...WebhookResponse.properties,
  secret: Type.String({
    ...EXTENSION,
    description: 'Signing secret of the Diga-Signature header (HMAC-SHA256); returned only by this call. See docs/webhooks.md.',
  }),
});

/** GET /v1/webhook/ takes an optional JSON body: the events to filter by. */
export const WebhookListFilter = Nullable(Type.Array(WebhookEvent));
