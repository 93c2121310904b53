export { MediaClock, type MediaClockOptions, type TickListener } from './media-clock.ts';
export { RtpPortAllocator, type RtpPortAllocatorOptions } from './port-allocator.ts';
export { RtpSession } from './rtp-session.ts';
export type {
  DtmfSendOptions,
  MediaLogger,
  MediaTick,
  PlayoutHandle,
  PlayoutResult,
  RtpSessionOptions,
  RtpSessionStats,
  RtpSockets,
} from './types.ts';
