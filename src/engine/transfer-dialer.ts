/**
 * How a call's transfer target is dialed when Habla bridges the transfer itself: a new
 * outbound INVITE through the same trunk as the phone's outbound calls (its
 * `outbound_config`: termination_uri, digest credentials, media_encryption), from the phone's
 * own number, with the server's ring timeout.
 */
import { endReasonForInviteFailure } from '../domain/end-reasons.ts';
import { OutboundLeg } from '../telephony/call/outbound-leg.ts';
import { parseTrunk } from '../telephony/call/peer-address.ts';
import { referTargetUri } from '../telephony/call/refer.ts';
import type { LegEnvironment, OutboundLegRequest } from '../telephony/call/types.ts';
import type { CallMedia, CallMediaPorts } from '../telephony/media/types.ts';
import type { TransferDialer } from './invite-transfer.ts';

/** The phone's trunk as an outbound call uses it, minus the callee. */
export type TransferTrunk = Omit<OutboundLegRequest, 'to' | 'toUri'>;

/**
 * The number goes to the trunk as `sip:<number>@<trunk>` (a PBX extension escaped, as in a
 * REFER's Refer-To); a sip: URI target is sent to the trunk as it is, so the phone's
 * credentials only ever answer the trunk's own challenges. The caller ID is the phone's number:
 * trunks refuse or rewrite a From that is not one of the account's numbers.
 */
export function transferDialer(legs: LegEnvironment<CallMediaPorts, CallMedia>, trunkOf: () => TransferTrunk): TransferDialer {
  return async (target, listener) => {
    let trunk: TransferTrunk;
    try {
      trunk = trunkOf(); // read at dial time: most calls never transfer, and need no decrypted password
    } catch (error) {
      legs.logger.warn({ err: error }, 'the trunk of a transfer could not be read');
      listener.onEnded({ reason: 'internal_error', by: 'system', answered: false });
      return undefined;
    }
    const host = parseTrunk(trunk.trunk)?.uriHost;
    const toUri = host ? referTargetUri(target, host) : undefined;
    if (!toUri) {
      listener.onEnded({ reason: host ? 'invalid_target' : 'no_route', by: 'system', answered: false });
      return undefined;
    }
    return OutboundLeg.place(legs, { ...trunk, to: target, toUri }, listener, endReasonForInviteFailure);
  };
}
