/** Public surface of the SIP dialog layer (RFC 3261 §12–15), see README.md. */
export * from './errors.ts';
export * from './dialog.ts';
export { formatParty, formatVia, requestTarget, asRequestUri, type PartyInput, type ViaInput } from './headers.ts';
export * from './ids.ts';
export * from './uac-requests.ts';
export * from './create-dialog.ts';
export * from './in-dialog-request.ts';
export * from './in-dialog-receive.ts';
export * from './uas-responses.ts';
export * from './retransmit-2xx.ts';
export * from './digest-retry.ts';
export * from './dialog-set.ts';
