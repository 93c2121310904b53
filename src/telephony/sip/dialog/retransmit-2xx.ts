/**
 * The UAS core retransmits its 2xx to an INVITE until the ACK arrives (§13.3.1.4): first
 * after T1, the interval doubling up to T2; after 64*T1 without ACK it gives up and the call
 * must be ended with BYE. Pure: the caller passes `now` (ms, monotonic) and arms one timer
 * for `nextDeadline`.
 */

export interface SipTimers {
  /** RTT estimate, default 500 ms. */
  readonly t1: number;
  /** Cap on retransmission intervals, default 4 s. */
  readonly t2: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000 };

export interface Retransmit2xx {
  readonly status: 'waiting' | 'acked' | 'timed_out';
  readonly startedAt: number;
  /** When the next copy goes out. */
  readonly nextAt: number;
  /** Gap that led to `nextAt`; the one after doubles it, capped at T2. */
  readonly interval: number;
  readonly retransmissions: number;
  readonly timers: SipTimers;
}

/** 'retransmit': send the same 2xx again. 'give_up': no ACK in 64*T1 — send BYE (§13.3.1.4). */
export type Retransmit2xxAction = 'retransmit' | 'give_up';

/** Call when the 2xx is first sent. */
export function start2xxRetransmit(now: number, timers: SipTimers = DEFAULT_TIMERS): Retransmit2xx {
  return { status: 'waiting', startedAt: now, nextAt: now + timers.t1, interval: timers.t1, retransmissions: 0, timers };
}

export function giveUpAt(state: Retransmit2xx): number {
  return state.startedAt + 64 * state.timers.t1;
}

/** The time to wake up at, or undefined once the ACK came or we gave up. */
export function nextDeadline(state: Retransmit2xx): number | undefined {
  return state.status === 'waiting' ? Math.min(state.nextAt, giveUpAt(state)) : undefined;
}

/**
 * Advance to `now`. A late wake-up sends one copy, not a burst: the schedule then continues
 * from the slot just passed, skipping slots already missed.
 */
export function tick2xxRetransmit(state: Retransmit2xx, now: number): { state: Retransmit2xx; action?: Retransmit2xxAction } {
  if (state.status !== 'waiting') return { state };
  if (now >= giveUpAt(state)) return { state: { ...state, status: 'timed_out' }, action: 'give_up' };
  if (now < state.nextAt) return { state };
  let { nextAt, interval } = state;
  while (nextAt <= now) {
    interval = Math.min(interval * 2, state.timers.t2);
    nextAt += interval;
  }
  return { state: { ...state, nextAt, interval, retransmissions: state.retransmissions + 1 }, action: 'retransmit' };
}

/** The matching ACK arrived (see `ackMatches`): stop retransmitting. */
export function ack2xxRetransmit(state: Retransmit2xx): Retransmit2xx {
  return state.status === 'waiting' ? { ...state, status: 'acked' } : state;
}
