export { readAudioMedia, type AudioMedia, type Direction, type PayloadFormat } from './audio-media.ts';
export { type MediaEncryption, type NegotiatedCrypto } from './media-crypto.ts';
export {
  acceptAnswer,
  answerOffer,
  createOffer,
  type G711Name,
  type LocalMediaParams,
  type NegotiatedMedia,
  type NegotiationFailure,
  type PendingOffer,
  type SdpResult,
} from './offer-answer.ts';
export { parseSdp, serializeSdp, type SessionDescription, type MediaDescription, type Attribute } from './session-description.ts';
