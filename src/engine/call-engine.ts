// The boundary between the API and whatever places calls. The SIP telephony issue
// implements it; until then the server runs with UnavailableCallEngine.

export interface OutboundCallOrder {
  callId: string;
  projectId: string;
  phoneId: string;
  fromNumber: string;
  toNumber: string;
  agentVersionId: string;
  dynamicVariables: Record<string, unknown>;
}

export interface CallEngine {
  /** Takes ownership of a call already stored as `dialing`. Must not throw for call failures:
   *  it reports them by moving the call to a terminal status. */
  placeOutboundCall(order: OutboundCallOrder): Promise<void>;
  /** Hangs up live calls; resolves when every call it owns is terminal. */
  close(reason: string): Promise<void>;
}

/** What the ending of a call the engine could not place looks like in the store. */
export interface CallTerminator {
  endCall(callId: string, status: 'failed' | 'no_answer' | 'completed', endReason: string): Promise<void>;
}

/** No telephony configured: every call ends at once as failed, so none stays `dialing`. */
export class UnavailableCallEngine implements CallEngine {
  constructor(private readonly calls: CallTerminator) {}

  async placeOutboundCall(order: OutboundCallOrder): Promise<void> {
    await this.calls.endCall(order.callId, 'failed', 'telephony_unavailable');
  }

  async close(): Promise<void> {}
}
