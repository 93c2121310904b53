import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { mapPage } from '../../../domain/pagination.ts';
import { effectivePermissions, PERMISSIONS, type Permission } from '../../../domain/permissions.ts';
import { ApiKeyRepository, type ApiKeyRecord } from '../../../store/repositories/api-keys.ts';
import type { App, AppDeps } from '../../deps.ts';
import { invalidField } from '../../plugins/errors.ts';
import type { Principal } from '../../plugins/auth.ts';
import { errors, listErrors, Paginated, pageQueryProperties } from '../../schemas/common.ts';
import { ApiKeyIdParams, ApiKeyRequest, ApiKeyResponse, ApiKeyUpdateRequest, RedactedApiKeyResponse } from './schemas.ts';

const TAGS = ['API Keys'];
const SECURITY = [{ CustomHTTPBearer: [] }];
export async function registerApiKeysRoutes(app: App, deps: AppDeps): Promise<void> {
  const keys = new ApiKeyRepository(deps.store.db);
  const notFound = (id: string) => new AppError('API_KEY_NOT_FOUND', `API key ${id} not found`);
  const existing = async (principal: Principal, id: string) =>
    (await keys.get(principal.projectId, id)) ?? Promise.reject(notFound(id));

  app.get('/v1/api_key/', {
    config: { permission: 'api_keys.view' },
    schema: {
      operationId: 'list_api_keys_v1_api_key__get', tags: TAGS, security: SECURITY,
      querystring: Type.Object(pageQueryProperties(50, 1000)),
      response: { 200: Paginated(RedactedApiKeyResponse), ...listErrors(403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 50, order = 'desc', ...cursor } = request.query;
    return mapPage(await keys.list(request.principal.projectId, { ...cursor, limit, order }), toRedacted);
  });

  app.post('/v1/api_key/', {
    config: { permission: 'api_keys.create' },
    schema: {
      operationId: 'create_api_key_v1_api_key__post', tags: TAGS, security: SECURITY,
      body: ApiKeyRequest,
      response: { 200: ApiKeyResponse, ...errors(403, 422, 500) },
    },
  }, async (request) => {
    const { principal, body } = request;
    const permissions = body.restricted ? canonical(body.permissions ?? []) : null;
    assertWithinCaller(principal, body.restricted, permissions, 'grant');
    const { record, value } = await keys.create({
      projectId: principal.projectId,
      creatorId: principal.profileId,
      name: body.name,
      restricted: body.restricted,
      permissions,
      expiryDate: normalizeExpiry(body.expiry_date),
    });
    return { ...toRedacted(record), value };
  });

  app.get('/v1/api_key/:id', {
    config: { permission: 'api_keys.view' },
    schema: {
      operationId: 'get_api_key_v1_api_key__id__get', tags: TAGS, security: SECURITY,
      params: ApiKeyIdParams,
      response: { 200: RedactedApiKeyResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => toRedacted(await existing(request.principal, request.params.id)));

  app.patch('/v1/api_key/:id', {
    config: { permission: 'api_keys.update' },
    schema: {
      operationId: 'update_api_key_v1_api_key__id__patch', tags: TAGS, security: SECURITY,
      params: ApiKeyIdParams,
      body: ApiKeyUpdateRequest,
      response: { 200: RedactedApiKeyResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { principal, body, params } = request;
    const current = await existing(principal, params.id);
    const restricted = body.restricted ?? current.restricted;
    const listed = body.permissions !== undefined ? body.permissions : current.permissions;
    const permissions = restricted ? canonical(listed ?? []) : null;
    // The key as it would be after the edit must stay within the caller's own rights,
    // so a key can neither widen itself nor edit (even rename) a stronger key.
    assertWithinCaller(principal, current.restricted, current.permissions, 'modify');
    assertWithinCaller(principal, restricted, permissions, 'grant');
    const updated = await keys.update(principal.projectId, params.id, { name: body.name, restricted, permissions });
    return toRedacted(updated ?? (await Promise.reject(notFound(params.id))));
  });

  app.delete('/v1/api_key/:id', {
    config: { permission: 'api_keys.delete' },
    schema: {
      operationId: 'delete_api_key_v1_api_key__id__delete', tags: TAGS, security: SECURITY,
      params: ApiKeyIdParams,
      response: { 200: Type.Unknown(), ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { principal, params } = request;
    const current = await existing(principal, params.id);
    // Revoking a stronger key would let a narrow key lock out the project's administrators.
    assertWithinCaller(principal, current.restricted, current.permissions, 'modify');
    if (!(await keys.delete(principal.projectId, params.id))) throw notFound(params.id);
    return toRedacted(current);
  });
}

function toRedacted(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    created_date: record.createdDate,
    last_four_digits: record.lastFourDigits,
    creator_id: record.creatorId,
    permissions: record.restricted ? canonical(record.permissions ?? []) : null,
    restricted: record.restricted,
    expiry_date: record.expiryDate,
  };
}

/** Deduplicated, in the contract's enum order, so equal sets always look the same. */
function canonical(permissions: readonly string[]): Permission[] {
  const wanted = new Set(permissions);
  return PERMISSIONS.filter((p) => wanted.has(p));
}

/**
 * A key may only hand out, or act on a key holding, permissions it holds itself;
 * otherwise any key with api_keys.create could mint an unrestricted one.
 */
function assertWithinCaller(principal: Principal, restricted: boolean, permissions: readonly string[] | null, verb: 'grant' | 'modify') {
  const missing = [...effectivePermissions(restricted, permissions)].filter((p) => !principal.permissions.has(p));
  if (missing.length === 0) return;
  const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length} in all)` : '');
  const message = verb === 'grant'
    ? `Cannot grant permissions this API key does not hold: ${shown}`
    : `Cannot modify an API key holding permissions this API key does not hold: ${shown}`;
  throw new AppError('MISSING_PERMISSIONS', message);
}

/** Stored as UTC ISO strings so that expiry compares correctly as text on both databases. */
function normalizeExpiry(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) throw invalidField(['body', 'expiry_date'], 'Input should be a valid datetime', 'datetime_parsing');
  return new Date(time).toISOString();
}
