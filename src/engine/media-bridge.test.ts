import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualMedia } from './bridge-test-support.ts';
import { FrameRelay, MAX_FRAMES_IN_FLIGHT, MediaBridge } from './media-bridge.ts';

const frame = (value: number) => new Int16Array(160).fill(value);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FrameRelay (bounded delay between the two sides)', () => {
  it('admits frames up to the bound, drops beyond it, and admits again as frames leave', () => {
    const relay = new FrameRelay(3);
    assert.deepEqual([relay.admit(), relay.admit(), relay.admit(), relay.admit()], [true, true, true, false]);
    assert.deepEqual([relay.relayed, relay.dropped, relay.queued], [3, 1, 3]);
    relay.release();
    assert.equal(relay.admit(), true);
    relay.release();
    relay.release();
    relay.release();
    relay.release(); // more releases than frames never goes below zero
    assert.equal(relay.queued, 0);
  });
});

describe('MediaBridge', () => {
  it('plays what each side receives to the other, copying the frame (sessions reuse their buffers)', async () => {
    const customer = new ManualMedia();
    const target = new ManualMedia();
    const bridge = new MediaBridge(customer, target);
    const reused = frame(7);
    customer.tick(reused);
    reused.fill(0);
    target.tick(frame(-3));
    customer.tick(null); // the customer's jitter buffer is filling: nothing to relay, the target sends its own silence
    target.send();
    customer.send();
    assert.deepEqual([target.sent.length, target.sent[0][0], target.sent[0][159]], [1, 7, 7]);
    assert.deepEqual([customer.sent.length, customer.sent[0][0]], [1, -3]);
    await settle();
    assert.deepEqual(bridge.stats.toTarget, { relayed: 1, dropped: 0 });
  });

  it('drops frames while the other side cannot send (held), so the delay never grows past the bound', async () => {
    const customer = new ManualMedia();
    const target = new ManualMedia();
    const bridge = new MediaBridge(customer, target);
    for (let n = 0; n < 50; n++) customer.tick(frame(n));
    assert.equal(target.queue.length, MAX_FRAMES_IN_FLIGHT);
    assert.deepEqual(bridge.stats.toTarget, { relayed: MAX_FRAMES_IN_FLIGHT, dropped: 50 - MAX_FRAMES_IN_FLIGHT });
    // The hold ends: what was queued plays, and relaying goes on frame for frame.
    for (let n = 0; n < MAX_FRAMES_IN_FLIGHT; n++) target.send();
    await settle();
    customer.tick(frame(99));
    target.send();
    assert.deepEqual(target.sent.map((pcm) => pcm[0]), [...Array.from({ length: MAX_FRAMES_IN_FLIGHT }, (_, n) => n), 99]);
  });

  it('relays keys both ways; after stop() nothing more crosses', async () => {
    const customer = new ManualMedia();
    const target = new ManualMedia();
    const bridge = new MediaBridge(customer, target);
    bridge.digitFromCustomer('5');
    bridge.digitFromTarget('#');
    target.closed = true; // its leg ended first: sending to it fails quietly
    bridge.digitFromCustomer('6');
    customer.tick(frame(1));
    await settle();
    assert.deepEqual([target.digits, customer.digits], [['5'], ['#']]);
    bridge.stop();
    bridge.digitFromTarget('1');
    target.tick(frame(2));
    assert.deepEqual([customer.digits, customer.queue.length], [['#'], 0]);
    assert.deepEqual([bridge.stats.digitsToTarget, bridge.stats.digitsToCustomer], [2, 1]);
  });
});
