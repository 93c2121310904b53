import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { WebhookDeliveryRepository, DELIVERY_STATUSES } from '../../../store/repositories/webhook-deliveries.ts';
import type { App, AppDeps } from '../../deps.ts';
import { DateTime, ErrorResponse, errors, HttpValidationError, Nullable, pageQueryProperties, Paginated, StringEnum, Uuid } from '../../schemas/common.ts';

// Habla extension: the delivery log of a webhook (every event, its attempts and responses)
// and redelivery by hand. See docs/webhooks.md.

const TAGS = ['Webhooks'];
const SECURITY = [{ CustomHTTPBearer: [] }];
const EXTENSION_OPERATION = { 'x-habla-extension': true } as const;

const DeliveryStatus = StringEnum(DELIVERY_STATUSES);

const Attempt = Type.Object({
  at: DateTime({ description: 'When the attempt started' }),
  status_code: Nullable(Type.Integer(), { description: "The endpoint's HTTP status; null when no response came (network error, timeout, refused address)" }),
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
});

const NumberedAttempt = Type.Object({ attempt: Type.Integer({ minimum: 1 }), ...Attempt.properties });

const deliveryFields = {
  id: Uuid(),
  event_id: Uuid({ description: 'Also sent as Habla-Event-Id; the same on every retry and redelivery' }),
  event: Type.String(),
  call_id: Uuid(),
  status: DeliveryStatus,
  next_attempt_at: Nullable(DateTime(), { description: 'When the next attempt is due; null once delivered or failed' }),
  created_date: DateTime(),
  last_attempt: Nullable(Attempt),
};

const attemptCount = { attempts: Type.Integer({ description: 'Attempts made so far' }) };

export const DeliveryItem = Type.Object({ ...deliveryFields, ...attemptCount });

export const DeliveryDetail = Type.Object({
  ...deliveryFields,
  ...attemptCount,
  attempt_log: Type.Array(NumberedAttempt, { description: 'Every attempt, oldest first' }),
  payload: Type.Unknown({ description: 'The JSON body sent to the endpoint' }),
});

const WebhookParams = Type.Object({ id: Uuid() });
const DeliveryParams = Type.Object({ id: Uuid(), delivery_id: Uuid() });
// Pagination errors use the Diga envelope; malformed parameters FastAPI's validation shape.
const LIST_422 = Type.Union([ErrorResponse, HttpValidationError]);

export async function registerWebhookDeliveryRoutes(app: App, deps: AppDeps): Promise<void> {
  const deliveries = new WebhookDeliveryRepository(deps.store.db);
  const webhookNotFound = (id: string) => new AppError('WEBHOOK_NOT_FOUND', `Webhook ${id} not found`);
  const deliveryNotFound = (id: string) => new AppError('WEBHOOK_NOT_FOUND', `Webhook delivery ${id} not found`);
  const ownedWebhook = async (projectId: string, id: string) => {
    const found = await deps.store.db.selectFrom('webhooks').select('id')
      .where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    if (!found) throw webhookNotFound(id);
  };

  app.get('/v1/webhook/:id/deliveries', {
    config: { permission: 'webhooks.view' },
    schema: {
      operationId: 'habla_list_webhook_deliveries', tags: TAGS, security: SECURITY, ...EXTENSION_OPERATION,
      summary: 'List the deliveries of a webhook',
      description: 'Every event sent (or to be sent) to this webhook, newest first by default, with its last attempt.',
      params: WebhookParams,
      querystring: Type.Object({ ...pageQueryProperties(20, 100), status: Type.Optional(DeliveryStatus) }),
      response: { 200: Paginated(DeliveryItem), ...errors(403, 404, 500), 422: LIST_422 },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const { limit = 20, order = 'desc', status, ...cursor } = request.query;
    await ownedWebhook(request.principal.projectId, id);
    return deliveries.list(request.principal.projectId, id, { ...cursor, limit, order }, status);
  });

  app.get('/v1/webhook/:id/deliveries/:delivery_id', {
    config: { permission: 'webhooks.view' },
    schema: {
      operationId: 'habla_get_webhook_delivery', tags: TAGS, security: SECURITY, ...EXTENSION_OPERATION,
      summary: 'Get a webhook delivery with every attempt and the payload sent',
      params: DeliveryParams,
      response: { 200: DeliveryDetail, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id, delivery_id: deliveryId } = request.params as { id: string; delivery_id: string };
    await ownedWebhook(request.principal.projectId, id);
    return (await deliveries.get(request.principal.projectId, id, deliveryId)) ?? Promise.reject(deliveryNotFound(deliveryId));
  });

  app.post('/v1/webhook/:id/deliveries/:delivery_id/redeliver', {
    config: { permission: 'webhooks.update' },
    schema: {
      operationId: 'habla_redeliver_webhook_delivery', tags: TAGS, security: SECURITY, ...EXTENSION_OPERATION,
      summary: 'Send a delivered or failed event again',
      description: 'Puts the delivery back to pending, due now, with the same event_id. 409 BAD_PARAMETER while it is still pending.',
      params: DeliveryParams,
      response: { 202: DeliveryItem, ...errors(403, 404, 409, 422, 500) },
    },
  }, async (request, reply) => {
    const { id, delivery_id: deliveryId } = request.params as { id: string; delivery_id: string };
    await ownedWebhook(request.principal.projectId, id);
    const result = await deliveries.redeliver(request.principal.projectId, id, deliveryId);
    if (result === undefined) throw deliveryNotFound(deliveryId);
    if (result === 'pending') throw new AppError('BAD_PARAMETER', `Webhook delivery ${deliveryId} is still pending`, 409);
    return reply.code(202).send(result);
  });
}
