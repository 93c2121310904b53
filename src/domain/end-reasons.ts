// The end_reason vocabulary: every way a call can end, and the terminal status each one gives
// an unanswered and an answered call. docs/end-reasons.md documents the same table; the
// engine, the API and recovery use only these codes (plus `sip_error_<code>`).
import type { TerminalCallStatus } from './call-status.ts';

export const END_REASONS = [
  'customer_hangup', // the customer (callee of an outbound call, caller of an inbound one) hung up
  'agent_hangup', // the agent ended the call (hang-up tool, end of its script)
  'api_hangup', // POST /v1/call/{id}/hangup
  'customer_cancelled', // an inbound caller gave up before we answered
  'busy', // 486 Busy Here / 600 Busy Everywhere
  'declined', // 603 Decline
  'unavailable', // 480 Temporarily Unavailable / 408 from the far end
  'ring_timeout', // no answer within HABLA_RING_TIMEOUT_S
  'invalid_number', // 404 / 484 / 604: the trunk does not know the callee
  'trunk_auth_failed', // the trunk rejected our credentials (401/407 again, or 403 after auth)
  'trunk_unreachable', // no response to the INVITE at all (by timer B or the ring timeout), or the host does not resolve
  'no_route', // the number has no usable outbound trunk
  'media_negotiation_failed', // no common codec / encryption policy (488, or a bad answer)
  'media_timeout', // no RTP or RTCP from the peer for 30 s
  'ack_timeout', // our 2xx was never acknowledged
  'max_duration_reached', // HABLA_MAX_CALL_DURATION_S
  'transferred', // the call was handed to another party
  'server_shutdown', // Habla was stopped (SIGTERM) during the call
  'server_restart', // Habla crashed during the call and closed it when it started again
  'internal_error', // a defect of ours ended the call; details in the server log
] as const;

export type NamedEndReason = (typeof END_REASONS)[number];
/** Any other final SIP response to our INVITE: `sip_error_503`. */
export type EndReason = NamedEndReason | `sip_error_${number}`;

const NOT_ANSWERED_NO_ANSWER = new Set<string>(['busy', 'declined', 'unavailable', 'ring_timeout', 'customer_cancelled']);

/** The terminal status a call gets for `reason`, depending on whether it was answered. */
export function terminalStatusFor(reason: EndReason, answered: boolean): TerminalCallStatus {
  if (reason === 'transferred') return 'transferred';
  if (answered) return reason === 'internal_error' ? 'failed' : 'completed';
  return NOT_ANSWERED_NO_ANSWER.has(reason) ? 'no_answer' : 'failed';
}

/** The end reason for a final non-2xx answer to our INVITE (after any digest retry). */
export function endReasonForInviteFailure(status: number): EndReason {
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'declined';
    case 408:
    case 480:
      return 'unavailable';
    case 404:
    case 484:
    case 604:
      return 'invalid_number';
    case 401:
    case 407:
      return 'trunk_auth_failed';
    case 488:
    case 606:
      return 'media_negotiation_failed';
    default:
      return `sip_error_${status}`;
  }
}
