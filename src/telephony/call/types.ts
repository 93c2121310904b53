/**
 * What a SIP call leg needs from the layers around it and what it tells them. The leg owns
 * the SIP dialog and the media session of one call; the engine listens and owns everything
 * else (store, recording, the agent). Nothing here knows about projects or agents.
 */
import type { EndpointLogger } from '../sip/endpoint-types.ts';
import type { SipEndpoint } from '../sip/endpoint.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import type { MediaEncryption } from '../sdp/index.ts';

/** The sockets a call's media uses (see media/port-allocator.ts). */
export interface MediaPorts {
  readonly port: number;
  close(): Promise<void>;
}

/** The subset of a media session (media/rtp-session.ts) the SIP leg drives. */
export interface LegMedia {
  update(media: NegotiatedMedia): void;
  onDtmf(listener: (digit: string) => void): void;
  onMediaTimeout(listener: () => void): void;
  close(): Promise<void>;
}

export interface LegEnvironment<Ports extends MediaPorts = MediaPorts, Media extends LegMedia = LegMedia> {
  readonly endpoint: SipEndpoint;
  /** Binds the RTP/RTCP sockets for one call. */
  allocatePorts(): Promise<Ports>;
  /** Starts media on the bound sockets once SDP is agreed. */
  openMedia(ports: Ports, media: NegotiatedMedia): Media;
  /** Our address as peers must see it (Contact, Via, SDP c=). */
  readonly publicHost: string;
  readonly sipPort: number;
  readonly logger: EndpointLogger;
  /** RFC 3261 T1/T2 for 2xx retransmission; default 500/4000 ms. */
  readonly timers?: { t1: number; t2: number };
}

export type HangupSide = 'customer' | 'agent' | 'system';

export interface LegEnd {
  /** An end_reason code (src/domain/end-reasons.ts). */
  readonly reason: string;
  readonly by: HangupSide;
  readonly answered: boolean;
  /** The final SIP status that ended an unanswered call, when there was one. */
  readonly sipStatus?: number;
}

/** A timeline entry for the call log: SIP-level facts, never personal data in `event`. */
export interface LegEvent {
  readonly event: string;
  readonly level?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  readonly data?: Record<string, unknown>;
}

export interface LegListener<Media extends LegMedia = LegMedia> {
  onRinging?(status: number): void;
  onAnswered(media: Media): void;
  onDtmf?(digit: string): void;
  onEvent?(event: LegEvent): void;
  /** Exactly once per leg. */
  onEnded(end: LegEnd): void;
}

export interface OutboundLegRequest {
  /** host, host:port or a sip: URI of the trunk (`outbound_config.termination_uri`). */
  readonly trunk: string;
  /** E.164 numbers. */
  readonly from: string;
  readonly to: string;
  /**
   * The Request-URI and To URI when not `sip:<to>@<trunk host>`: a transfer target with a PBX
   * extension (escaped) or a sip: URI, still sent to the trunk (src/telephony/call/refer.ts).
   */
  readonly toUri?: string;
  readonly credentials?: { username: string; password: string } | null;
  readonly encryption: MediaEncryption;
  readonly ringTimeoutMs: number;
}
