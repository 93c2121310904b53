/**
 * The one 20 ms ticker of a media thread. Every RTP session subscribes to it instead of running
 * its own timer: hundreds of calls then cost one timer.
 *
 * With `phases` > 1 the frame is cut into that many slots and each subscriber gets its own slot
 * (the least crowded when it subscribes): its ticks are still exactly frameMs apart, but the
 * calls are not all served at one instant. Why: serving a tick takes tens of µs per call, so
 * with one slot the 300th call's packet leaves ~10 ms after its due time on every tick; spread
 * over slots, each call's packet leaves close to its own due time, and sends are spread over
 * the frame instead of bursting.
 *
 * Tick n is due at start + n × frameMs on the monotonic clock. Each timeout is scheduled
 * against the next deadline (not "20 ms from now"), so timer lateness never accumulates into
 * drift. When the event loop was blocked for several frames, the missed ticks are delivered
 * back to back (at most `maxCatchUpFrames`), which keeps each session's RTP timestamps
 * continuous; beyond that the oldest ticks are skipped and subscribers see the gap in
 * `tickNow`. The timer runs only while someone subscribes and never keeps the process alive.
 */

export interface MediaClockOptions {
  /** Frame length; default 20 ms. */
  frameMs?: number;
  /** Monotonic time source in ms; default performance.now. */
  now?: () => number;
  /** Most ticks delivered in one burst after a stall; default 5. */
  maxCatchUpFrames?: number;
  /** A subscriber threw (it must not stop the others). Default: ignore. */
  onError?: (error: unknown) => void;
  /** Slots per frame the subscribers are spread over; default 1 (everyone at once). */
  phases?: number;
}

/** Receives the tick's ideal time (its deadline), on the clock's `now()` scale. */
export type TickListener = (tickNow: number) => void;

export class MediaClock {
  readonly frameMs: number;
  /** The clock's monotonic time source, for callers that measure against tick deadlines. */
  readonly now: () => number;
  private readonly maxCatchUp: number;
  private readonly onError: (error: unknown) => void;
  private readonly phases: number;
  private readonly slotMs: number;
  /** Subscribers by slot; `listeners` maps each to its slot. */
  private readonly slots: Set<TickListener>[];
  private readonly listeners = new Map<TickListener, number>();
  private timer: NodeJS.Timeout | undefined;
  private start = 0;
  private ticked = 0; // slots delivered (or skipped) since start
  private skipped = 0;
  private firing = false;

  constructor(opts: MediaClockOptions = {}) {
    this.frameMs = opts.frameMs ?? 20;
    this.now = opts.now ?? (() => performance.now());
    this.maxCatchUp = Math.max(1, opts.maxCatchUpFrames ?? 5);
    this.onError = opts.onError ?? (() => {});
    this.phases = opts.phases ?? 1;
    if (!(this.frameMs > 0)) throw new RangeError('frameMs must be positive');
    if (!(Number.isInteger(this.phases) && this.phases >= 1)) throw new RangeError('phases must be an integer ≥ 1');
    this.slotMs = this.frameMs / this.phases;
    this.slots = Array.from({ length: this.phases }, () => new Set<TickListener>());
  }

  /** Starts the ticker on the first subscription; returns the unsubscribe function. */
  subscribe(onTick: TickListener): () => void {
    const slot = this.leastCrowdedSlot();
    this.listeners.set(onTick, slot);
    this.slots[slot].add(onTick);
    if (!this.timer && !this.firing) {
      this.start = this.now();
      this.ticked = 0;
      this.schedule();
    }
    return () => {
      if (this.listeners.get(onTick) !== slot) return;
      this.listeners.delete(onTick);
      this.slots[slot].delete(onTick);
      if (this.listeners.size === 0) this.halt();
    };
  }

  /** Drops every subscriber and stops the timer. */
  stop(): void {
    this.listeners.clear();
    for (const slot of this.slots) slot.clear();
    this.halt();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Ticks dropped because a stall exceeded the catch-up bound (a health signal). */
  get skippedTicks(): number {
    return this.skipped;
  }

  private leastCrowdedSlot(): number {
    let best = 0;
    for (let i = 1; i < this.phases; i++) if (this.slots[i].size < this.slots[best].size) best = i;
    return best;
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const deadline = this.start + (this.ticked + 1) * this.slotMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, deadline - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.firing = true;
    const due = Math.floor((this.now() - this.start) / this.slotMs);
    const maxSlots = this.maxCatchUp * this.phases;
    if (due - this.ticked > maxSlots) {
      // Skipped whole frames: every slot loses the same number of ticks.
      const frames = Math.floor((due - this.ticked - maxSlots) / this.phases);
      this.skipped += frames;
      this.ticked += frames * this.phases;
    }
    while (this.ticked < due && this.listeners.size > 0) {
      this.ticked++;
      this.deliver(this.slots[this.ticked % this.phases], this.start + this.ticked * this.slotMs);
    }
    this.firing = false;
    // Listeners may have come and gone during delivery; the timeline continues if any remain.
    if (this.listeners.size > 0) this.schedule();
  }

  private deliver(slot: Set<TickListener>, tickNow: number): void {
    if (slot.size === 0) return;
    for (const listener of [...slot]) {
      if (!slot.has(listener)) continue; // unsubscribed by an earlier listener
      try {
        listener(tickNow);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
