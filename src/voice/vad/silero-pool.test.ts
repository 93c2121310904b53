import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SileroModel } from './silero-model.ts';
import { SileroVadPool } from './silero-pool.ts';
import { SileroVad } from './silero-vad.ts';
import { buildSpeechFixture, detect, frames, SPANISH_TURNS, type SpeechFixture } from './speech-fixture.ts';
import type { Vad, VadEvent } from './vad.ts';

// Batching windows from several calls into one model run must not change what any call hears:
// each pooled stream's events equal those of a SileroVad fed the same audio alone.

/** Three callers: different lead-in silences, clean and noisy. */
const CALLERS = [
  { silencesMs: [500, 800, 1000] },
  { silencesMs: [640, 700, 1000], noiseDbfs: -50, seed: 11 },
  { silencesMs: [300, 900, 1000], noiseDbfs: -40, seed: 12 },
];

/** Feeds every stream one 20 ms frame per tick, as the media path would, and collects events. */
async function runTicks(vads: Vad[], audio: Int16Array[], awaitEachTick: boolean): Promise<VadEvent[][]> {
  const perStream = audio.map((pcm) => [...frames(pcm)]);
  const pending: Promise<VadEvent[]>[][] = vads.map(() => []);
  const ticks = Math.max(...perStream.map((f) => f.length));
  for (let tick = 0; tick < ticks; tick++) {
    const thisTick = vads.map((vad, k) => (perStream[k][tick] ? vad.process(perStream[k][tick]) : null));
    thisTick.forEach((p, k) => p && pending[k].push(p));
    if (awaitEachTick) await Promise.all(thisTick);
  }
  return Promise.all(pending.map(async (promises) => (await Promise.all(promises)).flat()));
}

function assertSameEvents(actual: VadEvent[], expected: VadEvent[], label: string): void {
  const shape = (events: VadEvent[]) => events.map(({ type, atMs, detectedAtMs }) => ({ type, atMs, detectedAtMs }));
  assert.deepEqual(shape(actual), shape(expected), label);
  actual.forEach((event, i) => assert.ok(Math.abs(event.probability - expected[i].probability) < 1e-4, label));
  assert.ok(expected.length >= 4, `${label}: the reference heard both turns`);
}

describe('SileroVadPool (batched Silero v5)', () => {
  let model: SileroModel;
  let fixtures: SpeechFixture[];
  let reference: VadEvent[][];

  before(async () => {
    model = await SileroModel.load();
    fixtures = await Promise.all(CALLERS.map((c) => buildSpeechFixture({ utterances: SPANISH_TURNS, ...c })));
    reference = await Promise.all(fixtures.map(async (f) => detect(await SileroVad.create({ model }), f.pcm)));
  });
  after(() => model.release());

  for (const awaitEachTick of [true, false]) {
    it(`gives each stream the events it gets alone (${awaitEachTick ? 'paced ticks' : 'all audio queued at once'})`, async () => {
      const pool = await SileroVadPool.create(); // its own model, so its counters are its own
      const vads = fixtures.map(() => pool.createVad());
      const events = await runTicks(vads, fixtures.map((f) => f.pcm), awaitEachTick);
      events.forEach((e, k) => assertSameEvents(e, reference[k], `stream ${k}`));
      const { runs, windows, maxBatch } = pool.stats;
      assert.equal(windows, fixtures.reduce((n, f) => n + Math.floor(f.pcm.length / 256), 0));
      assert.equal(maxBatch, 3, 'windows of the three streams ran in one model call');
      assert.ok(runs < windows / 2, `${runs} runs for ${windows} windows`);
      await pool.close();
    });
  }

  it('never puts more than maxBatch windows in one run', async () => {
    const pool = await SileroVadPool.create({ model, maxBatch: 2 });
    const before = model.stats.maxBatch;
    const events = await runTicks(fixtures.map(() => pool.createVad()), fixtures.map((f) => f.pcm), false);
    events.forEach((e, k) => assertSameEvents(e, reference[k], `stream ${k}`));
    assert.ok(before <= 1 && model.stats.maxBatch === 2, `max batch ${model.stats.maxBatch}`);
    await pool.close();
  });

  it('batchDelayMs gathers windows that arrive in different event-loop turns', async () => {
    // One window per stream, each in its own event-loop turn: a few microseconds apart, far
    // inside the delay even on a loaded machine (a per-window run count would depend on speed).
    const run = async (batchDelayMs: number) => {
      const pool = await SileroVadPool.create({ batchDelayMs });
      const vads = fixtures.map(() => pool.createVad());
      const pending: Promise<VadEvent[]>[] = [];
      for (const [k, vad] of vads.entries()) {
        pending.push(vad.process(fixtures[k].pcm.subarray(0, 256)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(pending);
      const { runs, windows } = pool.stats;
      await pool.close();
      return { runs, windows };
    };
    const spread = await run(0);
    const gathered = await run(50);
    assert.equal(spread.windows, fixtures.length);
    assert.ok(spread.runs > 1, `${spread.runs} run(s) without a delay`);
    assert.deepEqual(gathered, { runs: 1, windows: fixtures.length });
  });

  it('resetting one stream leaves the others alone', async () => {
    const pool = await SileroVadPool.create({ model });
    const vads = fixtures.map(() => pool.createVad());
    const half = fixtures[0].pcm.subarray(0, 8000 * 2);
    const firstHalf = runTicks(vads, [half, fixtures[1].pcm, fixtures[2].pcm], false);
    vads[0].reset(); // while its windows are still queued: their results must be dropped
    const [dropped, one, two] = await firstHalf;
    assert.deepEqual(dropped, []);
    assertSameEvents(one, reference[1], 'stream 1');
    assertSameEvents(two, reference[2], 'stream 2');
    const [again] = await runTicks([vads[0]], [fixtures[0].pcm], true);
    assertSameEvents(again, reference[0], 'stream 0 after reset');
    await pool.close();
  });

  it('closing a stream detaches it; closing the pool refuses new work', async () => {
    const pool = await SileroVadPool.create({ model });
    const vad = pool.createVad();
    assert.equal(pool.streamCount, 1);
    await vad.process(new Int16Array(160 * 5));
    await vad.close();
    assert.equal(pool.streamCount, 0);
    await assert.rejects(vad.process(new Int16Array(160)), /closed/);
    const other = pool.createVad();
    await pool.close();
    await pool.close(); // idempotent
    await assert.rejects(other.process(new Int16Array(256)), /closed/);
    assert.throws(() => pool.createVad(), /closed/);
  });
});
