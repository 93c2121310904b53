import { AppError } from '../../../domain/errors.ts';
import { CallLogRepository } from '../../../store/repositories/call-logs.ts';
import { CallRepository } from '../../../store/repositories/calls.ts';
import type { App, AppDeps } from '../../deps.ts';
import { listErrors, Paginated } from '../../schemas/common.ts';
import { CallLogParams, CallLogQuery, CallLogResponse } from './schemas.ts';

const TAGS = ['Logs'];
const SECURITY = [{ CustomHTTPBearer: [] }];

export async function registerLogsRoutes(app: App, deps: AppDeps): Promise<void> {
  const calls = new CallRepository(deps.store.db);
  const logs = new CallLogRepository(deps.store.db);

  app.get('/v1/log/call/:call_id', {
    config: { permission: 'logs.view' },
    schema: {
      operationId: 'get_call_logs_v1_log_call__call_id__get', tags: TAGS, security: SECURITY,
      summary: 'Get logs for a call',
      description: 'Retrieve external logs for a specific call. Returns customer-visible logs only.',
      params: CallLogParams,
      querystring: CallLogQuery,
      response: { 200: Paginated(CallLogResponse), ...listErrors(401, 403, 404, 422, 500) },
    },
  }, async (request) => {
    const { call_id } = request.params;
    const { limit = 100, order = 'desc', category, level, ...cursor } = request.query;
    const projectId = request.principal.projectId;
    // Another project's call answers exactly like an unknown one. A known call with no
    // entries yet is an empty page, not a 404: the contract's 404 is "call does not exist".
    if (!(await calls.get(projectId, call_id))) throw new AppError('CALL_NOT_FOUND', `Call ${call_id} not found`);
    return logs.list(projectId, call_id, { ...cursor, limit, order }, { category, level });
  });
}
