/**
 * Which timers a transaction has armed. The shell may deliver a timer that was cancelled a
 * moment ago (a race between clearTimeout and the event loop), so a firing is honoured only
 * while the timer is armed here.
 */
import type { Action, TerminationReason, TimerName } from './types.ts';

export class TimerSet {
  private readonly armed = new Map<TimerName, number>();

  start(timer: TimerName, at: number): Action {
    this.armed.set(timer, at);
    return { type: 'startTimer', timer, at };
  }

  /** Disarms the timers that are armed; returns their cancel actions. */
  cancel(...timers: TimerName[]): Action[] {
    const out: Action[] = [];
    for (const timer of timers) {
      if (this.armed.delete(timer)) out.push({ type: 'cancelTimer', timer });
    }
    return out;
  }

  /** Consumes a firing: true when the timer was armed (it is disarmed now). */
  fire(timer: TimerName): boolean {
    return this.armed.delete(timer);
  }

  isArmed(timer: TimerName): boolean {
    return this.armed.has(timer);
  }

  /** Cancels everything and reports the end: the shell must not keep timers of a dead transaction. */
  terminate(reason: TerminationReason): Action[] {
    return [...this.cancel(...this.armed.keys()), { type: 'terminated', reason }];
  }
}
