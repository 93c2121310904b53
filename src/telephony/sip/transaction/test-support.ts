/**
 * Test helpers: RFC 3261 §24-style messages built from wire text, and a fake-clock driver that
 * plays the shell's part (records sends, arms timers, fires them in time order).
 */
import assert from 'node:assert/strict';
import type { SipMessage, SipRequest, SipResponse } from '../message.ts';
import { parseMessage } from '../parser.ts';
import { createResponse } from '../response.ts';
import type { Action, Destination, TerminationReason, TimerName } from './types.ts';

export const UDP_PEER: Destination = { transport: 'UDP', host: '192.0.2.4', port: 5060 };
export const TCP_PEER: Destination = { transport: 'TCP', host: '192.0.2.4', port: 5060 };

export function parse(text: string): SipMessage {
  const parsed = parseMessage(Buffer.from(text.replace(/\n/g, '\r\n')));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}

export interface RequestOptions {
  readonly method?: string;
  readonly branch?: string;
  readonly transport?: string;
  readonly cseq?: number;
  readonly sentBy?: string;
  readonly extraHeaders?: string;
}

/** Alice's INVITE to Bob from RFC 3261 §24.2 (F1), with a Route added to check ACK/CANCEL copies it. */
export function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? 'INVITE';
  const branch = options.branch ?? 'z9hG4bKnashds8';
  const via = `SIP/2.0/${options.transport ?? 'UDP'} ${options.sentBy ?? 'pc33.atlanta.com'};branch=${branch}`;
  const message = parse(`${method} sip:bob@biloxi.com SIP/2.0
Via: ${via}
Route: <sip:proxy.atlanta.com;lr>
Max-Forwards: 70
To: Bob <sip:bob@biloxi.com>
From: Alice <sip:alice@atlanta.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: ${options.cseq ?? 314159} ${method}
Contact: <sip:alice@pc33.atlanta.com>
${options.extraHeaders ?? ''}
`);
  assert.equal(message.kind, 'request');
  return message as SipRequest;
}

export function response(req: SipRequest, status: number, reason = 'Whatever', toTag: string | undefined = 'a6c85cf'): SipResponse {
  return createResponse(req, status, reason, { toTag: status === 100 ? undefined : toTag });
}

export interface Sent {
  readonly at: number;
  readonly message: SipMessage;
  readonly to: Destination;
  readonly retransmission: boolean;
  readonly tx?: string;
}

type Event = Action & { readonly tx?: string };

/** Plays the shell: applies actions, keeps armed timers and fires them in order on `advance`. */
export class Driver {
  now = 0;
  readonly sent: Sent[] = [];
  readonly delivered: SipMessage[] = [];
  readonly terminated: { tx?: string; reason: TerminationReason; at: number }[] = [];
  readonly others: object[] = [];
  private readonly timers = new Map<string, { tx?: string; timer: TimerName; at: number }>();

  constructor(private readonly fire: (timer: TimerName, now: number, tx?: string) => readonly object[]) {}

  apply(events: readonly object[]): this {
    for (const e of events as Event[]) {
      const key = `${e.tx ?? ''}|${'timer' in e ? e.timer : ''}`;
      switch (e.type) {
        case 'send': this.sent.push({ at: this.now, message: e.message, to: e.to, retransmission: e.retransmission === true, tx: e.tx }); break;
        case 'startTimer':
          assert.ok(!this.timers.has(key), `timer ${key} armed twice`);
          assert.ok(e.at >= this.now, `timer ${key} set in the past`);
          this.timers.set(key, { tx: e.tx, timer: e.timer, at: e.at });
          break;
        case 'cancelTimer': this.timers.delete(key); break;
        case 'deliver': this.delivered.push(e.message); break;
        case 'terminated': this.terminated.push({ tx: e.tx, reason: e.reason, at: this.now }); break;
        default: this.others.push(e);
      }
    }
    return this;
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): this {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      this.apply(this.fire(next[1].timer, this.now, next[1].tx));
    }
    this.now = until;
    return this;
  }

  armed(): string[] {
    return [...this.timers.values()].map((t) => t.timer).sort();
  }

  sendTimes(filter: (s: Sent) => boolean = () => true): number[] {
    return this.sent.filter(filter).map((s) => s.at);
  }
}

export function isRequest(message: SipMessage, method?: string): message is SipRequest {
  return message.kind === 'request' && (method === undefined || message.method === method);
}

export function statusOf(message: SipMessage): number | undefined {
  return message.kind === 'response' ? message.status : undefined;
}
