import { Type } from 'typebox';
import { LOG_CATEGORIES, LOG_LEVELS } from '../../../store/repositories/call-logs.ts';
import { DateTime, Nullable, pageQueryProperties, StringEnum, Uuid } from '../../schemas/common.ts';

export const CallLogParams = Type.Object({
  call_id: Uuid({ title: 'Call Id', description: 'The call ID to get logs for' }),
});

export const CallLogQuery = Type.Object({
  ...pageQueryProperties(100, 1000),
  category: Type.Optional(Nullable(StringEnum(LOG_CATEGORIES, { title: 'LogCategory' }))),
  level: Type.Optional(Nullable(StringEnum(LOG_LEVELS, { title: 'LogLevel' }))),
});

// `level` and `category` are plain strings in the contract's response (enums only in the query).
export const CallLogResponse = Type.Object({
  id: Uuid({ title: 'Log ID', description: 'The unique identifier for the log entry.' }),
  timestamp: DateTime({ title: 'Timestamp', description: 'When the log event occurred.' }),
  level: Type.String({ title: 'Log Level', description: 'The severity level of the log (DEBUG, INFO, WARNING, ERROR, CRITICAL).' }),
  category: Type.String({ title: 'Category', description: 'The category of the log event (e.g., CALL_LIFECYCLE, USER, AGENT).' }),
  event: Type.String({ title: 'Event', description: 'The specific event that occurred.' }),
  call_id: Type.Optional(Nullable(Uuid(), { title: 'Call ID', description: 'The ID of the call associated with this log entry.' })),
  trace_id: Type.Optional(Nullable(Type.String(), { title: 'Trace ID', description: 'The OpenTelemetry trace ID for distributed tracing.' })),
  data: Type.Optional(Nullable(
    Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
    { title: 'Event Data', description: 'Event-specific data including message_text, failure_reason, etc.' },
  )),
}, { title: 'CallLogResponse' });
