import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeader } from '../message.ts';
import { InviteServerTransaction } from './invite-server.ts';
import { Driver, TCP_PEER, UDP_PEER, request, response, statusOf } from './test-support.ts';
import type { Destination } from './types.ts';

function setup(replyTo: Destination = UDP_PEER, extraHeaders?: string) {
  const invite = request({ extraHeaders });
  const tx = new InviteServerTransaction(invite, replyTo);
  const driver = new Driver((timer, now) => tx.onTimer(timer, now));
  driver.apply(tx.start(0));
  return { invite, tx, driver };
}

const ack = (branch = 'z9hG4bKnashds8') => request({ method: 'ACK', branch });

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('hands the INVITE to the TU and sends 100 Trying itself after 200 ms of silence', () => {
    const { invite, driver } = setup(UDP_PEER, 'Timestamp: 54');
    assert.deepEqual(driver.delivered, [invite]);
    driver.advance(199);
    assert.equal(driver.sent.length, 0);
    driver.advance(1);
    const trying = driver.sent[0];
    assert.deepEqual([trying.at, statusOf(trying.message), trying.to], [200, 100, UDP_PEER]);
    assert.equal(getHeader(trying.message, 'Timestamp'), '54');
    assert.doesNotMatch(getHeader(trying.message, 'To')!, /tag=/);
  });

  it('sends no 100 Trying when the TU answers within 200 ms', () => {
    const { invite, tx, driver } = setup();
    driver.advance(50).apply(tx.respond(response(invite, 180, 'Ringing'), 50));
    driver.advance(10_000);
    assert.deepEqual(driver.sent.map((s) => statusOf(s.message)), [180]);
  });

  it('answers a retransmitted INVITE with the latest provisional response', () => {
    const { invite, tx, driver } = setup();
    driver.advance(300);
    driver.apply(tx.receive(invite, 500));
    driver.apply(tx.respond(response(invite, 180, 'Ringing'), 800));
    driver.apply(tx.respond(response(invite, 183, 'Session Progress'), 900));
    driver.apply(tx.receive(invite, 1_500));
    assert.deepEqual(driver.sent.map((s) => [statusOf(s.message), s.retransmission]), [[100, false], [100, true], [180, false], [183, false], [183, true]]);
    assert.deepEqual(driver.delivered, [invite], 'retransmissions never reach the TU');
  });

  it('486: retransmits on timer G up to T2 until the ACK, then absorbs ACKs until timer I', () => {
    const { invite, tx, driver } = setup();
    driver.advance(1_000).apply(tx.respond(response(invite, 486, 'Busy Here'), 1_000));
    assert.equal(tx.state, 'completed');
    driver.advance(12_000);
    const finals = driver.sent.filter((s) => statusOf(s.message) === 486).map((s) => s.at);
    assert.deepEqual(finals, [1_000, 1_500, 2_500, 4_500, 8_500, 12_500]);
    driver.apply(tx.receive(invite, driver.now)); // INVITE again: the final again
    assert.equal(statusOf(driver.sent.at(-1)!.message), 486);
    driver.apply(tx.receive(ack(), driver.now));
    assert.equal(tx.state, 'confirmed');
    assert.deepEqual(driver.armed(), ['I']);
    const sentBefore = driver.sent.length;
    driver.apply(tx.receive(ack(), driver.now)).apply(tx.receive(invite, driver.now));
    assert.equal(driver.sent.length, sentBefore);
    driver.advance(5_000);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 18_000 }]);
    assert.equal(driver.delivered.length, 1, 'the ACK for a non-2xx stays inside the transaction');
  });

  it('timer H: no ACK within 64*T1 ends the transaction with a timeout', () => {
    const { invite, tx, driver } = setup();
    driver.apply(tx.respond(response(invite, 603, 'Decline'), 0)).advance(40_000);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'timeout', at: 32_000 }]);
    assert.deepEqual(driver.armed(), []);
  });

  it('over TCP: no retransmission of the final response; the ACK ends it at once', () => {
    const { invite, tx, driver } = setup(TCP_PEER);
    driver.apply(tx.respond(response(invite, 486, 'Busy Here'), 0));
    assert.deepEqual(driver.armed(), ['H']);
    driver.apply(tx.receive(ack(), 100));
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['completed']);
  });

  it('2xx: Accepted absorbs INVITE retransmissions, sends the TU\'s 2xx retransmissions, ends on timer L', () => {
    const { invite, tx, driver } = setup();
    const ok = response(invite, 200, 'OK');
    driver.advance(100).apply(tx.respond(ok, 100));
    assert.equal(tx.state, 'accepted');
    assert.deepEqual(driver.armed(), ['L']);
    driver.apply(tx.receive(invite, 600)); // must not look like a new call
    assert.deepEqual(driver.delivered, [invite]);
    driver.apply(tx.respond(ok, 600)); // the TU (dialog) retransmits its 2xx
    driver.apply(tx.respond(response(invite, 486, 'Busy Here'), 700)); // ignored
    assert.deepEqual(driver.sent.map((s) => statusOf(s.message)), [200, 200]);
    const ackFor2xx = ack();
    driver.apply(tx.receive(ackFor2xx, 800));
    assert.deepEqual(driver.delivered, [invite, ackFor2xx], 'an ACK matching in Accepted goes to the TU');
    driver.apply(tx.transportError());
    assert.equal(tx.state, 'accepted');
    assert.deepEqual(driver.others, [{ type: 'transportError' }]);
    driver.advance(32_000);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 32_100 }]);
  });

  it('a transport error in Proceeding or Completed ends it', () => {
    const a = setup();
    a.driver.apply(a.tx.transportError());
    assert.deepEqual(a.driver.terminated.map((t) => t.reason), ['transport_error']);
    const b = setup();
    b.driver.apply(b.tx.respond(response(b.invite, 500, 'Server Internal Error'), 0)).apply(b.tx.transportError());
    assert.deepEqual(b.driver.terminated.map((t) => t.reason), ['transport_error']);
    assert.deepEqual(b.driver.armed(), []);
  });

  it('ignores foreign requests, invalid statuses and responses after the final one', () => {
    const { invite, tx, driver } = setup();
    for (const r of [ack('z9hG4bKother'), request({ sentBy: 'evil.example.com' }), request({ method: 'ACK', sentBy: 'evil.example.com' }), { ...invite, headers: [] }]) {
      assert.deepEqual(tx.receive(r, 10), []);
    }
    assert.deepEqual(tx.receive(ack(), 10), [], 'ACK before any final response');
    assert.deepEqual(tx.respond({ ...response(invite, 200, 'OK'), status: 700 }, 10), []);
    driver.apply(tx.respond(response(invite, 486, 'Busy Here'), 10));
    assert.deepEqual(tx.respond(response(invite, 200, 'OK'), 20), []);
    assert.equal(tx.state, 'completed');
  });
});
