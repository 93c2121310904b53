import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Permission } from '../../domain/permissions.ts';
import { hashApiKey } from '../../lib/api-key-value.ts';
import type { ApiKeyRepository } from '../../store/repositories/api-keys.ts';

export interface Principal {
  projectId: string;
  keyId: string;
  /** The profile that created the key: projects are listed and created on its behalf. */
  profileId: string;
  permissions: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a key must carry for this operation. */
    permission?: Permission;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

// Every route under /v1/ needs a key; docs, the OpenAPI document and health do not.
// Runs in onRequest, before body validation, as FastAPI resolves its security dependency
// first: a request without a valid key learns nothing about the shape of the API.
export function registerAuth(app: FastifyInstance, apiKeys: ApiKeyRepository): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (request.is404 || !request.routeOptions.url?.startsWith('/v1/')) return;
    request.principal = await authenticate(request, apiKeys);
    if (config?.permission && !request.principal.permissions.has(config.permission)) {
      throw new AppError('MISSING_PERMISSIONS', `Missing required permission: ${config.permission}`);
    }
  });
}

async function authenticate(request: FastifyRequest, apiKeys: ApiKeyRepository): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) throw new AppError('UNAUTHORIZED', 'Not authenticated');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('UNAUTHORIZED', 'Invalid authentication credentials');
  const key = await apiKeys.findActiveByHash(hashApiKey(match[1]), new Date().toISOString());
  if (!key) throw new AppError('INVALID_API_KEY', 'Invalid or expired API key');
  return { projectId: key.projectId, keyId: key.id, profileId: key.creatorId, permissions: key.permissions };
}
