import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.ts';
import { PERMISSIONS } from '../../../domain/permissions.ts';
import { ProjectRepository, type ProjectRecord } from '../../../store/repositories/projects.ts';
import type { App, AppDeps } from '../../deps.ts';
import type { Principal } from '../../plugins/auth.ts';
import { errors, IdParams, listErrors, Paginated, pageQueryProperties } from '../../schemas/common.ts';
import { CreateProjectRequest, ProjectResponse, UpdateProjectRequest } from './schemas.ts';

const TAGS = ['Projects'];
const SECURITY = [{ CustomHTTPBearer: [] }];
// A key acts for the profile that created it: projects are the ones that profile is a
// member of, whichever project the key itself belongs to. Any other project is a 404.
export async function registerProjectsRoutes(app: App, deps: AppDeps): Promise<void> {
  const projects = new ProjectRepository(deps.store.db);
  const notFound = (id: string) => new AppError('PROJECT_NOT_FOUND', `Project ${id} not found`);
  const visible = async (principal: Principal, id: string): Promise<ProjectRecord> =>
    (await projects.get(principal.profileId, id)) ?? Promise.reject(notFound(id));
  const requireAdmin = async (principal: Principal, id: string, action: 'update' | 'delete') => {
    if ((await projects.roleOf(principal.profileId, id)) !== 'admin') {
      throw new AppError('UNATHORIZED_ROLE', `You are not authorized to ${action} this project`);
    }
  };

  app.get('/v1/project/', {
    schema: {
      operationId: 'list_projects_v1_project__get', tags: TAGS, security: SECURITY,
      querystring: Type.Object(pageQueryProperties(10, 50)),
      response: { 200: Paginated(ProjectResponse), ...listErrors(400, 422, 500) },
    },
  }, async (request) => {
    const { limit = 10, order = 'desc', ...cursor } = request.query;
    return projects.list(request.principal.profileId, { ...cursor, limit, order });
  });

  app.post('/v1/project/', {
    onRequest: requireUnrestrictedKey,
    schema: {
      operationId: 'create_project_v1_project__post', tags: TAGS, security: SECURITY,
      body: CreateProjectRequest,
      response: { 201: ProjectResponse, ...errors(403, 422, 500) },
    },
  }, async (request, reply) => {
    const { name } = request.body;
    const description = request.body.description ?? null;
    reply.code(201);
    return projects.create(request.principal.profileId, name, description);
  });

  app.get('/v1/project/:id', {
    schema: {
      operationId: 'get_project_v1_project__id__get', tags: TAGS, security: SECURITY,
      params: IdParams(),
      response: { 200: ProjectResponse, ...errors(404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    return visible(request.principal, id);
  });

  app.patch('/v1/project/:id', {
    config: { permission: 'companies.update' },
    schema: {
      operationId: 'update_project_v1_project__id__patch', tags: TAGS, security: SECURITY,
      params: IdParams(),
      body: UpdateProjectRequest,
      response: { 200: ProjectResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    await visible(request.principal, id);
    await requireAdmin(request.principal, id, 'update');
    const { name } = request.body;
    const description = request.body.description;
    await projects.update(id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    return visible(request.principal, id);
  });

  app.delete('/v1/project/:id', {
    config: { permission: 'companies.delete' },
    schema: {
      operationId: 'delete_project_v1_project__id__delete', tags: TAGS, security: SECURITY,
      params: IdParams(),
      response: { 204: Type.Null({ description: 'Successful Response' }), ...errors(400, 403, 404, 422, 500) },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await visible(request.principal, id);
    await requireAdmin(request.principal, id, 'delete');
    if ((await projects.softDeleteUnlessLast(request.principal.profileId, id)) === 'last') {
      throw new AppError('LAST_PROJECT', 'Cannot delete the last project');
    }
    return reply.code(204).send(null);
  });
}

/**
 * Creating a project is not covered by any Permission value, and a restricted key is a
 * least-privilege credential: only a key holding every permission may create projects.
 * Runs after authentication (route hooks follow the global one) and before validation.
 */
async function requireUnrestrictedKey(request: FastifyRequest): Promise<void> {
  if (PERMISSIONS.some((p) => !request.principal.permissions.has(p))) {
    throw new AppError('MISSING_PERMISSIONS', 'Creating a project needs an unrestricted API key');
  }
}
