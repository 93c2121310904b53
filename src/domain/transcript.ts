// A call's transcript as people read it: the spoken turns in order, as text and as timed
// segments. The shapes follow the call object users know from other platforms (seed 004):
// "Agent: …\n\nCaller: …", and segments `{speaker, text, start_time, end_time}` in seconds.

/** A spoken turn (tool calls are not part of what was said), in conversation order. */
export interface TranscriptTurn {
  role: 'user' | 'assistant';
  content: string;
  /** Offsets from the call's answer in ms; null for turns stored without timing. */
  start_ms: number | null;
  end_ms: number | null;
  /** The caller cut this agent turn off; `content` is what was actually played. */
  interrupted: boolean;
}

export type Speaker = 'agent' | 'caller';

export interface TranscriptSegment {
  speaker: Speaker;
  text: string;
  /** Seconds from the call's answer, millisecond precision. */
  start_time: number | null;
  end_time: number | null;
  interrupted: boolean;
}

const LABELS: Record<Speaker, string> = { agent: 'Agent', caller: 'Caller' };

export function speakerOf(role: TranscriptTurn['role']): Speaker {
  return role === 'assistant' ? 'agent' : 'caller';
}

/** "Agent: …\n\nCaller: …"; null for a call where nobody said anything. */
export function transcriptText(turns: readonly TranscriptTurn[], labels: Record<Speaker, string> = LABELS): string | null {
  if (turns.length === 0) return null;
  return turns.map((turn) => `${labels[speakerOf(turn.role)]}: ${turn.content}`).join('\n\n');
}

export function transcriptSegments(turns: readonly TranscriptTurn[]): TranscriptSegment[] {
  return turns.map((turn) => ({
    speaker: speakerOf(turn.role),
    text: turn.content,
    start_time: seconds(turn.start_ms),
    end_time: seconds(turn.end_ms),
    interrupted: turn.interrupted,
  }));
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms) / 1000;
}
