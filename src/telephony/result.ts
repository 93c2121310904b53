/**
 * Outcome of handling untrusted bytes: a value, or why they were refused. Every telephony
 * parser returns one instead of throwing: input arrives from the network, and a hostile
 * datagram must never become an exception on the receive path. Modules define their own
 * error type (SIP and SRTP carry a code and a message; RTP/SDP a plain reason).
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E = string>(error: E): { ok: false; error: E } => ({ ok: false, error });
