import type { Static } from 'typebox';
import type { CallRecord } from '../../../store/repositories/calls.ts';
import type { CallResponse } from './schemas.ts';

/** A stored call as the contract's CallResponse; `recordingUrl` is the signed link or null. */
export function toCallResponse(call: CallRecord, recordingUrl: string | null): Static<typeof CallResponse> {
  return {
    id: call.id,
    agent_id: call.agent_id,
    agent_version_id: call.agent_version_id,
    status: call.status,
    recording_url: recordingUrl,
    start_time: call.start_time,
    end_time: call.end_time,
    duration: call.duration,
    type: call.type,
    end_reason: call.end_reason,
    contact: call.contact,
    phone_register_id: call.phone_register_id,
    dynamic_variables: call.dynamic_variables,
    created_date: call.created_date,
  };
}
