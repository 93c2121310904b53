import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonInviteServerTransaction } from './non-invite-server.ts';
import { Driver, TCP_PEER, UDP_PEER, request, response, statusOf } from './test-support.ts';
import type { Destination } from './types.ts';

function setup(replyTo: Destination = UDP_PEER) {
  const bye = request({ method: 'BYE', cseq: 231 });
  const tx = new NonInviteServerTransaction(bye, replyTo);
  const driver = new Driver((timer) => tx.onTimer(timer));
  driver.apply(tx.start());
  return { bye, tx, driver };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions in Trying, repeats the last response afterwards, and lingers for timer J', () => {
    const { bye, tx, driver } = setup();
    assert.deepEqual(driver.delivered, [bye]);
    driver.apply(tx.receive(bye));
    assert.equal(driver.sent.length, 0, 'nothing to repeat yet (no 100 for non-INVITE, RFC 4320)');
    driver.apply(tx.respond(response(bye, 100, 'Trying'), 0));
    assert.equal(tx.state, 'proceeding');
    driver.apply(tx.receive(bye));
    driver.advance(1_000).apply(tx.respond(response(bye, 200, 'OK'), 1_000));
    assert.equal(tx.state, 'completed');
    driver.apply(tx.receive(bye));
    assert.deepEqual(driver.sent.map((s) => [statusOf(s.message), s.retransmission]), [[100, false], [100, true], [200, false], [200, true]]);
    assert.deepEqual(tx.respond(response(bye, 500, 'Oops'), 1_100), [], 'one final response only');
    driver.advance(31_999);
    assert.deepEqual(driver.terminated, []);
    driver.advance(1);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 33_000 }]);
    assert.deepEqual(driver.delivered, [bye]);
  });

  it('over TCP ends as soon as the final response is sent', () => {
    const { bye, tx, driver } = setup(TCP_PEER);
    driver.apply(tx.respond(response(bye, 200, 'OK'), 0));
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(driver.armed(), []);
  });

  it('transport errors after a response end it; foreign requests are ignored', () => {
    const { bye, tx, driver } = setup();
    assert.deepEqual(tx.receive(request({ method: 'BYE', branch: 'z9hG4bKzz' })), []);
    assert.deepEqual(tx.receive(request({ method: 'OPTIONS' })), []);
    assert.deepEqual(tx.transportError(), [], 'nothing was sent yet');
    driver.apply(tx.respond(response(bye, 200, 'OK'), 0)).apply(tx.transportError());
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['transport_error']);
    assert.deepEqual(driver.armed(), []);
  });
});
