/** Packets behind the highest index that are still accepted once (RFC 3711 §3.3.2 minimum). */
export const REPLAY_WINDOW_SIZE = 64;

export type ReplayVerdict = 'new' | 'replay' | 'too_old';

/**
 * Sliding bitmap over the highest authenticated index. `check` is read-only so an
 * unauthenticated packet can never move the window; `accept` is called after the tag verifies.
 */
export class ReplayWindow {
  #highest = -1;
  #bits = 0n; // bit i set ⇔ index (highest - i) was accepted

  check(index: number): ReplayVerdict {
    if (index > this.#highest) return 'new';
    const delta = this.#highest - index;
    if (delta >= REPLAY_WINDOW_SIZE) return 'too_old';
    return (this.#bits >> BigInt(delta)) & 1n ? 'replay' : 'new';
  }

  accept(index: number): void {
    if (index > this.#highest) {
      const shift = this.#highest < 0 ? REPLAY_WINDOW_SIZE : index - this.#highest;
      this.#bits = shift >= REPLAY_WINDOW_SIZE ? 0n : (this.#bits << BigInt(shift)) & MASK;
      this.#bits |= 1n;
      this.#highest = index;
      return;
    }
    this.#bits |= 1n << BigInt(this.#highest - index);
  }

  get highest(): number {
    return this.#highest;
  }
}

const MASK = (1n << BigInt(REPLAY_WINDOW_SIZE)) - 1n;
