import type { Result } from '../../result.ts';

/** Why a packet was refused. Callers drop the packet and may count the reason; nothing throws. */
export type SrtpErrorCode =
  | 'malformed' // too short, wrong version, header longer than the packet
  | 'auth_failed' // the tag does not match: wrong key or tampered bytes
  | 'replay' // index already seen inside the window
  | 'too_old' // index behind the replay window (or before the stream's first packet)
  | 'index_exhausted'; // 2^48 RTP / 2^31 RTCP packets under one key: rekey required

export interface SrtpError {
  code: SrtpErrorCode;
  message: string;
}

export type SrtpResult<T> = Result<T, SrtpError>;

export { ok } from '../../result.ts';

export const fail = <T = never>(code: SrtpErrorCode, message: string): SrtpResult<T> => ({
  ok: false,
  error: { code, message },
});
