/** §13.3.1.4 with a fake clock: T1 doubling to T2, give up at 64*T1. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ack2xxRetransmit, nextDeadline, start2xxRetransmit, tick2xxRetransmit, type Retransmit2xx } from './retransmit-2xx.ts';

/** Drives the machine the way the timer shell does: wake at each deadline, record what it asked for. */
function run(state: Retransmit2xx, until: number): { sends: number[]; gaveUpAt?: number } {
  const sends: number[] = [];
  for (let deadline = nextDeadline(state); deadline !== undefined && deadline <= until; deadline = nextDeadline(state)) {
    const out = tick2xxRetransmit(state, deadline);
    state = out.state;
    if (out.action === 'retransmit') sends.push(deadline);
    if (out.action === 'give_up') return { sends, gaveUpAt: deadline };
  }
  return { sends };
}

describe('2xx retransmission until ACK', () => {
  it('default timers: 0.5, 1.5, 3.5, 7.5 s, then every 4 s, giving up at 32 s', () => {
    const { sends, gaveUpAt } = run(start2xxRetransmit(0), 60_000);
    assert.deepEqual(sends, [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    assert.equal(gaveUpAt, 32_000);
  });

  it('custom T1/T2 (e.g. a high-latency trunk) scale the schedule', () => {
    const { sends, gaveUpAt } = run(start2xxRetransmit(1000, { t1: 100, t2: 400 }), 10_000);
    assert.deepEqual(sends.slice(0, 5), [1100, 1300, 1700, 2100, 2500]);
    assert.equal(gaveUpAt, 1000 + 6400);
  });

  it('a tick before the deadline does nothing; a late tick sends one copy and skips missed slots', () => {
    const s = start2xxRetransmit(0);
    assert.equal(tick2xxRetransmit(s, 499).action, undefined);
    const late = tick2xxRetransmit(s, 5000);
    assert.equal(late.action, 'retransmit');
    assert.equal(late.state.retransmissions, 1);
    assert.equal(nextDeadline(late.state), 7500);
  });

  it('the ACK stops it for good; give_up happens once', () => {
    const acked = ack2xxRetransmit(tick2xxRetransmit(start2xxRetransmit(0), 500).state);
    assert.equal(tick2xxRetransmit(acked, 40_000).action, undefined);
    const gone = tick2xxRetransmit(start2xxRetransmit(0), 32_000);
    assert.equal(gone.action, 'give_up');
    assert.equal(gone.state.status, 'timed_out');
    assert.equal(tick2xxRetransmit(gone.state, 33_000).action, undefined);
    assert.equal(ack2xxRetransmit(gone.state).status, 'timed_out', 'an ACK after giving up does not revive the call');
  });
});
