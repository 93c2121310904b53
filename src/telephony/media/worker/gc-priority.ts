/**
 * Real-time media threads and V8's concurrent garbage collector do not mix. After a full GC a
 * worker's C++ heap (cppgc) is swept by helper threads at normal priority while the worker
 * re-posts a small "sweep a bit more" task to itself until they finish. A SCHED_FIFO worker
 * spinning on that task keeps its core; with both media workers doing it on a 2-core machine
 * the helpers, SIP and everything else get nothing until the kernel's real-time throttling
 * steps in. Measured with perf during bench:sip (300 calls): both workers at 100% CPU for
 * 0.2–1 s in eventfd writes from cppgc::Sweeper::ScheduleIncrementalSweeping, SIPp starved
 * (its echo socket's queue grew to 12 MB), send jitter p99 ≤ 6–7.5 ms in those windows.
 *
 * `node --single-threaded-gc` makes each thread sweep its own heap (no helpers to wait for):
 * no stall in 4 runs. V8 accepts the flag only at start-up (setting it later aborts the
 * process in the next GC), so it is on the command line of every way Habla starts
 * (bin/habla.js's shebang, scripts/start.sh, the tests and benches), and a process started
 * without it does not run media in real time.
 */
import type { MediaPriority } from './protocol.ts';

/** The node flags `habla serve` runs with. */
export const SERVE_NODE_FLAGS = ['--single-threaded-gc'] as const;

export interface PriorityChoice {
  priority: MediaPriority;
  /** Why the asked priority was lowered, for the start-up log. */
  lowered?: string;
}

export function mediaPriorityFor(requested: MediaPriority, execArgv: readonly string[] = process.execArgv): PriorityChoice {
  if (requested !== 'realtime' || SERVE_NODE_FLAGS.every((flag) => execArgv.includes(flag))) return { priority: requested };
  return {
    priority: 'high',
    lowered: `real-time media threads need node ${SERVE_NODE_FLAGS.join(' ')} (V8's concurrent GC can stall them and starve the machine); running them at nice -10`,
  };
}
