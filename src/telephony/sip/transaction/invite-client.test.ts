import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeader, getHeaders, type SipRequest } from '../message.ts';
import { InviteClientTransaction } from './invite-client.ts';
import { Driver, TCP_PEER, UDP_PEER, isRequest, request, response } from './test-support.ts';
import type { Destination, TimerConfig } from './types.ts';

function setup(to: Destination = UDP_PEER, config: Partial<TimerConfig> = {}) {
  const invite = request();
  const tx = new InviteClientTransaction(invite, to, config);
  const driver = new Driver((timer, now) => tx.onTimer(timer, now));
  driver.apply(tx.start(0));
  return { invite, tx, driver };
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('retransmits on timer A with doubling intervals and times out on timer B after 64*T1', () => {
    const { tx, driver } = setup();
    driver.advance(40_000);
    // Sent at 0, then A fires after 500, 1000, 2000, 4000, 8000, 16000 ms: no T2 cap for INVITE.
    assert.deepEqual(driver.sendTimes(), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.ok(driver.sent.slice(1).every((s) => s.retransmission && s.message === tx.request));
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'timeout', at: 32_000 }]);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(driver.armed(), []);
  });

  it('follows a configured T1', () => {
    const { driver } = setup(UDP_PEER, { t1: 100 });
    driver.advance(10_000);
    assert.deepEqual(driver.sendTimes(), [0, 100, 300, 700, 1500, 3100, 6300]);
    assert.equal(driver.terminated[0].at, 6_400);
  });

  it('does not retransmit over TCP, but still times out', () => {
    const { driver } = setup(TCP_PEER);
    driver.advance(40_000);
    assert.deepEqual(driver.sendTimes(), [0]);
    assert.equal(driver.terminated[0].reason, 'timeout');
  });

  it('a provisional response stops retransmissions and timer B; every 1xx goes to the TU', () => {
    const { invite, tx, driver } = setup();
    driver.advance(600);
    driver.apply(tx.receive(response(invite, 100, 'Trying'), driver.now));
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(driver.armed(), []);
    driver.apply(tx.receive(response(invite, 180, 'Ringing'), driver.now)).advance(120_000);
    assert.deepEqual(driver.sendTimes(), [0, 500]);
    assert.deepEqual(driver.delivered.map((m) => m.kind === 'response' && m.status), [100, 180]);
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(driver.terminated, []);
  });

  it('486 Busy Here: builds and sends the ACK (§17.1.1.3), absorbs retransmissions, ends on timer D', () => {
    const { invite, tx, driver } = setup();
    driver.apply(tx.receive(response(invite, 180, 'Ringing'), 100));
    driver.advance(2_000);
    const busy = response(invite, 486, 'Busy Here');
    driver.apply(tx.receive(busy, driver.now));
    assert.equal(tx.state, 'completed');
    assert.deepEqual(driver.delivered.map((m) => m.kind === 'response' && m.status), [180, 486]);
    const ack = driver.sent.at(-1)!.message;
    assert.ok(isRequest(ack, 'ACK'));
    assertAckFor(invite, ack, getHeader(busy, 'To')!);
    assert.deepEqual(driver.armed(), ['D']);

    // The 486 again (our ACK was lost): ACK again, do not bother the TU.
    driver.advance(1_000).apply(tx.receive(busy, driver.now));
    assert.equal(driver.sent.at(-1)!.message, ack);
    assert.equal(driver.sent.at(-1)!.retransmission, true);
    assert.equal(driver.delivered.length, 2);

    driver.advance(30_999); // the 486 arrived at 2 000: timer D runs until 34 000
    assert.deepEqual(driver.terminated, []);
    driver.advance(1);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 34_000 }]);
  });

  it('a final response in Calling completes directly; over TCP the transaction ends at once', () => {
    const udp = setup();
    udp.driver.apply(udp.tx.receive(response(udp.invite, 603, 'Decline'), 10));
    assert.equal(udp.tx.state, 'completed');
    assert.deepEqual(udp.driver.armed(), ['D']);

    const tcp = setup(TCP_PEER);
    tcp.driver.apply(tcp.tx.receive(response(tcp.invite, 486, 'Busy Here'), 10));
    assert.ok(isRequest(tcp.driver.sent.at(-1)!.message, 'ACK'));
    assert.equal(tcp.tx.state, 'terminated');
    assert.deepEqual(tcp.driver.terminated.map((t) => t.reason), ['completed']);
    assert.deepEqual(tcp.driver.armed(), []);
  });

  it('2xx: Accepted (RFC 6026) passes every 2xx up, sends no ACK itself, ends on timer M', () => {
    const { invite, tx, driver } = setup();
    driver.apply(tx.receive(response(invite, 180, 'Ringing'), 100));
    const ok = response(invite, 200, 'OK');
    driver.apply(tx.receive(ok, 5_000));
    assert.equal(tx.state, 'accepted');
    assert.deepEqual(driver.armed(), ['M']);
    driver.now = 5_000;
    driver.apply(tx.receive(ok, 5_500)); // retransmission
    driver.apply(tx.receive(response(invite, 200, 'OK', 'forked'), 5_600)); // a second branch of a fork
    driver.apply(tx.receive(response(invite, 486, 'Busy Here'), 5_700)); // too late: absorbed
    driver.apply(tx.receive(response(invite, 183, 'Session Progress'), 5_800));
    assert.deepEqual(driver.delivered.map((m) => m.kind === 'response' && m.status), [180, 200, 200, 200]);
    assert.equal(driver.sent.length, 1, 'only the INVITE: the 2xx ACK belongs to the dialog');
    driver.advance(32_000);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 37_000 }]);
  });

  it('after CANCEL, gives the INVITE up when no final response comes within 64*T1 (§9.1)', () => {
    const { invite, tx, driver } = setup();
    driver.apply(tx.receive(response(invite, 180, 'Ringing'), 100));
    driver.now = 1_000;
    driver.apply(tx.cancelSent(1_000)).advance(31_999);
    assert.equal(driver.terminated.length, 0);
    driver.advance(1);
    assert.deepEqual(driver.terminated.map((t) => [t.reason, t.at]), [['timeout', 33_000]]);
  });

  it('a 487 after CANCEL completes normally and clears the CANCEL guard', () => {
    const { invite, tx, driver } = setup();
    driver.apply(tx.receive(response(invite, 180, 'Ringing'), 100));
    driver.apply(tx.cancelSent(200));
    driver.apply(tx.receive(response(invite, 487, 'Request Terminated'), 300));
    assert.deepEqual(driver.armed(), ['D']);
    assert.ok(isRequest(driver.sent.at(-1)!.message, 'ACK'));
  });

  it('a transport error in Calling ends the transaction; later timer firings are ignored', () => {
    const { tx, driver } = setup();
    driver.apply(tx.transportError());
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['transport_error']);
    assert.deepEqual(driver.armed(), []);
    assert.deepEqual(tx.onTimer('A', 500), []);
    assert.deepEqual(tx.onTimer('B', 32_000), []);
    assert.deepEqual(tx.transportError(), []);
  });

  it('drops responses that are not its own, and never throws on them', () => {
    const { invite, tx, driver } = setup();
    const foreign = [
      response(request({ branch: 'z9hG4bKother' }), 180, 'Ringing'),
      response(request({ cseq: 314160 }), 180, 'Ringing'),
      response(request({ method: 'OPTIONS' }), 200, 'OK'),
      { ...response(invite, 180, 'Ringing'), headers: response(invite, 180).headers.filter((h) => h.name !== 'Via') },
      { ...response(invite, 180, 'Ringing'), headers: response(invite, 180).headers.filter((h) => h.name !== 'CSeq') },
      { ...response(invite, 180, 'Ringing'), headers: [{ name: 'Via', value: 'garbage' }] },
      { ...response(invite, 200, 'OK'), status: 99 },
      { ...response(invite, 200, 'OK'), status: 700 },
    ];
    for (const r of foreign) assert.deepEqual(tx.receive(r, 10), []);
    assert.equal(tx.state, 'calling');
    driver.advance(600);
    assert.deepEqual(driver.sendTimes(), [0, 500]);
  });
});

function assertAckFor(invite: SipRequest, ack: SipRequest, responseTo: string): void {
  assert.equal(ack.uri, invite.uri);
  assert.deepEqual(getHeaders(ack, 'Via'), [getHeaders(invite, 'Via')[0]]);
  assert.equal(getHeader(ack, 'To'), responseTo);
  assert.match(responseTo, /;tag=a6c85cf$/);
  for (const name of ['From', 'Call-ID', 'Route']) assert.deepEqual(getHeaders(ack, name), getHeaders(invite, name), name);
  assert.equal(getHeader(ack, 'CSeq'), '314159 ACK');
  assert.equal(getHeader(ack, 'Max-Forwards'), '70');
  assert.equal(ack.body.length, 0);
}
