import type { TranscriptTurn } from '../domain/transcript.ts';
import { toCallResponse } from '../http/routes/calls/present.ts';
import type { CallRecord } from '../store/repositories/calls.ts';

export const STATUS_CHANGED = 'status_changed';
/** Habla extension: once per call, in the transaction that makes it terminal. */
export const CALL_ENDED = 'call_ended';
/**
 * Habla extension: once per call, in the transaction that stores its post-call analysis
 * (summary, sentiment, success; src/analysis/).
 */
export const CALL_ANALYZED = 'call_analyzed';

/** The events written to the outbox when a call's status changes (see webhook-outbox.ts). */
export type CallStatusEvent = typeof STATUS_CHANGED | typeof CALL_ENDED;
/** Every event the outbox carries for a call. */
export type CallEvent = CallStatusEvent | typeof CALL_ANALYZED;

/**
 * The body of a `status_changed` delivery. `call` is the API's CallResponse at the moment of the
 * change (with the transcript so far); `recording_url` is null there (signed links expire;
 * fetch the call for a fresh one).
 */
export function statusChangedPayload(call: CallRecord, eventId: string, createdAt: string, turns: readonly TranscriptTurn[] = []) {
  return { event: STATUS_CHANGED, event_id: eventId, created_at: createdAt, call: toCallResponse(call, null, turns) };
}

/**
 * The body of a `call_ended` delivery: the final call (CallResponse, `recording_url` null as in
 * status_changed: the recording is saved after the call ends) and its `end_reason` at the top.
 */
export function callEndedPayload(call: CallRecord, eventId: string, createdAt: string, turns: readonly TranscriptTurn[] = []) {
  return { event: CALL_ENDED, event_id: eventId, created_at: createdAt, end_reason: call.end_reason, call: toCallResponse(call, null, turns) };
}

/** The body of a `call_analyzed` delivery: the analysis at the top, and the call with its transcript. */
export function callAnalyzedPayload(call: CallRecord, eventId: string, createdAt: string, turns: readonly TranscriptTurn[] = []) {
  return {
    event: CALL_ANALYZED, event_id: eventId, created_at: createdAt,
    analysis: { summary: call.summary, sentiment: call.sentiment, success: call.success },
    call: toCallResponse(call, null, turns),
  };
}

export type CallEventPayload = (call: CallRecord, eventId: string, createdAt: string, turns: readonly TranscriptTurn[]) => object;

export const CALL_EVENT_PAYLOADS: Record<CallEvent, CallEventPayload> = {
  [STATUS_CHANGED]: statusChangedPayload,
  [CALL_ENDED]: callEndedPayload,
  [CALL_ANALYZED]: callAnalyzedPayload,
};
