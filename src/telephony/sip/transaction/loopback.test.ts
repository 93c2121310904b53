/**
 * A UAC manager and a UAS manager talking through serialised UDP datagrams on a fake clock,
 * with chosen datagrams lost: retransmission timers must recover every loss, each TU must see
 * each message once, and both sides must end with no transaction left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipMessage, SipRequest } from '../message.ts';
import { parseMessage } from '../parser.ts';
import { serializeMessage } from '../serializer.ts';
import type { ManagerEvent } from './events.ts';
import { TransactionManager } from './manager.ts';
import { request, response } from './test-support.ts';
import type { Destination, TimerName } from './types.ts';

type Side = 'uac' | 'uas';
const ADDRESS: Record<Side, Destination> = {
  uac: { transport: 'UDP', host: '192.0.2.1', port: 5060 },
  uas: { transport: 'UDP', host: '192.0.2.2', port: 5060 },
};
const LATENCY = 10;

class Network {
  now = 0;
  readonly managers = { uac: new TransactionManager(), uas: new TransactionManager() };
  readonly tu: Record<Side, ManagerEvent[]> = { uac: [], uas: [] };
  readonly wire: { at: number; from: Side; text: string; lost: boolean }[] = [];
  private queue: { at: number; run: () => void }[] = [];
  private readonly armed = new Map<string, number>();

  constructor(private readonly lose: (from: Side, message: SipMessage, index: number) => boolean) {}

  apply(side: Side, events: readonly ManagerEvent[]): void {
    for (const e of events) {
      if (e.type === 'send') this.transmit(side, e.message);
      else if (e.type === 'startTimer') {
        const key = `${side}|${e.tx}|${e.timer}`;
        this.armed.set(key, e.at);
        this.at(e.at, () => {
          if (this.armed.get(key) !== e.at) return; // cancelled or re-armed since
          this.armed.delete(key);
          this.apply(side, this.managers[side].onTimer(e.tx, e.timer as TimerName, this.now));
        });
      } else if (e.type === 'cancelTimer') this.armed.delete(`${side}|${e.tx}|${e.timer}`);
      else this.tu[side].push(e);
    }
  }

  at(at: number, run: () => void): void {
    this.queue.push({ at, run });
  }

  run(until: number): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > until) break;
      this.queue.shift();
      this.now = next.at;
      next.run();
    }
    this.now = until;
  }

  delivered(side: Side): SipMessage[] {
    return this.tu[side].flatMap((e) => (e.type === 'deliver' || e.type === 'cancel' ? [e.message] : []));
  }

  private transmit(from: Side, message: SipMessage): void {
    const bytes = serializeMessage(message);
    const lost = this.lose(from, message, this.wire.length);
    this.wire.push({ at: this.now, from, text: bytes.toString().split('\r\n')[0], lost });
    if (lost) return;
    const to: Side = from === 'uac' ? 'uas' : 'uac';
    this.at(this.now + LATENCY, () => {
      const parsed = parseMessage(bytes);
      assert.ok(parsed.ok);
      this.apply(to, this.managers[to].receive(parsed.value, ADDRESS[from], this.now));
    });
  }
}

const label = (m: SipMessage) => (m.kind === 'request' ? m.method : m.status);

describe('two managers over a lossy UDP link', () => {
  it('recovers a lost INVITE and a lost 486; each TU sees each message once', () => {
    const net = new Network((_, __, index) => index === 0 || index === 3);
    const sent = net.managers.uac.send(request({ sentBy: '192.0.2.1' }), ADDRESS.uas, 0);
    assert.ok(sent.ok);
    net.apply('uac', sent.value.events);
    net.run(600); // the first INVITE was lost; timer A resent it at 500
    const [incoming] = net.tu.uas;
    assert.ok(incoming.type === 'deliver' && 'tx' in incoming);
    net.apply('uas', net.managers.uas.respond(incoming.tx, response(incoming.message as SipRequest, 180, 'Ringing'), net.now));
    net.run(3_000);
    net.apply('uas', net.managers.uas.respond(incoming.tx, response(incoming.message as SipRequest, 486, 'Busy Here'), net.now));
    net.run(60_000);

    assert.deepEqual(net.wire.map((w) => [w.at, w.from, w.text.split(' ')[0] === 'SIP/2.0' ? w.text.split(' ')[1] : w.text.split(' ')[0], w.lost]), [
      [0, 'uac', 'INVITE', true],
      [500, 'uac', 'INVITE', false],
      [600, 'uas', '180', false],
      [3000, 'uas', '486', true], // lost: timer G resends it after T1
      [3500, 'uas', '486', false],
      [3510, 'uac', 'ACK', false],
    ]);
    assert.deepEqual(net.delivered('uas').map(label), ['INVITE']);
    assert.deepEqual(net.delivered('uac').map(label), [180, 486]);
    assert.equal(net.managers.uac.size + net.managers.uas.size, 0);
    assert.deepEqual(net.tu.uac.filter((e) => e.type === 'terminated').map((e) => e.type === 'terminated' && e.reason), ['completed']);
  });

  it('CANCEL of a ringing call: 200 for the CANCEL, 487 and its ACK for the INVITE', () => {
    const net = new Network(() => false);
    const sent = net.managers.uac.send(request({ sentBy: '192.0.2.1' }), ADDRESS.uas, 0);
    assert.ok(sent.ok);
    net.apply('uac', sent.value.events);
    net.run(300); // the UAS TU is slow: its transaction sends 100 Trying at 210
    const [incoming] = net.tu.uas;
    assert.ok(incoming.type === 'deliver' && 'tx' in incoming);
    net.apply('uas', net.managers.uas.respond(incoming.tx, response(incoming.message as SipRequest, 180, 'Ringing'), net.now));
    net.run(5_000);
    const cancelled = net.managers.uac.cancel(sent.value.id, net.now);
    assert.ok(cancelled.ok);
    net.apply('uac', cancelled.value);
    net.run(5_020);
    const cancel = net.tu.uas.find((e) => e.type === 'cancel');
    assert.ok(cancel?.type === 'cancel' && cancel.target === incoming.tx);
    const answer = net.managers.uas.answerCancel(cancel.tx, net.now);
    assert.equal(answer.cancelled, true);
    net.apply('uas', answer.events);
    net.run(60_000);
    assert.deepEqual(net.wire.map((w) => w.text), [
      'INVITE sip:bob@biloxi.com SIP/2.0', 'SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'CANCEL sip:bob@biloxi.com SIP/2.0',
      'SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated', 'ACK sip:bob@biloxi.com SIP/2.0',
    ]);
    assert.deepEqual(net.delivered('uac').map(label), [100, 180, 200, 487]);
    assert.equal(net.managers.uac.size + net.managers.uas.size, 0);
  });
});
