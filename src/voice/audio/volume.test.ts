import assert from 'node:assert/strict';
import { it } from 'node:test';
import { applyVolume } from './volume.ts';

it('keeps audio at volume 50, scales and clips otherwise', () => {
  const pcm = Int16Array.from([1000, -1000, 30000]);
  assert.equal(applyVolume(pcm, 50), pcm);
  assert.deepEqual([...applyVolume(pcm, 25)], [500, -500, 15000]);
  assert.deepEqual([...applyVolume(pcm, 100)], [2000, -2000, 32767]);
  assert.deepEqual([...applyVolume(pcm, 0)], [0, 0, 0]);
});
