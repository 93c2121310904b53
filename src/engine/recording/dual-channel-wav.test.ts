import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { activeSegments } from './audio-analysis.ts';
import { DualChannelWavRecorder } from './dual-channel-wav.ts';
import { readWav, WAV_HEADER_BYTES } from './wav.ts';

const TICK = 160;

function tone(freq: number, samples: number, amplitude: number, startIndex = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (startIndex + i)) / 8000));
  return out;
}

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'habla-rec-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('DualChannelWavRecorder', () => {
  test('caller left, agent right, null as silence; header and sizes patched on finish', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'call.wav');
    const rec = await DualChannelWavRecorder.open(file);
    // 1 s caller tone alone, then 1 s agent tone alone.
    for (let t = 0; t < 50; t++) rec.write(tone(440, TICK, 8000, t * TICK), null);
    for (let t = 0; t < 50; t++) rec.write(null, tone(1000, TICK, 12000, t * TICK));
    assert.equal(rec.durationMs, 2000);
    const result = await rec.finish();
    assert.deepEqual(result, { path: file, durationMs: 2000, bytes: WAV_HEADER_BYTES + 16000 * 4 });

    const stat = await fs.stat(file);
    assert.equal(stat.size, result.bytes);
    assert.equal(stat.mode & 0o777, 0o600);
    const buffer = await fs.readFile(file);
    const wav = readWav(buffer);
    assert.equal(wav.channels.length, 2);
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.bitsPerSample, 16);
    assert.equal(wav.declaredDataSize, 16000 * 4);
    assert.equal(wav.declaredRiffSize, 16000 * 4 + 36);
    assert.equal(wav.dataOffset, 44);
    assert.equal(buffer.readUInt32LE(28), 8000 * 4, 'byte rate');
    assert.equal(buffer.readUInt16LE(32), 4, 'block align');

    const [caller, agent] = wav.channels;
    assert.deepEqual(caller.subarray(0, 8000), tone(440, 8000, 8000));
    assert.ok(caller.subarray(8000).every((s) => s === 0));
    assert.ok(agent.subarray(0, 8000).every((s) => s === 0));
    assert.deepEqual(agent.subarray(8000), tone(1000, 8000, 12000));
    assert.deepEqual(activeSegments(caller, { sampleRate: 8000 }), [{ startMs: 0, endMs: 1000 }]);
    assert.deepEqual(activeSegments(agent, { sampleRate: 8000 }), [{ startMs: 1000, endMs: 2000 }]);
  });

  test('a shorter side is padded; a longer tick is recorded whole; both null is one silent tick', async () => {
    const file = path.join(dir, 'pad.wav');
    const rec = await DualChannelWavRecorder.open(file);
    rec.write(new Int16Array(TICK).fill(1000), new Int16Array(80).fill(-2000));
    rec.write(null, new Int16Array(320).fill(3000));
    rec.write(null, null);
    assert.equal(rec.durationMs, 80);
    await rec.finish();
    const [caller, agent] = readWav(await fs.readFile(file)).channels;
    assert.equal(caller.length, 640);
    assert.ok(caller.subarray(0, 160).every((s) => s === 1000));
    assert.ok(caller.subarray(160).every((s) => s === 0));
    assert.ok(agent.subarray(0, 80).every((s) => s === -2000));
    assert.ok(agent.subarray(80, 160).every((s) => s === 0));
    assert.ok(agent.subarray(160, 480).every((s) => s === 3000));
    assert.ok(agent.subarray(480).every((s) => s === 0));
  });

  test('finish is idempotent and later writes are ignored', async () => {
    const rec = await DualChannelWavRecorder.open(path.join(dir, 'twice.wav'));
    rec.write(tone(300, TICK, 5000), null);
    const first = rec.finish();
    rec.write(tone(300, TICK, 5000), null);
    const second = rec.finish();
    assert.equal(first, second);
    const result = await first;
    assert.equal(result.durationMs, 20);
    assert.equal(rec.durationMs, 20);
    assert.deepEqual(await rec.finish(), result);
  });

  test('an empty recording is a valid WAV with no samples', async () => {
    const rec = await DualChannelWavRecorder.open(path.join(dir, 'empty.wav'));
    const result = await rec.finish();
    assert.equal(result.bytes, 44);
    assert.equal(result.durationMs, 0);
    const wav = readWav(await fs.readFile(result.path));
    assert.equal(wav.declaredDataSize, 0);
    assert.equal(wav.channels[0].length, 0);
  });

  test('streams to disk as it goes: 10 minutes without holding them in memory', async () => {
    const file = path.join(dir, 'long.wav');
    const rec = await DualChannelWavRecorder.open(file);
    const caller = tone(440, TICK, 6000);
    const agent = tone(700, TICK, 6000);
    const ticks = 10 * 60 * 50;
    const baseline = process.memoryUsage();
    let peakGrowth = 0;
    for (let t = 0; t < ticks; t++) {
      rec.write(caller, agent);
      // The media clock ticks every 20 ms; here a second of audio passes every ~1 ms (1000× real
      // time), still leaving the event loop and the disk a moment between seconds, as a call does.
      if (t % 50 === 49) await sleep(1);
      if (t % 3000 === 0) {
        const now = process.memoryUsage();
        peakGrowth = Math.max(peakGrowth, now.rss - baseline.rss, now.arrayBuffers - baseline.arrayBuffers);
      }
      if (t === ticks / 2) {
        // Half-way, the first ~5 minutes (minus the current block and writes in flight) are on disk.
        // A busy machine may lag a few writes; a recorder that buffers everything never gets there.
        const wanted = WAV_HEADER_BYTES + 290 * 8000 * 4;
        let onDisk = 0;
        for (let i = 0; i < 50 && onDisk < wanted; i++) {
          onDisk = (await fs.stat(file)).size;
          if (onDisk < wanted) await sleep(10);
        }
        assert.ok(onDisk >= wanted, `only ${onDisk} bytes on disk after 5 min`);
      }
    }
    const result = await rec.finish();
    assert.equal(result.durationMs, 600_000);
    assert.equal(result.bytes, WAV_HEADER_BYTES + 600 * 8000 * 4);
    // The whole recording is 19.2 MB; holding it would show as growth of that size.
    assert.ok(peakGrowth < 12 * 1024 * 1024, `memory grew by ${(peakGrowth / 1048576).toFixed(1)} MB`);
    const wav = readWav(await fs.readFile(file));
    assert.equal(wav.channels[0].length, 600 * 8000);
    assert.deepEqual(wav.channels[0].subarray(4_000_000, 4_000_160), caller);
    assert.deepEqual(wav.channels[1].subarray(4_000_000, 4_000_160), agent);
  });

  test('before finish the file already plays: the placeholder header means "to the end"', async () => {
    const file = path.join(dir, 'crash.wav');
    const rec = await DualChannelWavRecorder.open(file);
    for (let t = 0; t < 100; t++) rec.write(tone(440, TICK, 6000, t * TICK), null);
    // A full 1 s block goes to disk without waiting for finish().
    for (let i = 0; i < 20 && (await fs.stat(file)).size < 44 + 32000; i++) await yieldToLoop();
    const wav = readWav(await fs.readFile(file));
    assert.ok(wav.channels[0].length >= 8000);
    assert.deepEqual(wav.channels[0].subarray(0, 8000), tone(440, 8000, 6000));
    await rec.abort();
  });

  test('abort deletes the file, also after finish; finish after abort rejects', async () => {
    const a = path.join(dir, 'abort-a.wav');
    const recA = await DualChannelWavRecorder.open(a);
    for (let t = 0; t < 120; t++) recA.write(tone(440, TICK, 6000), null);
    await recA.abort();
    await recA.abort();
    await assert.rejects(fs.stat(a), { code: 'ENOENT' });
    await assert.rejects(recA.finish(), /aborted/);
    recA.write(tone(440, TICK, 6000), null); // harmless

    const b = path.join(dir, 'abort-b.wav');
    const recB = await DualChannelWavRecorder.open(b);
    recB.write(null, tone(440, TICK, 6000));
    const finishing = recB.finish();
    const aborting = recB.abort();
    await finishing;
    await aborting;
    await assert.rejects(fs.stat(b), { code: 'ENOENT' });
  });

  test('open fails clearly when the folder cannot be created', async () => {
    const blocker = path.join(dir, 'a-file');
    await fs.writeFile(blocker, 'x');
    await assert.rejects(DualChannelWavRecorder.open(path.join(blocker, 'call.wav')), { code: /ENOTDIR|EEXIST/ });
  });
});
