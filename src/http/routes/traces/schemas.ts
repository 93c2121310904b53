import { Type } from 'typebox';
import { DateTime, ErrorResponse, Nullable, Uuid } from '../../schemas/common.ts';

export const TraceParams = Type.Object({
  call_id: Uuid({ title: 'Call Id', description: 'The call ID to get the trace for' }),
});

/**
 * A span and its children, recursively. Registered once as a shared schema (`app.addSchema`)
 * so the document and the serializer can refer to it from inside itself: it becomes
 * `#/components/schemas/SpanResponse`, as in the contract.
 */
export const SPAN_RESPONSE_ID = 'SpanResponse';

export const SpanResponse = Type.Object({
  id: Type.String({ title: 'Span ID', description: 'The unique identifier for this span.' }),
  parent_span_id: Type.Optional(Nullable(Type.String(), { title: 'Parent Span ID', description: 'The span ID of the parent span, if any.' })),
  operation_name: Type.String({ title: 'Operation Name', description: 'The name of the operation this span represents.' }),
  service_name: Type.String({ title: 'Service Name', description: 'The name of the service that generated this span.' }),
  start_time: DateTime({ title: 'Start Time', description: 'When the span started.' }),
  duration_ms: Type.Number({ title: 'Duration (ms)', description: 'The duration of the span in milliseconds.' }),
  status: Type.Optional(Nullable(Type.String(), { title: 'Status', description: 'The status of the span (OK, ERROR, etc.).' })),
  tags: Type.Optional(Type.Unsafe<Record<string, unknown>>({
    type: 'object', additionalProperties: true, title: 'Tags', description: 'Key-value pairs of span attributes/tags.',
  })),
  children: Type.Optional(Nullable(
    Type.Array(Type.Unsafe<unknown>({ $ref: `${SPAN_RESPONSE_ID}#` })),
    { title: 'Children', description: 'Child spans nested under this span.' },
  )),
}, { $id: SPAN_RESPONSE_ID, title: 'SpanResponse', description: 'Response schema for a single span within a trace.' });

export const TraceResponse = Type.Object({
  id: Type.String({ title: 'Trace ID', description: 'The unique identifier for this trace.' }),
  call_id: Type.Optional(Nullable(Uuid(), { title: 'Call ID', description: 'The DIGA call ID associated with this trace.' })),
  root_service: Type.Optional(Nullable(Type.String(), { title: 'Root Service', description: 'The service that initiated the trace.' })),
  start_time: Type.Optional(Nullable(DateTime(), { title: 'Start Time', description: 'When the trace started.' })),
  end_time: Type.Optional(Nullable(DateTime(), { title: 'End Time', description: 'When the trace ended.' })),
  duration_ms: Type.Optional(Nullable(Type.Number(), { title: 'Duration (ms)', description: 'Total duration of the trace in milliseconds.' })),
  span_count: Type.Integer({ title: 'Span Count', description: 'The number of spans in this trace.' }),
  spans: Type.Optional(Type.Array(Type.Unsafe<unknown>({ $ref: `${SPAN_RESPONSE_ID}#` }), {
    title: 'Spans', description: 'Hierarchical tree of spans with parent-child relationships.',
  })),
}, { title: 'TraceResponse', description: 'Response schema for a complete trace.' });

const described = (description: string) => ({ ...ErrorResponse, description });

/** The contract's Tempo errors: documented for compatibility, never sent (traces are in our own database). */
export const TEMPO_ERRORS = {
  503: described('Service unavailable - Cannot connect to Tempo. Never returned by Habla: traces are read from its own database.'),
  504: described('Gateway timeout - Tempo request timed out. Never returned by Habla: traces are read from its own database.'),
};
