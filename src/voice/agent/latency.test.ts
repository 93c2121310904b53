import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ScriptedLlm } from '../providers/scripted/llm.ts';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import { createVadProvider, type VadProvider } from '../vad/index.ts';
import { AgentHarness } from './agent-harness.ts';
import { ToneTts } from './test-support.ts';

let vads: VadProvider;
before(async () => {
  vads = await createVadProvider({ kind: 'silero' });
  assert.equal(vads.kind, 'silero');
});
after(() => vads.close());

test('each reply reports its latency stages, and they add up to voice-to-voice (zero-latency providers)', async () => {
  const lines = ['Buenos días.', 'Quería saber el horario.', 'Y los sábados.', 'Muy bien, gracias.'];
  const agent = new AgentHarness({
    vads, tts: new ToneTts({ msPerChar: 20 }), stt: new ScriptedStt(lines),
    llm: new ScriptedLlm(lines.map((_, i) => ({ text: `Respuesta ${i + 1}. Con una segunda frase.` }))),
  });
  try {
    for (let i = 0; i < lines.length; i++) {
      await agent.say(lines[i]);
      await agent.untilTurns(2 * (i + 1));
    }
  } finally {
    await agent.hangUp();
  }
  assert.equal(agent.latency.length, lines.length);
  const show = (k: keyof (typeof agent.latency)[0]) => agent.latency.map((l) => Math.round(Number(l[k]) * 10) / 10).join(', ');
  const report = ['endpointingMs', 'sttMs', 'llmFirstTokenMs', 'llmFirstSentenceMs', 'ttsFirstByteMs', 'voiceToVoiceMs', 'overheadMs'] as const;
  console.log(report.map((k) => `${k}: ${show(k)}`).join('\n'));
  // What is checked here is that every reply reports its stages and that they add up; how small
  // Habla's own share is (target p95 < 30 ms) is a speed figure: `npm run bench:voice` measures it.
  for (const l of agent.latency) {
    const parts = l.endpointingMs! + l.sttMs! + l.llmFirstSentenceMs! + l.ttsFirstByteMs! + l.overheadMs!;
    assert.ok(Math.abs(l.voiceToVoiceMs! - parts) < 1, `voice-to-voice ${l.voiceToVoiceMs} ms is the sum of its stages (${parts} ms)`);
    assert.ok(l.endpointingMs! > 0, 'the endpointing silence is counted');
    assert.ok(l.sttMs! < 100 && l.llmFirstTokenMs! < 100 && l.ttsFirstByteMs! < 100, 'zero-latency providers take no real time');
    assert.ok(l.overheadMs! > -25 && l.overheadMs! < 250, `Habla's added latency ${l.overheadMs} ms is within reason`);
  }
});
