// The boundary between the API and whatever places calls: SipCallEngine in a running server,
// a recording double in HTTP tests.

export interface OutboundCallOrder {
  callId: string;
  projectId: string;
  phoneId: string;
  fromNumber: string;
  toNumber: string;
  agentVersionId: string;
  dynamicVariables: Record<string, unknown>;
}

export type HangupOutcome = 'hung_up' | 'not_live';

export interface CallEngine {
  /** Written into the calls this engine drives, so crash recovery knows which are its own. */
  readonly instanceId: string | null;
  /** Takes ownership of a call already stored as `dialing`. Must not throw for call failures:
   *  it reports them by moving the call to a terminal status. */
  placeOutboundCall(order: OutboundCallOrder): Promise<void>;
  /** Hangs up a live call this process drives; resolves once the call is terminal in the store. */
  hangup(callId: string, reason: 'api_hangup'): Promise<HangupOutcome>;
  /** Hangs up live calls; resolves when every call it owns is terminal. */
  close(reason: string): Promise<void>;
}
