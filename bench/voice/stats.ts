import { availableParallelism, loadavg } from 'node:os';

// Small figures helpers shared by the bench:voice parts.

export const fmt = (v: number, digits = 1): string => v.toFixed(digits);

/** p-th percentile of an ascending array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summary(values: readonly number[]): { p50: number; p95: number; p99: number; max: number; min: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], min: sorted[0] };
}

export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** The machine's 1-minute load average, with a warning when others keep the cores busy. */
export function loadLine(): string {
  const load = loadavg()[0];
  const cores = availableParallelism();
  const warn = load > cores * 0.5 ? `  WARNING: other processes keep ${fmt(load)} of ${cores} cores busy; timing figures will be worse than on a quiet machine` : '';
  return `load average ${fmt(load)} on ${cores} cores${warn}`;
}
