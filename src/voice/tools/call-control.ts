// What the agent's call tools need from the call itself, beyond its audio. The engine
// implements it (a cold transfer is a SIP REFER, or — when the trunk refuses REFER — a call to
// the target that Habla bridges itself: telephony work); voice code only calls it.

export interface TransferRequest {
  /** E.164 number, optionally with a PBX extension (`+34910000000#1234`), from the tool's configuration. */
  target: string;
  /** `transfer`: cold transfer (SIP REFER, falling back to Habla's own INVITE and bridge). `invite`: Habla dials the target and bridges it in. */
  mode: 'transfer' | 'invite';
}

export type TransferOutcome =
  /** The call now belongs to the target: handed over (REFER) or bridged; either way it ends `transferred`. */
  | { status: 'transferred' }
  /** The transfer did not happen (refused, no answer, not configured); the agent keeps the call. */
  | { status: 'failed'; reason: string };

export interface CallControl {
  /**
   * Resolves once the transfer is accepted or has failed. Aborting `signal` gives up waiting for
   * a REFER's outcome; a target Habla is dialing itself is waited for (until answer, failure, the
   * ring timeout or the end of the call).
   */
  transfer(request: TransferRequest, signal: AbortSignal): Promise<TransferOutcome>;
}
