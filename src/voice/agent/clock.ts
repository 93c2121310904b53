// The call's time line: ms since the voice application started, which is when the call's
// media started (the answer) and so what the recording counts from.

export interface AgentClock {
  /** ms since the call's media started (sub-ms precision). */
  now(): number;
  /** The wall-clock time of a `now()` value, ISO 8601. */
  wallClock(ms: number): string;
  /** The epoch ms (fractions kept) of a `now()` value: span times in the call's trace. */
  epochMs(ms: number): number;
}

export function startAgentClock(): AgentClock {
  const origin = performance.now();
  const wallOrigin = Date.now();
  return {
    now: () => performance.now() - origin,
    wallClock: (ms) => new Date(wallOrigin + ms).toISOString(),
    epochMs: (ms) => wallOrigin + ms,
  };
}
