/**
 * Which call-log category and level each timeline event gets (docs/call-logs.md lists them).
 * The SIP leg names events; this is the only place that classifies them for users.
 */
import type { CallLogInput, LogCategory, LogLevel } from '../store/repositories/call-logs.ts';

const CATEGORY: Record<string, LogCategory> = {
  auth_challenge: 'SECURITY',
  dtmf_received: 'USER',
  dtmf_sent: 'AGENT',
};

export function callLogEntry(event: string, data: Record<string, unknown> | undefined, level: LogLevel = 'INFO', at = new Date()): CallLogInput {
  return { level, category: categoryOf(event), event, data: data ?? null, timestamp: at.toISOString() };
}

/** A transfer's whole story (REFER, the INVITE fallback, the target's leg, the bridge) is one category to filter on. */
function categoryOf(event: string): LogCategory {
  if (event.startsWith('transfer')) return 'TRANSFER';
  return CATEGORY[event] ?? 'CALL_LIFECYCLE';
}
