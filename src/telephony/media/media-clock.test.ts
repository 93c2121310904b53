import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MediaClock } from './media-clock.ts';
import { sleep, waitFor } from './test-support.ts';

describe('MediaClock', () => {
  test('after a stall it delivers each missed frame once, with its ideal time', async () => {
    let now = 1000;
    const clock = new MediaClock({ now: () => now });
    const ticks: number[] = [];
    clock.subscribe((t) => ticks.push(t));
    await sleep(45); // the fake clock has not moved: nothing is due
    assert.deepEqual(ticks, []);
    now = 1000 + 3 * 20 + 5;
    await waitFor('catch-up ticks', () => ticks.length >= 3);
    assert.deepEqual(ticks, [1020, 1040, 1060]);
    now += 20;
    await waitFor('next tick', () => ticks.length >= 4);
    assert.deepEqual(ticks, [1020, 1040, 1060, 1080]);
    clock.stop();
  });

  test('catch-up is bounded: beyond 5 frames the oldest ticks are skipped and counted', async () => {
    let now = 0;
    const clock = new MediaClock({ now: () => now });
    const ticks: number[] = [];
    clock.subscribe((t) => ticks.push(t));
    now = 12 * 20;
    await waitFor('catch-up ticks', () => ticks.length >= 5);
    await sleep(30);
    assert.deepEqual(ticks, [160, 180, 200, 220, 240]);
    assert.equal(clock.skippedTicks, 7);
    clock.stop();
  });

  test('phases spread subscribers over the frame: each still ticks every frame, in its own slot', async () => {
    let now = 0;
    const clock = new MediaClock({ now: () => now, phases: 4 });
    const ticks: number[][] = Array.from({ length: 8 }, () => []);
    const unsubscribe = ticks.map((list) => clock.subscribe((t) => list.push(t)));
    now = 3 * 20;
    await waitFor('three frames for everyone', () => ticks.every((list) => list.length >= 2));
    // Slots are 5 ms apart, filled least-crowded first: subscribers k and k+4 share slot k+1's time.
    const firstTicks = ticks.map((list) => list[0]);
    assert.deepEqual(firstTicks, [20, 5, 10, 15, 20, 5, 10, 15]);
    for (const list of ticks) for (let i = 1; i < list.length; i++) assert.equal(list[i] - list[i - 1], 20);
    // A new subscriber goes to the slot that lost one.
    unsubscribe[2]();
    const late: number[] = [];
    clock.subscribe((t) => late.push(t));
    now += 20;
    await waitFor('the newcomer ticks', () => late.length >= 1);
    assert.equal(late[0] % 20, 10);
    clock.stop();
  });

  test('ticks at 50 per second on the real clock without accumulating drift', async () => {
    const clock = new MediaClock();
    const ticks: { ideal: number; actual: number }[] = [];
    const start = performance.now();
    clock.subscribe((ideal) => ticks.push({ ideal, actual: performance.now() }));
    await sleep(1000);
    const elapsed = performance.now() - start;
    const delivered = ticks.length;
    clock.stop();
    // However late single timers fire, the count tracks elapsed time (catch-up covers the rest).
    assert.ok(Math.abs(delivered - Math.floor(elapsed / 20)) <= 1, `${delivered} ticks in ${elapsed.toFixed(0)} ms`);
    for (let i = 1; i < ticks.length; i++) assert.ok(Math.abs(ticks[i].ideal - ticks[i - 1].ideal - 20) < 1e-6);
    const lateness = ticks.map((t) => t.actual - t.ideal).sort((a, b) => a - b);
    assert.ok(lateness[0] >= -1, 'no tick fires early');
    assert.ok(lateness[lateness.length >> 1] < 10, `median lateness ${lateness[lateness.length >> 1]} ms`);
    assert.ok(ticks[0].ideal - start < 21, 'the first tick is one frame after subscribing');
  });

  test('one timer for every subscriber: same tick times, a throwing subscriber does not stop the others', async () => {
    const errors: unknown[] = [];
    const clock = new MediaClock({ onError: (e) => errors.push(e) });
    const a: number[] = [];
    const b: number[] = [];
    clock.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const offA = clock.subscribe((t) => a.push(t));
    clock.subscribe((t) => b.push(t));
    await waitFor('ticks', () => a.length >= 3);
    offA();
    assert.deepEqual(a, b.slice(0, a.length));
    assert.ok(errors.length >= 3);
    assert.equal(clock.subscribers, 2);
    clock.stop();
    assert.equal(clock.subscribers, 0);
  });

  test('stops when the last subscriber leaves and restarts its timeline on the next', async () => {
    let now = 0;
    const clock = new MediaClock({ now: () => now });
    const first: number[] = [];
    const off = clock.subscribe((t) => first.push(t));
    now = 20;
    await waitFor('a tick', () => first.length === 1);
    off();
    now = 1000;
    await sleep(30);
    assert.deepEqual(first, [20], 'no ticks without subscribers');
    const second: number[] = [];
    clock.subscribe((t) => second.push(t));
    now = 1020;
    await waitFor('a tick', () => second.length === 1);
    assert.deepEqual(second, [1020]);
    clock.stop();
  });

  test('a subscriber may unsubscribe itself during a tick', async () => {
    let now = 0;
    const clock = new MediaClock({ now: () => now });
    const seen: number[] = [];
    const off = clock.subscribe((t) => {
      seen.push(t);
      off();
    });
    const other: number[] = [];
    clock.subscribe((t) => other.push(t));
    now = 60;
    await waitFor('ticks', () => other.length === 3);
    assert.deepEqual(seen, [20]);
    clock.stop();
  });
});
