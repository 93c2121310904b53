export { err, ok, type Result } from '../result.ts';
export { looksLikeRtcp, parseRtpPacket, RTP_HEADER_LENGTH, serializeRtpPacket, type RtpHeaderExtension, type RtpPacket } from './packet.ts';
export { seqDelta, seqNext, SequenceTracker, timestampDelta, timestampNext, TimestampUnwrapper, type SequenceVerdict } from './sequence.ts';
export { RtpSender, type RtpSenderOptions } from './sender.ts';
export { JitterBuffer, type JitterBufferOptions, type JitterBufferStats, type PopResult, type PushOutcome } from './jitter-buffer.ts';
export {
  digitPackets,
  digitToEvent,
  eventToDigit,
  parseTelephoneEvent,
  serializeTelephoneEvent,
  TelephoneEventReceiver,
  type DigitOptions,
  type DtmfDigit,
  type TelephoneEvent,
  type TelephoneEventPacket,
} from './telephone-event.ts';
