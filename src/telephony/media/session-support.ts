/** Small pieces of the session shell: listener lists that contain failures, drop accounting. */
import type { Address } from './remote-endpoint.ts';
import type { MediaTick } from './types.ts';

/** Listeners called in order; one that throws is reported and does not stop the others. */
export class Listeners<T> {
  private readonly list: ((value: T) => void)[] = [];

  constructor(private readonly onError: (error: unknown) => void) {}

  add(listener: (value: T) => void): void {
    this.list.push(listener);
  }

  emit(value: T): void {
    for (const listener of this.list) {
      try {
        listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

export type DropReason = 'malformed' | 'srtp' | 'payload-type' | 'wrong-source';

/**
 * Counts refused packets by reason. The first of each reason is logged (at debug: a hostile
 * or misconfigured peer must not be able to flood the log); the rest only counted.
 */
export class DropCounters {
  readonly counts = { malformedPackets: 0, srtpFailures: 0, unknownPayloadType: 0, wrongSource: 0 };
  private readonly logged = new Set<DropReason>();

  constructor(private readonly log: (reason: DropReason, from: Address) => void) {}

  count(reason: DropReason, from: Address): void {
    if (reason === 'malformed') this.counts.malformedPackets++;
    else if (reason === 'srtp') this.counts.srtpFailures++;
    else if (reason === 'payload-type') this.counts.unknownPayloadType++;
    else this.counts.wrongSource++;
    if (this.logged.has(reason)) return;
    this.logged.add(reason);
    this.log(reason, from);
  }
}

/** The session's four event streams; a listener's failure is reported with its event name. */
export class SessionEvents {
  readonly tick: Listeners<MediaTick>;
  readonly audio: Listeners<Int16Array>;
  readonly dtmf: Listeners<string>;
  readonly mediaTimeout: Listeners<void>;

  constructor(report: (error: unknown, event: string) => void) {
    this.tick = new Listeners((e) => report(e, 'onTick'));
    this.audio = new Listeners((e) => report(e, 'onAudio'));
    this.dtmf = new Listeners((e) => report(e, 'onDtmf'));
    this.mediaTimeout = new Listeners((e) => report(e, 'onMediaTimeout'));
  }
}

/** Logs the first socket error of each kind (an ICMP storm must not flood the log); counts all. */
export class SocketErrors {
  count = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly log: (error: Error) => void) {}

  report(error: Error): void {
    this.count++;
    const kind = (error as NodeJS.ErrnoException).code ?? error.message;
    if (this.seen.has(kind)) return;
    this.seen.add(kind);
    this.log(error);
  }
}
