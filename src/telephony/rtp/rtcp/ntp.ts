/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export interface NtpTimestamp {
  seconds: number; // unsigned 32-bit; wraps in 2036 as the format does
  fraction: number; // unsigned 32-bit, units of 2^-32 s
}

export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  const totalSeconds = Math.floor(unixMs / 1000);
  const remainderMs = unixMs - totalSeconds * 1000;
  return {
    seconds: (totalSeconds + NTP_UNIX_OFFSET_S) >>> 0,
    fraction: Math.min(0xffffffff, Math.floor((remainderMs / 1000) * 2 ** 32)) >>> 0,
  };
}

/** The "compact" NTP form used by LSR: low 16 bits of seconds, high 16 bits of fraction. */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}
