/** Helpers for the media tests: real sockets on 127.0.0.1, negotiated media, signals. */
import { g711, type G711Codec } from '../codecs/index.ts';
import type { NegotiatedMedia } from '../sdp/index.ts';
import { MediaClock } from './media-clock.ts';
import { RtpPortAllocator } from './port-allocator.ts';
import { RtpSession } from './rtp-session.ts';
import type { RtpSessionOptions, RtpSockets } from './types.ts';

/** A random range per test file, so parallel test files rarely meet (and skip each other when they do). */
export function testAllocator(pairs = 100): RtpPortAllocator {
  const base = 40000 + 2 * Math.floor(Math.random() * 9000);
  return new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 2 * pairs - 1 });
}

export function mediaTo(port: number, overrides: Partial<NegotiatedMedia> = {}): NegotiatedMedia {
  const codec: G711Codec = overrides.codec ?? 'PCMA';
  return {
    remoteAddress: '127.0.0.1',
    remotePort: port,
    remoteRtcpPort: port,
    rtcpMux: true,
    payloadType: codec === 'PCMA' ? 8 : 0,
    codec,
    clockRate: 8000,
    dtmfPayloadType: 101,
    ptime: 20,
    direction: 'sendrecv',
    remoteHold: false,
    profile: 'RTP/AVP',
    crypto: null,
    ...overrides,
  };
}

export interface SessionPair {
  a: RtpSession;
  b: RtpSession;
  aSockets: RtpSockets;
  bSockets: RtpSockets;
  clock: MediaClock;
  close(): Promise<void>;
}

type Extra = Omit<RtpSessionOptions, 'sockets' | 'clock' | 'media'>;

/** Two sessions on one clock, each sending to the other. */
export async function sessionPair(
  allocator: RtpPortAllocator,
  opts: { a?: Partial<NegotiatedMedia>; b?: Partial<NegotiatedMedia>; aExtra?: Extra; bExtra?: Extra } = {},
): Promise<SessionPair> {
  const clock = new MediaClock();
  const aSockets = await allocator.allocate();
  const bSockets = await allocator.allocate();
  const a = new RtpSession({ sockets: aSockets, clock, media: mediaTo(bSockets.port, opts.a), ...opts.aExtra });
  const b = new RtpSession({ sockets: bSockets, clock, media: mediaTo(aSockets.port, opts.b), ...opts.bExtra });
  return {
    a,
    b,
    aSockets,
    bSockets,
    clock,
    async close() {
      await Promise.all([a.close(), b.close()]);
      clock.stop();
    },
  };
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A sine at `hz` for `ms`, at 8 kHz. */
export function sine(hz: number, ms: number, amplitude = 8000): Int16Array {
  const out = new Int16Array((ms * 8000) / 1000);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

/** What a G.711 hop does to PCM: the exact samples the far end must decode. */
export function g711RoundTrip(codec: G711Codec, pcm: Int16Array): Int16Array {
  const c = g711(codec);
  return c.decode(c.encode(pcm));
}

/** Goertzel power of one frequency, normalised by length (enough to tell tones apart). */
export function tonePower(pcm: Int16Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (pcm.length * pcm.length);
}

export function concat(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
