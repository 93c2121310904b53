/**
 * Property tests: whatever arrives from the network, and in whatever order the TU and the
 * timers act, the manager never throws and the shell's view stays consistent — no timer armed
 * twice, no timer set in the past, none left armed by a transaction that reported its end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SipMessage, SipRequest } from '../message.ts';
import { parseMessage } from '../parser.ts';
import { serializeMessage } from '../serializer.ts';
import type { ManagerEvent } from './events.ts';
import { TransactionManager } from './manager.ts';
import { UDP_PEER, request, response } from './test-support.ts';
import type { TimerName } from './types.ts';

const TIMERS: TimerName[] = ['A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'trying', 'cancel'];
const TYPES = new Set(['send', 'startTimer', 'cancelTimer', 'deliver', 'transportError', 'terminated', 'cancel', 'stray', 'dropped']);
const BRANCHES = ['z9hG4bKnashds8', 'z9hG4bKtest1', 'z9hG4bKtest2', 'z9hG4bKother'];
const METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'];
const NASTY = ['', ' ', 'x', ';', 'SIP/2.0/UDP', 'SIP/2.0/UDP h;branch=', 'SIP/2.0/UDP h;branch=z9hG4bKnashds8', '1', '99999999999 INVITE', '314159 invite', '\0', 'é', '<>', ';;;'];

const op = fc.oneof(
  fc.record({ kind: fc.constant('fire' as const) }),
  fc.record({ kind: fc.constant('stale' as const), tx: fc.nat(), timer: fc.constantFrom(...TIMERS) }),
  fc.record({
    kind: fc.constant('receive' as const), method: fc.constantFrom(...METHODS), branch: fc.constantFrom(...BRANCHES),
    status: fc.option(fc.integer({ min: 0, max: 800 })), cseq: fc.constantFrom(314159, 1, 231),
    header: fc.option(fc.tuple(fc.constantFrom('Via', 'CSeq', 'To', 'Call-ID'), fc.oneof(fc.constantFrom(...NASTY), fc.string()))),
  }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ kind: fc.constant('respond' as const), tx: fc.nat(), status: fc.integer({ min: 0, max: 800 }) }),
  fc.record({ kind: fc.constantFrom('transportError' as const, 'cancel' as const, 'answerCancel' as const), tx: fc.nat() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
);

interface ReceiveOp {
  readonly method: string;
  readonly branch: string;
  readonly status: number | null;
  readonly cseq: number;
  readonly header: [string, string] | null;
}

function hostile(o: ReceiveOp): SipMessage {
  const req = request({ method: o.method, branch: o.branch, cseq: o.cseq });
  const msg: SipMessage = o.status === null ? req : { ...response(req, 200), status: o.status };
  if (!o.header) return msg;
  const [name, value] = o.header;
  return { ...msg, headers: msg.headers.map((h) => (h.name === name ? { ...h, value } : h)) };
}

describe('transaction layer under hostile input (fast-check)', () => {
  it('never throws and keeps the timer bookkeeping consistent', () => {
    const seen = new Map<string, number>();
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let n = 0;
      const manager = new TransactionManager({ generateBranch: () => `z9hG4bKtest${++n}` });
      const armed = new Map<string, { tx: string; timer: TimerName; at: number }>();
      const ids: string[] = [];
      let now = 0;
      const apply = (events: readonly ManagerEvent[]) => {
        for (const e of events) {
          assert.ok(TYPES.has(e.type), e.type);
          seen.set(e.type, (seen.get(e.type) ?? 0) + 1);
          if (!('tx' in e) || e.tx === undefined) continue;
          if (!ids.includes(e.tx)) ids.push(e.tx);
          const key = `${e.tx}|${'timer' in e ? e.timer : ''}`;
          if (e.type === 'startTimer') {
            assert.ok(!armed.has(key), `armed twice: ${key}`);
            assert.ok(e.at >= now, 'timer in the past');
            armed.set(key, { tx: e.tx, timer: e.timer, at: e.at });
          } else if (e.type === 'cancelTimer') {
            assert.ok(armed.delete(key), `cancelled but not armed: ${key}`);
          } else if (e.type === 'terminated') {
            assert.deepEqual([...armed.values()].filter((t) => t.tx === e.tx), [], 'timers outlive their transaction');
          }
        }
      };
      const pick = (i: number) => ids[i % Math.max(ids.length, 1)] ?? 'none';
      // A client INVITE and BYE to answer, so responses have something to hit.
      for (const method of ['INVITE', 'BYE']) {
        const sent = manager.send(request({ method, branch: `z9hG4bKtest${method.length}` }), UDP_PEER, 0);
        if (sent.ok) apply(sent.value.events);
      }
      for (const o of ops) {
        switch (o.kind) {
          case 'fire': {
            const next = [...armed.entries()].sort((a, b) => a[1].at - b[1].at)[0];
            if (!next) break;
            armed.delete(next[0]);
            now = Math.max(now, next[1].at);
            apply(manager.onTimer(next[1].tx, next[1].timer, now));
            break;
          }
          case 'stale': {
            const tx = pick(o.tx);
            const key = `${tx}|${o.timer}`;
            if (armed.has(key)) break; // that would be a real firing, covered by 'fire'
            assert.deepEqual(manager.onTimer(tx, o.timer, now), []);
            break;
          }
          case 'receive': apply(manager.receive(hostile(o), UDP_PEER, now)); break;
          case 'bytes': {
            const parsed = parseMessage(o.bytes);
            if (parsed.ok) apply(manager.receive(parsed.value, UDP_PEER, now));
            break;
          }
          case 'respond': {
            const tx = manager.get(pick(o.tx));
            const req = tx && 'request' in tx ? tx.request : request();
            apply(manager.respond(pick(o.tx), { ...response(req as SipRequest, 200), status: o.status }, now));
            break;
          }
          case 'transportError': apply(manager.transportError(pick(o.tx))); break;
          case 'cancel': { const r = manager.cancel(pick(o.tx), now); if (r.ok) apply(r.value); break; }
          case 'answerCancel': apply(manager.answerCancel(pick(o.tx), now).events); break;
          case 'wait': now += o.ms; break;
        }
      }
    }), { numRuns: 400 });
    // The runs reached deep states, not just the drop path.
    for (const type of ['send', 'deliver', 'terminated', 'cancel', 'stray', 'dropped']) assert.ok((seen.get(type) ?? 0) > 0, type);
  });

  it('everything the layer sends serialises and parses back', () => {
    const manager = new TransactionManager();
    const sent = manager.send(request(), UDP_PEER, 0);
    assert.ok(sent.ok);
    const invite = sent.value.request;
    const events = [
      ...manager.receive(response(invite, 486, 'Busy Here'), UDP_PEER, 10),
      ...manager.receive(request({ branch: 'z9hG4bKin' }), UDP_PEER, 10),
    ];
    const cancel = manager.receive(request({ method: 'CANCEL', branch: 'z9hG4bKin' }), UDP_PEER, 20);
    const cancelTx = cancel.find((e) => e.type === 'cancel');
    assert.ok(cancelTx && cancelTx.type === 'cancel');
    events.push(...manager.answerCancel(cancelTx.tx, 20).events, ...manager.onTimer('z9hG4bKin pc33.atlanta.com:5060 INVITE', 'trying', 200));
    const sends = events.filter((e) => e.type === 'send');
    assert.ok(sends.length >= 3);
    for (const e of sends) {
      if (e.type !== 'send') continue;
      const back = parseMessage(serializeMessage(e.message));
      assert.ok(back.ok, back.ok ? '' : back.error.message);
    }
  });
});
