import type { Static } from 'typebox';
import { percentile, type TurnLatency } from '../../../domain/call-analysis.ts';
import { transcriptSegments, transcriptText, type TranscriptTurn } from '../../../domain/transcript.ts';
import type { CallRecord } from '../../../store/repositories/calls.ts';
import type { CallLatency, CallResponse } from './schemas.ts';

/**
 * A stored call as the contract's CallResponse plus Habla's extension fields; `recordingUrl` is
 * the signed link or null, `turns` the call's spoken transcript (MessageRepository.transcriptOf).
 */
export function toCallResponse(call: CallRecord, recordingUrl: string | null, turns: readonly TranscriptTurn[] = []): Static<typeof CallResponse> {
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
    transcript: transcriptText(turns),
    transcript_segments: transcriptSegments(turns),
    summary: call.summary,
    sentiment: call.sentiment,
    success: call.success,
    analysis_status: call.analysis_status,
    latency: latencyOf(call.latency),
  };
}

function latencyOf(turns: TurnLatency[] | null): Static<typeof CallLatency> | null {
  if (!turns || turns.length === 0) return null;
  const voiceToVoice = turns.map((t) => t.voice_to_voice_ms);
  return { turns, voice_to_voice_p50_ms: percentile(voiceToVoice, 50), voice_to_voice_p95_ms: percentile(voiceToVoice, 95) };
}
