import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonInviteClientTransaction } from './non-invite-client.ts';
import { Driver, TCP_PEER, UDP_PEER, request, response } from './test-support.ts';
import type { Destination } from './types.ts';

function setup(to: Destination = UDP_PEER) {
  const bye = request({ method: 'BYE', cseq: 231 });
  const tx = new NonInviteClientTransaction(bye, to);
  const driver = new Driver((timer, now) => tx.onTimer(timer, now));
  driver.apply(tx.start(0));
  return { bye, tx, driver };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits on timer E at 500, 1000, 2000, 4000, 4000… ms and times out on timer F at 64*T1', () => {
    const { tx, driver } = setup();
    driver.advance(40_000);
    const times = driver.sendTimes();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.deepEqual(gaps, [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
    assert.equal(times.length, 11, 'the original and 10 retransmissions: the classic UDP non-INVITE count');
    assert.deepEqual(times.at(-1), 31_500);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'timeout', at: 32_000 }]);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(driver.armed(), []);
  });

  it('in Proceeding retransmits every T2, and a final response ends it after T4', () => {
    const { bye, tx, driver } = setup();
    driver.advance(600); // sent at 0 and 500; next E due at 1500 with interval 1000
    driver.apply(tx.receive(response(bye, 100, 'Trying'), driver.now));
    assert.equal(tx.state, 'proceeding');
    driver.advance(10_000);
    // E at 1500 (armed before the 1xx), then every T2.
    assert.deepEqual(driver.sendTimes(), [0, 500, 1500, 5500, 9500]);
    const ok = response(bye, 200, 'OK');
    driver.apply(tx.receive(ok, driver.now));
    assert.equal(tx.state, 'completed');
    assert.deepEqual(driver.armed(), ['K']);
    driver.apply(tx.receive(ok, driver.now)); // retransmitted 200: absorbed
    assert.equal(driver.delivered.length, 2);
    driver.advance(4_999);
    assert.deepEqual(driver.terminated, []);
    driver.advance(1);
    assert.deepEqual(driver.terminated, [{ tx: undefined, reason: 'completed', at: 15_600 }]);
  });

  it('a final response in Trying completes it directly', () => {
    const { bye, tx, driver } = setup();
    driver.apply(tx.receive(response(bye, 481, 'Call/Transaction Does Not Exist'), 10));
    assert.equal(tx.state, 'completed');
    driver.advance(60_000);
    assert.deepEqual(driver.sendTimes(), [0]);
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['completed']);
  });

  it('over TCP: no retransmissions, no timer K', () => {
    const { bye, tx, driver } = setup(TCP_PEER);
    assert.deepEqual(driver.armed(), ['F']);
    driver.apply(tx.receive(response(bye, 200, 'OK'), 10));
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(driver.armed(), []);
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['completed']);
  });

  it('reports transport errors while waiting, and drops foreign or broken responses', () => {
    const { bye, tx, driver } = setup();
    for (const r of [
      response(request({ method: 'BYE', cseq: 232 }), 200, 'OK'),
      response(request({ method: 'BYE', cseq: 231, branch: 'z9hG4bKx' }), 200, 'OK'),
      response(request({ method: 'INVITE', cseq: 231 }), 200, 'OK'),
      { ...response(bye, 200, 'OK'), headers: [] },
    ]) assert.deepEqual(tx.receive(r, 1), []);
    assert.equal(tx.state, 'trying');
    driver.apply(tx.transportError());
    assert.deepEqual(driver.terminated.map((t) => t.reason), ['transport_error']);
    assert.deepEqual(driver.armed(), []);
  });
});
