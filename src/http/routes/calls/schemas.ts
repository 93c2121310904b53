import { Type } from 'typebox';
import { CALL_STATUSES, CALL_TYPES } from '../../../domain/call-status.ts';
import { ANALYSIS_STATUSES, SENTIMENTS } from '../../../domain/call-analysis.ts';
import { DateTime, EXTENSION, Nullable, pageQueryProperties, StringEnum, Uuid } from '../../schemas/common.ts';

export const CallStatusSchema = StringEnum(CALL_STATUSES);
export const CallTypeSchema = StringEnum(CALL_TYPES);

/** `{additionalProperties: true, type: object}`: any JSON values, as pydantic's dict[str, Any]. */
const FreeObject = () => Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

export const CallRequest = Type.Object({
  from_number: Type.String({
    description: 'The phone number of the caller. You can use one of your phone numbers in E.164 format or the unique identifier of the phone number.',
  }),
  to_number: Type.String({ description: 'The phone number of the called party in E.164 format.' }),
  dynamic_variables: Type.Optional(Nullable(FreeObject())),
  agent_version_id: Type.Optional(Nullable(Uuid())),
});

export const ContactResponseSchema = Type.Object({
  id: Uuid(),
  created_date: DateTime(),
  identifier: Type.String(),
  contact_type: StringEnum(['call', 'web'] as const),
});

const Milliseconds = () => Nullable(Type.Integer());

export const TranscriptSegment = Type.Object({
  speaker: StringEnum(['agent', 'caller'] as const),
  text: Type.String(),
  start_time: Nullable(Type.Number(), { description: 'Seconds from the answer of the call' }),
  end_time: Nullable(Type.Number(), { description: 'Seconds from the answer of the call' }),
  interrupted: Type.Boolean({ description: 'The caller cut this agent turn off; text is what was actually played' }),
});

export const TurnLatencySchema = Type.Object({
  turn: Type.Integer({ description: '0-based agent reply number' }),
  at_ms: Type.Integer({ description: 'When the figures were reported, ms from the answer' }),
  endpointing_ms: Milliseconds(),
  stt_ms: Milliseconds(),
  llm_first_token_ms: Milliseconds(),
  llm_first_sentence_ms: Milliseconds(),
  tts_first_byte_ms: Milliseconds(),
  voice_to_voice_ms: Milliseconds(),
  overhead_ms: Milliseconds(),
});

export const CallLatency = Type.Object({
  turns: Type.Array(TurnLatencySchema),
  voice_to_voice_p50_ms: Milliseconds(),
  voice_to_voice_p95_ms: Milliseconds(),
});

/** Habla's additions to CallResponse (docs/calls.md): transcript, analysis and latency. */
const CallExtensions = {
  transcript: Type.Optional(Nullable(Type.String(), {
    ...EXTENSION, description: 'Habla extension. The spoken turns as text: "Agent: …\n\nCaller: …"; null when nobody spoke',
  })),
  transcript_segments: Type.Optional(Type.Array(TranscriptSegment, {
    ...EXTENSION, description: 'Habla extension. The spoken turns with their times, in order',
  })),
  summary: Type.Optional(Nullable(Type.String(), { ...EXTENSION, description: 'Habla extension. Post-call summary, in the agent\'s language' })),
  sentiment: Type.Optional(Nullable(StringEnum(SENTIMENTS), { ...EXTENSION, description: 'Habla extension. The caller\'s overall sentiment' })),
  success: Type.Optional(Nullable(Type.Boolean(), { ...EXTENSION, description: 'Habla extension. Whether the call achieved its goal' })),
  analysis_status: Type.Optional(Nullable(StringEnum(ANALYSIS_STATUSES), {
    ...EXTENSION, description: 'Habla extension. null: nothing to analyse; pending | running | completed | failed',
  })),
  latency: Type.Optional(Nullable(CallLatency, { ...EXTENSION, description: 'Habla extension. The voice agent\'s per-turn latency' })),
};

export const CallResponse = Type.Object({
  id: Uuid(),
  agent_id: Nullable(Uuid()),
  agent_version_id: Nullable(Uuid()),
  status: CallStatusSchema,
  recording_url: Type.Optional(Nullable(Type.String())),
  start_time: Type.Optional(Nullable(DateTime())),
  end_time: Type.Optional(Nullable(DateTime())),
  duration: Type.Optional(Nullable(Type.Integer())),
  type: CallTypeSchema,
  end_reason: Type.Optional(Nullable(Type.String())),
  contact: ContactResponseSchema,
  phone_register_id: Nullable(Uuid()),
  dynamic_variables: Type.Optional(Nullable(FreeObject())),
  created_date: DateTime(),
  ...CallExtensions,
});

export const CallListQuery = Type.Object({
  ...pageQueryProperties(50, 1000),
  agent_id: Type.Optional(Nullable(Uuid())),
  status: Type.Optional(Nullable(CallStatusSchema)),
  type: Type.Optional(Nullable(CallTypeSchema)),
  start_created_date: Type.Optional(Nullable(DateTime())),
  end_created_date: Type.Optional(Nullable(DateTime())),
  contact_id: Type.Optional(Nullable(Uuid())),
  phone_id: Type.Optional(Nullable(Uuid())),
});

const ToolCallStatus = StringEnum(['error', 'success', 'cancelled'] as const);

export const FunctionSchema = Type.Object({
  function_name: Type.String(),
  payload: FreeObject(),
  status: ToolCallStatus,
  type: Type.Optional(Type.Literal('function', { default: 'function' })),
});

export const CallToolSchema = Type.Object({
  tool_name: StringEnum(['transfer', 'hangup', 'detect_answering_machine', 'add_participant'] as const),
  payload: FreeObject(),
  type: Type.Optional(Type.Literal('call_tool', { default: 'call_tool' })),
  status: ToolCallStatus,
});

export const MessageResponse = Type.Object({
  id: Uuid(),
  created_date: DateTime(),
  role: StringEnum(['user', 'assistant', 'tool'] as const),
  content: Type.Optional(Nullable(Type.String())),
  tool_call: Type.Optional(Type.Union([FunctionSchema, CallToolSchema, Type.Null()])),
  start_ms: Type.Optional(Nullable(Type.Integer(), { ...EXTENSION, description: 'Habla extension. When the turn started, ms from the answer' })),
  end_ms: Type.Optional(Nullable(Type.Integer(), { ...EXTENSION, description: 'Habla extension. When the turn ended, ms from the answer' })),
  interrupted: Type.Optional(Type.Boolean({
    ...EXTENSION, description: 'Habla extension. The caller cut this agent turn off; content is what was actually played',
  })),
});

export const BulkDeleteCallRequest = Type.Object({
  call_ids: Type.Array(Uuid(), { minItems: 1, maxItems: 500, description: 'UUIDs of the calls to delete. Up to 500 per request.' }),
});

export const BulkDeleteCallResponse = Type.Object({
  deleted: Type.Integer({ description: 'Number of terminal calls actually deleted from the requested set.' }),
});
