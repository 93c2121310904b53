import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTelephoneEvent } from '../rtp/index.ts';
import { checkDtmfRequest, DtmfLane, toneSteps } from './dtmf-lane.ts';
import { concat, tonePower } from './test-support.ts';

test('RFC 4733 schedule: per digit an update every 20 ms, three end packets, then the gap', async () => {
  const lane = new DtmfLane();
  let settled = false;
  const done = lane.enqueue({ digits: '7#', durationMs: 100, gapMs: 60, events: true }).then(() => (settled = true));
  const steps = [];
  for (let s = lane.next(); s; s = lane.next()) steps.push(s);
  assert.equal(steps.length, 2 * (6 + 3));
  const first = steps.slice(0, 6);
  assert.ok(first.every((s) => s.kind === 'event'));
  assert.deepEqual(first.map((s) => (s.kind === 'event' ? s.eventStart : null)), [true, false, false, false, false, false]);
  const payloads = first.flatMap((s) => (s.kind === 'event' ? s.packets.map((p) => parseTelephoneEvent(p.payload)) : []));
  const events = payloads.map((r) => (r.ok ? r.value : assert.fail('bad payload')));
  assert.deepEqual(events.map((e) => [e.event, e.end, e.duration]), [
    [7, false, 160], [7, false, 320], [7, false, 480], [7, false, 640], [7, false, 800],
    [7, true, 800], [7, true, 800], [7, true, 800],
  ]);
  assert.deepEqual(steps.slice(6, 9).map((s) => s.kind), ['gap', 'gap', 'gap']);
  await done;
  assert.equal(settled, true);
  assert.equal(lane.busy, false);
});

test('in-band tones carry the keypad frequency pair and nothing else', () => {
  const digitOne = concat(toneSteps('1', 100).map((s) => (s.kind === 'tone' ? s.pcm : new Int16Array())));
  assert.equal(digitOne.length, 800);
  const power = (hz: number): number => tonePower(digitOne, hz);
  assert.ok(power(697) > 100 * power(770) && power(697) > 100 * power(852));
  assert.ok(power(1209) > 100 * power(1336) && power(1209) > 100 * power(1477));
  assert.ok(Math.max(...digitOne.map(Math.abs)) < 32767, 'no clipping');
  const hash = concat(toneSteps('#', 60).map((s) => (s.kind === 'tone' ? s.pcm : new Int16Array())));
  assert.ok(tonePower(hash, 941) > 100 * tonePower(hash, 697) && tonePower(hash, 1477) > 100 * tonePower(hash, 1209));
});

test('cancel() rejects everything queued; validation names the problem', async () => {
  const lane = new DtmfLane();
  const a = lane.enqueue({ digits: '12', durationMs: 100, gapMs: 100, events: false });
  const b = lane.enqueue({ digits: '3', durationMs: 100, gapMs: 100, events: true });
  lane.next();
  lane.cancel(new Error('closed'));
  await assert.rejects(a, /closed/);
  await assert.rejects(b, /closed/);
  assert.equal(lane.next(), null);
  assert.match(checkDtmfRequest('12x', 100, 100)!, /not a DTMF digit/);
  assert.match(checkDtmfRequest('1', 20, 100)!, /duration/);
  assert.equal(checkDtmfRequest('0123456789*#ABCDabcd', 100, 0), undefined);
});
