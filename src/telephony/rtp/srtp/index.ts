export { aesCm, aesCmKeystream, packetIv } from './aes-cm.ts';
export { deriveKey, deriveSessionKeys, type DerivedKeys, type SessionKeys } from './key-derivation.ts';
export { ReplayWindow, REPLAY_WINDOW_SIZE } from './replay-window.ts';
export { estimateIndex } from './rollover.ts';
export type { SrtpError, SrtpErrorCode, SrtpResult } from './result.ts';
export {
  formatCryptoAttribute,
  formatInlineKey,
  generateMasterKey,
  parseCryptoAttribute,
  parseInlineKey,
  SRTP_SUITE,
  type CryptoAttribute,
  type SdesResult,
} from './sdes.ts';
export { AUTH_TAG_LENGTH, SrtpContext, type MasterKey } from './srtp-context.ts';
