// The call status machine. Statuses are the contract's CallStatus enum; the rules here are
// the only place that says which moves are legal, so the store and the engine agree.
//
//   dialing ──answered──▶ in_progress ──▶ completed | failed | transferred
//      └──────────────▶ failed | no_answer
//
// Terminal statuses never change again: a late SIP event or a retried job cannot reopen or
// rewrite a call that has ended.

export const CALL_STATUSES = ['dialing', 'in_progress', 'completed', 'failed', 'transferred', 'no_answer'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const CALL_TYPES = ['inbound', 'outbound'] as const;
export type CallType = (typeof CALL_TYPES)[number];

export const TERMINAL_CALL_STATUSES = ['completed', 'failed', 'transferred', 'no_answer'] as const;
export type TerminalCallStatus = (typeof TERMINAL_CALL_STATUSES)[number];

export const ACTIVE_CALL_STATUSES = ['dialing', 'in_progress'] as const;
export type ActiveCallStatus = (typeof ACTIVE_CALL_STATUSES)[number];

const NEXT: Record<CallStatus, readonly CallStatus[]> = {
  // Not answered: the callee did not pick up, or the call could not be placed.
  dialing: ['in_progress', 'failed', 'no_answer'],
  // Answered: it ends normally, is handed to someone else, or breaks.
  in_progress: ['completed', 'failed', 'transferred'],
  completed: [],
  failed: [],
  transferred: [],
  no_answer: [],
};

export function isCallStatus(value: string): value is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: CallStatus): status is TerminalCallStatus {
  return (TERMINAL_CALL_STATUSES as readonly string[]).includes(status);
}

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses a call may be in for it to move to `to`: the guard of a conditional update. */
export function statusesLeadingTo(to: CallStatus): CallStatus[] {
  return CALL_STATUSES.filter((from) => canTransition(from, to));
}

/** Whole seconds between answer and hang-up; null when the call was never answered. */
export function callDurationSeconds(startTime: string | null, endTime: string): number | null {
  if (startTime === null) return null;
  const ms = Date.parse(endTime) - Date.parse(startTime);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : null;
}
