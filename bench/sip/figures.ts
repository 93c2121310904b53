import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

// What bench:sip reads: Habla's /metrics (its own view of every call's media) and the kernel's
// CPU accounting of each process (/proc/<pid>/stat utime + stime, threads included).

export interface MediaSnapshot {
  at: number;
  sessionsActive: number;
  sessionsStarted: number;
  sent: number;
  received: number;
  lost: number;
  /** Send jitter: cumulative count at or below each edge (seconds), then total and sum. */
  jitterBuckets: { le: number; count: number }[];
  jitterCount: number;
  jitterSumS: number;
}

export async function scrapeMedia(url: string): Promise<MediaSnapshot> {
  const at = performance.now();
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const families = parsePrometheusTextFormat(await response.text());
  const value = (name: string) => {
    const family = families.find((f) => f.name === name);
    if (!family) throw new Error(`/metrics has no ${name}`);
    return Number((family.metrics[0] as { value: string }).value);
  };
  const jitter = families.find((f) => f.name === 'habla_rtp_send_jitter_seconds')?.metrics[0] as
    | { buckets: Record<string, string>; count: string; sum: string }
    | undefined;
  if (!jitter) throw new Error('/metrics has no habla_rtp_send_jitter_seconds');
  return {
    at,
    sessionsActive: value('habla_rtp_sessions_active'),
    sessionsStarted: value('habla_rtp_sessions_total'),
    sent: value('habla_rtp_packets_sent_total'),
    received: value('habla_rtp_packets_received_total'),
    lost: value('habla_rtp_packets_lost_total'),
    jitterBuckets: Object.entries(jitter.buckets)
      .filter(([le]) => le !== '+Inf')
      .map(([le, n]) => ({ le: Number(le), count: Number(n) }))
      .sort((a, b) => a.le - b.le),
    jitterCount: Number(jitter.count),
    jitterSumS: Number(jitter.sum),
  };
}

export interface MediaWindow {
  seconds: number;
  setupsPerS: number;
  sent: number;
  received: number;
  lost: number;
  jitterCount: number;
  jitterMeanMs: number;
  /** Upper bucket edge (ms) holding the quantile; Infinity above the last edge. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  /** Share of packets sent within the edge (for the target: p99 < 5 ms ⇔ within5ms ≥ 0.99). */
  withinMs(edgeMs: number): number;
}

export function mediaWindow(a: MediaSnapshot, b: MediaSnapshot): MediaWindow {
  const seconds = (b.at - a.at) / 1000;
  const count = b.jitterCount - a.jitterCount;
  const buckets = b.jitterBuckets.map((bucket, i) => ({ leMs: bucket.le * 1000, count: bucket.count - a.jitterBuckets[i]!.count }));
  const quantile = (q: number) => {
    const rank = Math.ceil(q * count);
    return buckets.find((bucket) => bucket.count >= rank)?.leMs ?? Infinity;
  };
  return {
    seconds,
    setupsPerS: (b.sessionsStarted - a.sessionsStarted) / seconds,
    sent: b.sent - a.sent,
    received: b.received - a.received,
    lost: b.lost - a.lost,
    jitterCount: count,
    jitterMeanMs: count > 0 ? ((b.jitterSumS - a.jitterSumS) / count) * 1000 : NaN,
    jitterP50Ms: count > 0 ? quantile(0.5) : NaN,
    jitterP99Ms: count > 0 ? quantile(0.99) : NaN,
    withinMs: (edgeMs) => {
      const bucket = buckets.find((x) => Math.abs(x.leMs - edgeMs) < 1e-9);
      if (!bucket) throw new Error(`no ${edgeMs} ms bucket`);
      return count > 0 ? bucket.count / count : NaN;
    },
  };
}

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (ms, user + system, all threads) the process has used so far; NaN once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** The whole machine: busy and total CPU time (ms, all cores) so far, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: (busy * 1000) / CLOCK_TICKS_PER_S, total: ((busy + idle! + iowait!) * 1000) / CLOCK_TICKS_PER_S };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
