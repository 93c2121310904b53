import { toCallResponse } from '../http/routes/calls/present.ts';
import type { CallRecord } from '../store/repositories/calls.ts';

export const STATUS_CHANGED = 'status_changed';

/**
 * The body of a `status_changed` delivery. `call` is the API's CallResponse at the moment of the
 * change; `recording_url` is null there (signed links expire; fetch the call for a fresh one).
 */
export function statusChangedPayload(call: CallRecord, eventId: string, createdAt: string) {
  return { event: STATUS_CHANGED, event_id: eventId, created_at: createdAt, call: toCallResponse(call, null) };
}
