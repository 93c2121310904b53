/**
 * Receiver-side packet index estimation, RFC 3711 §3.3.1 and Appendix A: guess the ROC the
 * sender used from the highest sequence number seen (s_l) and the current ROC, picking
 * whichever of ROC-1, ROC, ROC+1 puts the packet closest to s_l.
 */
export interface IndexGuess {
  roc: number; // may be -1: a packet from before the stream's first one
  index: number;
}

export function estimateIndex(seq: number, highestSeq: number, roc: number): IndexGuess {
  let guess = roc;
  if (highestSeq < 32768) {
    if (seq - highestSeq > 32768) guess = roc - 1;
  } else if (highestSeq - 32768 > seq) {
    guess = roc + 1;
  }
  return { roc: guess, index: guess * 65536 + seq };
}

/** 2^48 packets is the SRTP lifetime of one master key (RFC 3711 §9.2). */
export const MAX_RTP_INDEX = 2 ** 48 - 1;
