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
 * no stall in 4 runs. Each thread then also scavenges its young generation alone, and with
 * V8's default 16 MB semi-spaces a media worker's scavenge took 6–9 ms once a second (send
 * jitter p99 6 ms at 300 calls); `--max-semi-space-size=4` keeps it at ~2.4 ms (p99 ≤ 2 ms, and
 * the least CPU of 1, 2, 4 and 16 MB; at 1 MB the main thread's GC churn slowed call setup).
 * V8 takes these flags only at start-up (setting them later aborts the process in the next
 * GC), so they are on the command line of every way Habla starts (bin/habla.js's shebang,
 * scripts/start.sh, the tests and benches), and a process started without the first does not
 * run media in real time.
 */
import type { MediaPriority } from './protocol.ts';

/** What real-time media threads cannot do without. */
const REALTIME_NEEDS = '--single-threaded-gc';

/** The node flags `habla serve` runs with. */
export const SERVE_NODE_FLAGS = [REALTIME_NEEDS, '--max-semi-space-size=4'] as const;

export interface PriorityChoice {
  priority: MediaPriority;
  /** Why the asked priority was lowered, for the start-up log. */
  lowered?: string;
}

export function mediaPriorityFor(requested: MediaPriority, execArgv: readonly string[] = process.execArgv): PriorityChoice {
  if (requested !== 'realtime' || execArgv.includes(REALTIME_NEEDS)) return { priority: requested };
  return {
    priority: 'high',
    lowered: `real-time media threads need node ${REALTIME_NEEDS} (V8's concurrent GC can stall them and starve the machine); running them at nice -10`,
  };
}
