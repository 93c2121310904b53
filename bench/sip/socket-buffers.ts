import fs from 'node:fs';

// SIPp echoes every call's RTP on one socket (-rtp_echo on -mp): at 300 calls that is 15,000
// packets/s in and out of one socket, and Linux's default receive buffer (net.core.rmem_default,
// 208 KiB, ~15 ms of them) overflows whenever the SIPp thread misses a slice on a busy 2-core box.
// Measured with `ss -u -m` during a 50 calls/s step: SIPp's media socket dropped 945 datagrams,
// every one of Habla's per-call sockets (50 packets/s each) none. The load generator's loss is
// not Habla's, so the bench raises the default for its run and puts it back afterwards.

const SYSCTL = '/proc/sys/net/core/rmem_default';
const WANTED_BYTES = 16 * 1024 * 1024;

export interface BufferChange {
  /** What the bench did, for the report. */
  description: string;
  restore(): void;
}

export function raiseDefaultReceiveBuffer(): BufferChange {
  let before: string;
  try {
    before = fs.readFileSync(SYSCTL, 'utf8').trim();
  } catch {
    return { description: `${SYSCTL} unreadable: SIPp's echo socket keeps the default buffer, and may drop at high rates`, restore() {} };
  }
  if (Number(before) >= WANTED_BYTES) return { description: `net.core.rmem_default ${before} (left as it is)`, restore() {} };
  try {
    fs.writeFileSync(SYSCTL, String(WANTED_BYTES));
  } catch {
    return { description: `net.core.rmem_default ${before} (not root: SIPp's echo socket may drop at high rates, counted as loss)`, restore() {} };
  }
  const restore = () => fs.writeFileSync(SYSCTL, before);
  // An interrupted bench must not leave the machine changed.
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    description: `net.core.rmem_default raised ${before} → ${WANTED_BYTES} for the run (SIPp's one echo socket carries every call; restored after)`,
    restore: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      restore();
    },
  };
}
