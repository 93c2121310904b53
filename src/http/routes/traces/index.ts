import { AppError } from '../../../domain/errors.ts';
import { CallSpanRepository } from '../../../store/repositories/call-spans.ts';
import type { App, AppDeps } from '../../deps.ts';
import { errors } from '../../schemas/common.ts';
import { SpanResponse, TEMPO_ERRORS, TraceParams, TraceResponse } from './schemas.ts';
import { buildTrace } from './trace-tree.ts';

const TAGS = ['Traces'];
const SECURITY = [{ CustomHTTPBearer: [] }];
/** A 4-hour call of short turns stays below this; more would make a response of many megabytes. */
export const MAX_TRACE_SPANS = 20_000;

export async function registerTracesRoutes(app: App, deps: AppDeps): Promise<void> {
  const spans = new CallSpanRepository(deps.store.db);
  app.addSchema(SpanResponse);

  app.get('/v1/trace/call/:call_id', {
    // The contract's Permission enum has no traces permission; a trace is the call log's detail.
    config: { permission: 'logs.view' },
    schema: {
      operationId: 'get_call_trace_v1_trace_call__call_id__get', tags: TAGS, security: SECURITY,
      summary: 'Get trace for a call',
      description: 'Retrieve the distributed trace data for a specific call. Habla reads it from its own database (docs/traces.md).',
      params: TraceParams,
      response: { 200: TraceResponse, ...errors(401, 403, 404, 422, 500), ...TEMPO_ERRORS },
    },
  }, async (request) => {
    const { call_id } = request.params;
    const projectId = request.principal.projectId;
    // Spans are filed under their call's project, so an unknown call, another project's call
    // and a call without spans all answer the same: the contract's only 404 is TRACE_NOT_FOUND.
    const found = await spans.listForCall(projectId, call_id, MAX_TRACE_SPANS);
    const total = found.length < MAX_TRACE_SPANS ? found.length : await spans.countForCall(projectId, call_id);
    const trace = buildTrace(call_id, found, total);
    if (!trace) throw new AppError('TRACE_NOT_FOUND', 'Trace not found');
    return trace;
  });
}
