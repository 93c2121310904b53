/**
 * Cold transfer by SIP REFER (RFC 3515). The leg (call-leg.ts) builds the REFER and answers the
 * NOTIFYs; what a target becomes on the wire, what a NOTIFY's sipfrag means and the wait for
 * the outcome live here.
 */
import type { SipEndpoint } from '../sip/endpoint.ts';
import type { SipTarget } from '../sip/endpoint-types.ts';
import { bodyText, getHeader, type SipRequest } from '../sip/message.ts';
import type { LegEvent } from './types.ts';

export type TransferResult = { ok: true } | { ok: false; reason: string };

/** How long a transfer may take, REFER to final NOTIFY, before we keep the call ourselves. */
export const TRANSFER_TIMEOUT_MS = 15_000;

/**
 * The Refer-To URI for a target: a sip:/sips: URI as given, an E.164 number (optionally with a
 * PBX extension after `#`) as a user at the host our calls go to. `#` is not allowed raw in a
 * URI user part (RFC 3261 §25.1), so it is escaped.
 */
export function referTargetUri(target: string, host: string): string | undefined {
  const trimmed = target.trim();
  if (/^sips?:/i.test(trimmed)) return /[\s<>"]/.test(trimmed) ? undefined : trimmed;
  if (!/^\+?[0-9]{2,20}(#[0-9*#]{1,16})?$/.test(trimmed)) return undefined;
  return `sip:${trimmed.replace(/#/g, '%23')}@${host}`;
}

export interface ReferNotify {
  /** The status code of the sipfrag's status line; undefined when the body has none. */
  readonly status?: number;
  /** Subscription-State: terminated — no more NOTIFYs will come. */
  readonly terminated: boolean;
}

/** Reads a NOTIFY for a refer subscription; undefined when it is for another event package. */
export function readReferNotify(request: SipRequest): ReferNotify | undefined {
  const event = (getHeader(request, 'Event') ?? '').trim().toLowerCase();
  if (!event.startsWith('refer')) return undefined;
  const state = (getHeader(request, 'Subscription-State') ?? '').trim().toLowerCase();
  return { status: sipfragStatus(bodyText(request)), terminated: state.startsWith('terminated') };
}

/** `SIP/2.0 200 OK` → 200 (the first line of a message/sipfrag body). */
export function sipfragStatus(body: string): number | undefined {
  const match = /^\s*SIP\/2\.0\s+([1-6][0-9]{2})\b/.exec(body);
  return match ? Number(match[1]) : undefined;
}

/** What a refer NOTIFY decides: undefined while the target call is still in progress (1xx). */
export function transferVerdict(notify: ReferNotify): TransferResult | undefined {
  const status = notify.status;
  if (status !== undefined && status >= 200 && status < 300) return { ok: true };
  if (status !== undefined && status >= 300) return { ok: false, reason: `target_status_${status}` };
  if (notify.terminated) return { ok: false, reason: 'subscription_terminated' };
  return undefined;
}

export interface ReferExchange {
  endpoint: Pick<SipEndpoint, 'sendRequest'>;
  request: SipRequest;
  peer: SipTarget;
  signal: AbortSignal;
  emit(event: LegEvent): void;
  /** The leg keeps `settle` while the transfer is pending (NOTIFYs and its end call it) and gets undefined after. */
  waiting(settle: ((result: TransferResult) => void) | undefined): void;
}

/**
 * Whether a failed REFER never started a transfer, so dialing the target ourselves (the INVITE
 * fallback) cannot ring it twice: the peer answered the REFER with a final error (405/501 "no
 * transfers here", 403 "not allowed", 420, 488, a 401/407 we do not answer, …), never answered
 * it (`refer_timeout`) or could not be reached (`refer_transport_error`). Not refused: 481 (the
 * dialog is gone, nobody is left to bridge), and everything after a 2xx to the REFER — a NOTIFY
 * reporting the target busy or failing, a subscription that ended, or a timeout after the peer
 * accepted (it may still be ringing the target).
 */
export function referRefused(reason: string): boolean {
  if (reason === 'refer_timeout' || reason === 'refer_transport_error') return true;
  const match = /^refer_rejected_([3-6][0-9]{2})$/.exec(reason);
  return match !== null && match[1] !== '481';
}

/**
 * Sends the REFER and resolves once: a final error to it, the verdict the leg passes in from a
 * NOTIFY, TRANSFER_TIMEOUT_MS without one, or `signal` aborting (we stop waiting; the peer may
 * still act on the REFER). A timeout before any final answer to the REFER is `refer_timeout`
 * (the peer ignored it); after a 2xx it is `transfer_timeout` (the peer is still at it).
 */
export function sendRefer(exchange: ReferExchange): Promise<TransferResult> {
  const { endpoint, request, peer, signal, emit } = exchange;
  return new Promise<TransferResult>((resolve) => {
    let pending = true;
    let accepted = false;
    const timer = setTimeout(() => settle({ ok: false, reason: accepted ? 'transfer_timeout' : 'refer_timeout' }), TRANSFER_TIMEOUT_MS);
    timer.unref();
    const onAbort = () => settle({ ok: false, reason: 'cancelled' });
    function settle(result: TransferResult): void {
      if (!pending) return;
      pending = false;
      exchange.waiting(undefined);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    }
    exchange.waiting(settle);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    emit({ event: 'transfer_requested' });
    const sent = endpoint.sendRequest(request, peer, {
      onResponse: (response) => {
        if (response.status >= 300) return settle({ ok: false, reason: `refer_rejected_${response.status}` });
        if (response.status < 200) return;
        accepted = true;
        emit({ event: 'transfer_accepted', data: { status_code: response.status } });
      },
      onFailure: (reason) => settle({ ok: false, reason: `refer_${reason}` }),
    });
    if (!sent) settle({ ok: false, reason: 'refer_not_sent' });
  });
}
