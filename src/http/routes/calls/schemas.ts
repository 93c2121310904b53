import { Type } from 'typebox';
import { CALL_STATUSES, CALL_TYPES } from '../../../domain/call-status.ts';
import { DateTime, Nullable, pageQueryProperties, StringEnum, Uuid } from '../../schemas/common.ts';

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
});

export const BulkDeleteCallRequest = Type.Object({
  call_ids: Type.Array(Uuid(), { minItems: 1, maxItems: 500, description: 'UUIDs of the calls to delete. Up to 500 per request.' }),
});

export const BulkDeleteCallResponse = Type.Object({
  deleted: Type.Integer({ description: 'Number of terminal calls actually deleted from the requested set.' }),
});
