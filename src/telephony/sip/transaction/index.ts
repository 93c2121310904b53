/** Public surface of the SIP transaction layer (see README.md). */
export * from './types.ts';
export type { DropReason, ManagerEvent } from './events.ts';
export { MAGIC_COOKIE, TransactionError, clientKey, randomBranch, serverKey } from './identity.ts';
export { buildCancel, buildNon2xxAck } from './requests.ts';
export { responseDestination, stampVia } from './response-destination.ts';
export { InviteClientTransaction } from './invite-client.ts';
export { NonInviteClientTransaction } from './non-invite-client.ts';
export { InviteServerTransaction } from './invite-server.ts';
export { NonInviteServerTransaction } from './non-invite-server.ts';
export * from './manager.ts';
