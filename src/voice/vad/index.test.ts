import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVadProvider, EnergyVad } from './index.ts';
import { buildSpeechFixture, detect, segmentsOf, SPANISH_TURNS } from './speech-fixture.ts';

describe('createVadProvider', () => {
  it('silero: one pool for every call, each call its own stream', async () => {
    const provider = await createVadProvider({ kind: 'silero' });
    assert.equal(provider.kind, 'silero');
    assert.equal(provider.fallbackReason, undefined);
    const fixture = await buildSpeechFixture({ utterances: SPANISH_TURNS.slice(0, 1), silencesMs: [400, 800] });
    const [a, b] = await Promise.all([detect(provider.createVad(), fixture.pcm), detect(provider.createVad({ minSilenceMs: 300 }), fixture.pcm)]);
    assert.equal(segmentsOf(a).length, 1);
    assert.equal(segmentsOf(b).length, 1);
    assert.ok(a[1].detectedAtMs - b[1].detectedAtMs >= 150, 'per-call options reach the call\'s stream');
    await provider.close();
  });

  it('falls back to energy detection when the model cannot load, and says why', async () => {
    const provider = await createVadProvider({ kind: 'silero', silero: { modelOptions: { modelPath: '/nonexistent/silero.onnx' } } });
    assert.equal(provider.kind, 'energy');
    assert.ok(provider.fallbackReason instanceof Error);
    assert.ok(provider.createVad() instanceof EnergyVad);
  });

  it('energy on request', async () => {
    const provider = await createVadProvider({ kind: 'energy', energy: { noiseWindowMs: 2000 } });
    assert.equal(provider.kind, 'energy');
    assert.ok(provider.createVad({ minSilenceMs: 300 }) instanceof EnergyVad);
  });
});
