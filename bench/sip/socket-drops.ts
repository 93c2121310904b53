import { kernelSockets } from '../../test/helpers/ports.ts';

// The kernel counts, per UDP socket, the datagrams it threw away because the socket's receive
// buffer was full (/proc/net/udp{,6}, last column "drops"). bench:sip reads it to say where a
// lost packet was lost: in SIPp's one echo socket (the load generator fell behind) or in one of
// Habla's per-call RTP sockets (Habla fell behind).

/** Sum of the drop counters of every open UDP socket whose local port passes `wanted`. */
export function udpDrops(wanted: (port: number) => boolean): number {
  return kernelSockets('udp').filter((socket) => wanted(socket.port)).reduce((sum, socket) => sum + socket.drops, 0);
}

export interface DropCounts {
  /** SIPp's echo socket: it lives for the whole step, so the window's difference is exact. */
  sipp: number;
  /**
   * Habla's RTP sockets open at the window's end (a socket's count goes with it when its call
   * ends, so this is a lower bound for the window; calls last a few seconds).
   */
  habla: number;
}

export function readDrops(sippPort: number, hablaPorts: { min: number; max: number }): DropCounts {
  return {
    sipp: udpDrops((port) => port === sippPort),
    habla: udpDrops((port) => port >= hablaPorts.min && port <= hablaPorts.max),
  };
}
