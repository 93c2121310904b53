/**
 * Where calls' media runs. The SIP legs ask a host for ports (before writing SDP) and then for
 * a media session on them; the host decides the thread. InProcessMediaHost runs every session
 * on the caller's event loop, with one media clock; worker/ has the host that runs them on
 * media worker threads.
 */
import type { NegotiatedMedia } from '../sdp/index.ts';
import { MediaClock } from './media-clock.ts';
import { RtpPortAllocator } from './port-allocator.ts';
import { RtpSession } from './rtp-session.ts';
import type { CallMedia, CallMediaPorts, MediaLogger, RtpSockets } from './types.ts';

export interface MediaHost {
  allocatePorts(): Promise<CallMediaPorts>;
  openMedia(ports: CallMediaPorts, media: NegotiatedMedia): CallMedia;
  /** Stops the host; sessions must have been closed first. */
  close(): Promise<void>;
}

/** Calls are served in 4 slots of each 20 ms frame (see MediaClock `phases`). */
export const MEDIA_CLOCK_PHASES = 4;

export interface MediaHostOptions {
  /** Address the RTP sockets bind to. */
  host: string;
  portMin: number;
  portMax: number;
  /** No RTP or RTCP for this long ends the media (onMediaTimeout); 0 disables. */
  mediaTimeoutMs: number;
  logger?: MediaLogger;
  /** Slots per media frame; default MEDIA_CLOCK_PHASES. */
  clockPhases?: number;
}

export class InProcessMediaHost implements MediaHost {
  readonly clock: MediaClock;
  private readonly ports: RtpPortAllocator;

  constructor(private readonly options: MediaHostOptions) {
    this.clock = new MediaClock({ phases: options.clockPhases ?? MEDIA_CLOCK_PHASES });
    this.ports = new RtpPortAllocator({ host: options.host, min: options.portMin, max: options.portMax });
  }

  allocatePorts(): Promise<RtpSockets> {
    return this.ports.allocate();
  }

  openMedia(ports: CallMediaPorts, media: NegotiatedMedia): CallMedia {
    const { mediaTimeoutMs, logger } = this.options;
    return new RtpSession({ sockets: ports as RtpSockets, clock: this.clock, media, mediaTimeoutMs, logger });
  }

  async close(): Promise<void> {
    this.clock.stop();
  }
}
