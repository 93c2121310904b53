// Runs one tool call the model made and says what to tell it back. The agent turn calls this
// only once the line is quiet (what the agent said before the call has played out), so a
// transfer or a key press never talks over the agent's own words.

import type { CallAudio } from '../call-audio.ts';
import type { CallControl } from './call-control.ts';
import type { AgentTool, CallToolKind } from './call-tools.ts';

export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the model's arguments were not valid JSON. */
  argumentsError?: string;
}

export interface ToolContext {
  audio: Pick<CallAudio, 'sendDtmf'>;
  /** Absent: transfers are not possible on this call (the tool answers so). */
  callControl?: CallControl;
  /** The agent turn's signal: barge-in or the end of the call. */
  signal: AbortSignal;
}

export interface ToolOutcome {
  kind: CallToolKind | 'unknown';
  status: 'success' | 'error' | 'cancelled';
  /** The `tool` message content the model reads next. */
  result: string;
  /** The call is over because of this tool: hang up once speech ends, or it was handed over. */
  ends?: 'hang_up' | 'transferred';
  /** What the transcript's tool message shows (no caller data). */
  payload: Record<string, unknown>;
}

const DTMF_DIGITS = /^[0-9*#A-D]{1,32}$/;

export async function runTool(tool: AgentTool | undefined, call: ToolCallRequest, context: ToolContext): Promise<ToolOutcome> {
  if (!tool) return { kind: 'unknown', status: 'error', result: `There is no tool called ${call.name}.`, payload: { name: call.name } };
  if (context.signal.aborted) return cancelled(tool.kind);
  switch (tool.kind) {
    case 'hang_up':
      return { kind: 'hang_up', status: 'success', result: 'The call ends after your last words.', ends: 'hang_up', payload: {} };
    case 'detect_answering_machine':
      return {
        kind: 'detect_answering_machine', status: 'success', result: 'Answering machine noted; the call ends.',
        ends: 'hang_up', payload: { answered_by: 'answering_machine' },
      };
    case 'transfer_call':
      return transfer(tool, context);
    case 'send_dtmf':
      return sendDtmf(call, context);
  }
}

async function transfer(tool: AgentTool, context: ToolContext): Promise<ToolOutcome> {
  const config = tool.config?.type === 'transfer_call' ? tool.config : undefined;
  const target = config?.target_number?.trim();
  const mode = config?.transfer_type ?? 'transfer';
  const payload = { transfer_type: mode };
  if (!target) return { kind: 'transfer_call', status: 'error', result: 'This transfer has no number configured.', payload };
  if (!context.callControl) {
    return { kind: 'transfer_call', status: 'error', result: 'Transfers are not available on this call. Tell the caller.', payload };
  }
  try {
    const outcome = await context.callControl.transfer({ target, mode }, context.signal);
    if (outcome.status === 'transferred') {
      return { kind: 'transfer_call', status: 'success', result: 'The caller has been transferred.', ends: 'transferred', payload };
    }
    return {
      kind: 'transfer_call', status: 'error', result: `The transfer failed (${outcome.reason}). Tell the caller and offer to help otherwise.`,
      payload: { ...payload, reason: outcome.reason },
    };
  } catch (error) {
    if (context.signal.aborted) return cancelled('transfer_call');
    return { kind: 'transfer_call', status: 'error', result: 'The transfer failed. Tell the caller and offer to help otherwise.', payload: { ...payload, reason: errorText(error) } };
  }
}

async function sendDtmf(call: ToolCallRequest, context: ToolContext): Promise<ToolOutcome> {
  const raw = call.arguments.digits;
  const digits = typeof raw === 'string' || typeof raw === 'number' ? String(raw).replace(/[\s,-]/g, '').toUpperCase() : '';
  if (!DTMF_DIGITS.test(digits)) {
    return { kind: 'send_dtmf', status: 'error', result: 'digits must be 1 to 32 keys among 0-9, * and #.', payload: {} };
  }
  try {
    await context.audio.sendDtmf(digits);
    return { kind: 'send_dtmf', status: 'success', result: `Pressed ${digits}.`, payload: { digits } };
  } catch (error) {
    if (context.signal.aborted) return cancelled('send_dtmf');
    return { kind: 'send_dtmf', status: 'error', result: 'The keys could not be sent.', payload: { digits, reason: errorText(error) } };
  }
}

function cancelled(kind: CallToolKind): ToolOutcome {
  return { kind, status: 'cancelled', result: 'Cancelled: the caller interrupted.', payload: {} };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}
