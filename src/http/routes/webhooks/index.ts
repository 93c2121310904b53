import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { WebhookRepository } from '../../../store/repositories/webhooks.ts';
import type { App, AppDeps } from '../../deps.ts';
import { invalidField } from '../../plugins/errors.ts';
import { readGetBody } from '../../get-body.ts';
import { WEBHOOK_EVENTS, type WebhookEventName } from '../../../domain/webhook-events.ts';
import { errors, IdParams, listErrors, Paginated, pageQueryProperties } from '../../schemas/common.ts';
import { newWebhookSecret } from '../../../webhooks/signature.ts';
import { registerWebhookDeliveryRoutes } from './deliveries.ts';
import { WebhookCreatedResponse, WebhookListFilter, WebhookRequest, WebhookResponse, WebhookUpdateRequest } from './schemas.ts';

const TAGS = ['Webhooks'];
const SECURITY = [{ CustomHTTPBearer: [] }];

export async function registerWebhookRoutes(app: App, deps: AppDeps): Promise<void> {
  const webhooks = new WebhookRepository(deps.store.db);
  const notFound = (id: string) => new AppError('WEBHOOK_NOT_FOUND', `Webhook ${id} not found`);

  app.get('/v1/webhook/', {
    config: { permission: 'webhooks.view' },
    schema: {
      operationId: 'get_webhooks_v1_webhook__get', tags: TAGS, security: SECURITY,
      querystring: Type.Object(pageQueryProperties(20, 100)),
      getBody: WebhookListFilter,
      response: { 200: Paginated(WebhookResponse), ...listErrors(400, 403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 20, order = 'desc', ...cursor } = request.query;
    const events = parseEventFilter(await readGetBody(request));
    return webhooks.list(request.principal.projectId, { ...cursor, limit, order }, events);
  });

  app.post('/v1/webhook/', {
    config: { permission: 'webhooks.create' },
    schema: {
      operationId: 'create_webhook_v1_webhook__post', tags: TAGS, security: SECURITY,
      body: WebhookRequest,
      response: { 200: WebhookCreatedResponse, ...errors(403, 422, 500) },
    },
  }, async (request) => {
    const url = checkedUrl(request.body.url);
    const secret = newWebhookSecret();
    const sealed = deps.secretBox.seal(secret);
    const created = await webhooks.create(request.principal.projectId, url, unique(request.body.subscribed_events), sealed);
    return { ...created, secret };
  });

  app.get('/v1/webhook/:id', {
    config: { permission: 'webhooks.view' },
    schema: {
      operationId: 'get_webhook_v1_webhook__id__get', tags: TAGS, security: SECURITY,
      params: IdParams(),
      response: { 200: WebhookResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    return (await webhooks.get(request.principal.projectId, id)) ?? Promise.reject(notFound(id));
  });

  app.patch('/v1/webhook/:id', {
    config: { permission: 'webhooks.update' },
    schema: {
      operationId: 'update_webhook_v1_webhook__id__patch', tags: TAGS, security: SECURITY,
      params: IdParams(),
      body: WebhookUpdateRequest,
      response: { 200: WebhookResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const { url, subscribed_events: events } = request.body;
    const updated = await webhooks.update(request.principal.projectId, id, {
      url: url === undefined ? undefined : checkedUrl(url),
      events: events == null ? undefined : unique(events),
    });
    return updated ?? Promise.reject(notFound(id));
  });

  app.delete('/v1/webhook/:id', {
    config: { permission: 'webhooks.delete' },
    schema: {
      operationId: 'delete_webhook_v1_webhook__id__delete', tags: TAGS, security: SECURITY,
      params: IdParams(),
      response: { 200: WebhookResponse, ...errors(404, 422) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const existing = await webhooks.get(request.principal.projectId, id);
    if (!existing || !(await webhooks.delete(request.principal.projectId, id))) throw notFound(id);
    return existing;
  });

  await registerWebhookDeliveryRoutes(app, deps);
}

/** Deliveries go over HTTP(S) only; other schemes would let a key probe the host's files or services. */
function checkedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField(['body', 'url'], 'Input should be a valid URL', 'url_parsing');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidField(['body', 'url'], "URL scheme should be 'http' or 'https'", 'url_scheme');
  }
  return raw;
}

function parseEventFilter(body: unknown): WebhookEventName[] | undefined {
  if (body === undefined || body === null) return undefined;
  if (!Array.isArray(body)) throw invalidField(['body'], 'Input should be a valid list', 'list_type');
  body.forEach((event, index) => {
    if (!WEBHOOK_EVENTS.includes(event)) {
      throw invalidField(['body', index], `Input should be ${WEBHOOK_EVENTS.map((e) => `'${e}'`).join(' or ')}`, 'enum');
    }
  });
  return body as WebhookEventName[];
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
