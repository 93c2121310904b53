import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallMedia, MediaTick } from '../telephony/media/types.ts';
import { agentAudio } from './agent-audio.ts';

function media() {
  const ticks: ((tick: MediaTick) => void)[] = [];
  const digits: ((digit: string) => void)[] = [];
  const did: string[] = [];
  const fake = {
    play: () => (did.push('play'), { id: 1, done: Promise.resolve({ playedMs: 20, interrupted: false }) }),
    clearPlayout: () => void did.push('clear'),
    sendDtmf: async (keys: string) => void did.push(`dtmf ${keys}`),
    onTick: (listener: (tick: MediaTick) => void) => void ticks.push(listener),
    onDtmf: (listener: (digit: string) => void) => void digits.push(listener),
  };
  return { media: fake as unknown as CallMedia, did, tick: (caller: Int16Array | null) => ticks.forEach((l) => l({ caller, agent: null })), digit: (d: string) => digits.forEach((l) => l(d)) };
}

describe('agentAudio', () => {
  it('gives the agent a frame every tick (silence when none came) and its keys, and lets it talk', async () => {
    const m = media();
    const audio = agentAudio(m.media, () => false);
    const heard: number[] = [];
    const keys: string[] = [];
    audio.onAudio((pcm) => heard.push(pcm.length));
    audio.onDtmf((d) => keys.push(d));
    m.tick(new Int16Array(160).fill(1));
    m.tick(null);
    m.digit('7');
    assert.deepEqual((await audio.play(new Int16Array(160)).done).interrupted, false);
    audio.clearPlayout();
    await audio.sendDtmf('1');
    assert.deepEqual([heard, keys, m.did], [[160, 160], ['7'], ['play', 'clear', 'dtmf 1']]);
  });

  it('muted (bridged to a transfer target): hears nothing, and cannot talk, clear the bridge or press keys', async () => {
    const m = media();
    let muted = false;
    const audio = agentAudio(m.media, () => muted);
    const heard: number[] = [];
    audio.onAudio((pcm) => heard.push(pcm.length));
    audio.onDtmf(() => heard.push(-1));
    muted = true;
    m.tick(new Int16Array(160));
    m.digit('7');
    assert.deepEqual(await audio.play(new Int16Array(160)).done, { playedMs: 0, interrupted: true });
    audio.clearPlayout();
    await audio.sendDtmf('1');
    assert.deepEqual([heard, m.did], [[], []]);
  });
});
