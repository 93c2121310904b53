/**
 * What a transfer bridged by Habla (invite-transfer.ts) means for the call record: which of the
 * target leg's SIP events reach the call log and under which name, the reason a failed dial
 * gives the agent, and the end a bridged call gets. Pure, so docs/end-reasons.md can be checked
 * against tests.
 */
import type { LegEnd, LegEvent } from '../telephony/call/types.ts';

/** Target-leg events the call log leaves out: `transfer_bridged` and `transfer_bridge_ended` say it. */
const SILENT_TARGET_EVENTS = new Set(['answered', 'hangup']);

/**
 * The call-log entry for an event of the target's leg, or undefined to leave it out. The leg
 * names its events as if it were a call of its own (`invite_sent`, `ringing`, `sip_error`…):
 * prefixed, they cannot be mistaken for the customer's. Digits the transfer target presses are
 * not logged (a person taking a card number by keypad); that keys were relayed is enough.
 */
export function targetLogEntry(event: LegEvent): LegEvent | undefined {
  if (SILENT_TARGET_EVENTS.has(event.event)) return undefined;
  const name = event.event === 'invite_sent' ? 'transfer_fallback_invite' : `transfer_target_${event.event}`;
  const { digit: _digit, ...data } = event.data ?? {};
  return { event: name, level: event.level, data: event.data ? data : undefined };
}

/** Ends of a dial that never sent an INVITE: nothing about the target, so no `target_` prefix. */
const NOT_DIALED = new Set(['invalid_target', 'no_route', 'internal_error']);

/**
 * Why dialing the target failed, as the agent's tool result and the log say it: the target's
 * SIP status when it gave one (`target_status_486`, like a REFER's NOTIFY reports it), else
 * what ended the dial (`target_ring_timeout`, `target_trunk_unreachable`…), or why it could
 * not start (`invalid_target`, `no_route`).
 */
export function targetFailureReason(end: LegEnd): string {
  if (end.sipStatus !== undefined) return `target_status_${end.sipStatus}`;
  return NOT_DIALED.has(end.reason) ? end.reason : `target_${end.reason}`;
}

/** How the end of the target's side ends the customer's leg, and who the log says ended the bridge. */
export function endAfterTarget(end: LegEnd): { reason: string; by: 'agent' | 'system'; endedBy: 'target' | 'system' } {
  // The target hung up (its BYE: the leg reports its peer as the customer): the call simply ends,
  // transferred. Anything else (media timeout, ACK timeout) keeps its own reason.
  if (end.by === 'customer') return { reason: 'transferred', by: 'agent', endedBy: 'target' };
  return { reason: end.reason, by: 'system', endedBy: 'system' };
}

/**
 * The end a call gets once its bridge was up: status `transferred` whatever ended it, since the
 * transfer itself succeeded. end_reason `transferred` when one of the two people hung up (like a
 * REFER transfer); when Habla cut the bridge (server_shutdown, media_timeout,
 * max_duration_reached, api_hangup) that reason stays, so a cut conversation is visible.
 */
export function bridgedCallEnd(end: LegEnd): { status: 'transferred'; reason: string } {
  return { status: 'transferred', reason: end.reason === 'customer_hangup' ? 'transferred' : end.reason };
}
