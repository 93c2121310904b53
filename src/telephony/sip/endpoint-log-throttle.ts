/**
 * At most one log line per key and interval, so a flood of garbage costs one line a second
 * instead of filling the disk; the next line says how many were left out.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs = 1_000, private readonly maxKeys = 1_000) {}

  /** undefined: stay quiet; otherwise log, mentioning `suppressed` earlier occurrences. */
  admit(key: string, now: number): { suppressed: number } | undefined {
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    if (!entry && this.last.size >= this.maxKeys) this.last.delete(this.last.keys().next().value as string);
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    return { suppressed };
  }
}
