import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScriptedLlm } from '../providers/scripted/llm.ts';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import { EspeakTts } from '../tts/espeak-tts.ts';
import { createVadProvider, type VadProvider } from '../vad/index.ts';
import { AgentHarness } from './agent-harness.ts';
import { ToneTts } from './test-support.ts';

let vads: VadProvider;
before(async () => {
  vads = await createVadProvider({ kind: 'silero' });
  assert.equal(vads.kind, 'silero', 'the real Silero model must load');
});
after(() => vads.close());

const HANG_UP = [{ type: 'hang_up' as const, name: 'colgar', description: 'cuando el cliente se despida' }];

describe('VoiceAgentApp (real Silero VAD, espeak-ng caller speech, scripted STT and LLM)', () => {
  test('a two-turn conversation: greeting, two replies in order, the hang_up tool ends the call after the goodbye', async () => {
    const stt = new ScriptedStt(['Quería saber el estado de mi pedido.', 'Nada más, gracias. Adiós.']);
    const llm = new ScriptedLlm([
      { text: 'Su pedido salió ayer. Llegará mañana.' },
      { text: 'Gracias por llamar. ¡Hasta luego!', toolCalls: [{ name: 'colgar' }] },
    ]);
    const agent = new AgentHarness({
      vads, stt, llm, tts: new EspeakTts(),
      context: { greeting: 'Hola, soy Ana. ¿En qué puedo ayudarle?', timeBeforeStartMs: 200, prompt: 'Eres Ana, de la tienda {{x}}.', callTools: HANG_UP },
    });
    try {
      await agent.untilTurns(1);
      await agent.say('Quería saber el estado de mi pedido.');
      await agent.untilTurns(3);
      await agent.say('Nada más, gracias. Adiós.');
      await agent.audio.until(() => agent.hangups.length > 0);
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(agent.turns.map((t) => [t.role, t.text, t.interrupted]), [
      ['assistant', 'Hola, soy Ana. ¿En qué puedo ayudarle?', false],
      ['user', 'Quería saber el estado de mi pedido.', false],
      ['assistant', 'Su pedido salió ayer. Llegará mañana.', false],
      ['user', 'Nada más, gracias. Adiós.', false],
      ['assistant', 'Gracias por llamar. ¡Hasta luego!', false],
    ]);
    // Offsets on the call's time line, in order, each turn after the previous one (a caller's
    // onset may sit up to ~50 ms early: the VAD pads segments by 30 ms, and a received frame
    // holds the 20 ms before its arrival while a sent one holds the 20 ms after).
    agent.turns.forEach((t, i) => {
      assert.ok(t.endMs > t.startMs, `turn ${i} has a duration`);
      if (i > 0) assert.ok(t.startMs >= agent.turns[i - 1].endMs - 60, `turn ${i} starts after turn ${i - 1} ends`);
      assert.ok(!Number.isNaN(Date.parse(t.wallClock)));
    });
    assert.ok(agent.turns[0].startMs >= 200, 'the greeting waits time_before_start');
    // The model saw the whole conversation, with the system prompt first and the tools offered.
    const last = llm.requests[1];
    assert.deepEqual(last.messages.slice(1).map((m) => [m.role, 'content' in m ? m.content : null]), [
      ['assistant', 'Hola, soy Ana. ¿En qué puedo ayudarle?'],
      ['user', 'Quería saber el estado de mi pedido.'],
      ['assistant', 'Su pedido salió ayer. Llegará mañana.'],
      ['user', 'Nada más, gracias. Adiós.'],
    ]);
    assert.equal(last.messages[0].role, 'system');
    assert.match(last.messages[0].role === 'system' ? last.messages[0].content : '', /Eres Ana, de la tienda \{\{x\}\}\./);
    assert.deepEqual(last.tools?.map((t) => t.name), ['colgar']);
    // hang_up: one endCall, after the goodbye had played out; the tool call is reported.
    assert.equal(agent.hangups.length, 1);
    assert.ok(agent.hangups[0].agentFrames >= agent.audio.agentFrames.lastIndexOf(true), 'endCall came after the last agent frame');
    assert.deepEqual(agent.tools.map((t) => [t.kind, t.name, t.status]), [['hang_up', 'colgar', 'success']]);
    assert.ok(agent.tools[0].atMs >= agent.turns[4].endMs - 1);
    // Latency per reply: every stage measured.
    assert.equal(agent.latency.length, 2);
    for (const l of agent.latency) {
      for (const [k, v] of Object.entries(l)) assert.equal(typeof v, 'number', `${k} measured`);
      assert.ok(l.endpointingMs! >= 400 && l.endpointingMs! <= 600, `endpointing ${l.endpointingMs}`);
      assert.ok(l.voiceToVoiceMs! >= l.endpointingMs!, 'voice-to-voice includes the endpointing silence');
    }
  });

  test('barge-in 500 ms into a long reply: playout cleared within 100 ms of the VAD onset, only the played words kept', async () => {
    const long = 'Le explico las tarifas con detalle. La tarifa básica cuesta diez euros al mes e incluye cien minutos. ' +
      'La tarifa avanzada cuesta veinte euros e incluye llamadas ilimitadas. También tenemos una tarifa familiar.';
    const stt = new ScriptedStt(['Quiero saber las tarifas.', 'Espere, una pregunta.']);
    const llm = new ScriptedLlm([{ text: long }, { text: 'Dígame.' }]);
    const agent = new AgentHarness({ vads, stt, llm, tts: new ToneTts({ msPerChar: 60 }) });
    let onset = 0;
    let firstPlay = 0;
    try {
      await agent.say('Quiero saber las tarifas.');
      await agent.audio.until(() => agent.audio.plays.length > 0);
      firstPlay = agent.audio.agentFrames.length;
      await agent.audio.until(() => agent.audio.agentFrames.length >= firstPlay + 25); // 500 ms of the reply played
      onset = await agent.say('Espere, una pregunta.');
      await agent.untilTurns(4);
    } finally {
      await agent.hangUp();
    }
    const start = agent.vadEvents.filter((e) => e.type === 'speech_start')[1];
    assert.ok(start, 'the VAD heard the barge-in');
    const clear = agent.audio.clears.find((ms) => ms >= start.atMs)!;
    assert.ok(clear !== undefined, 'playout was cleared');
    assert.ok(clear - start.atMs <= 100, `cleared ${clear - start.atMs} ms after the VAD onset (${clear - onset} ms after the audio onset)`);
    assert.ok(clear - start.detectedAtMs <= 20, `cleared ${clear - start.detectedAtMs} ms after the VAD decided (one frame at most)`);
    // The agent channel goes quiet from the tick after the clear.
    const clearTick = clear / 20;
    assert.deepEqual(agent.audio.agentFrames.slice(clearTick, clearTick + 10), new Array(10).fill(false));
    // The transcript: the cut reply holds only what played, marked interrupted; then the caller, then the answer.
    assert.deepEqual(agent.turns.map((t) => [t.role, t.interrupted]), [['user', false], ['assistant', true], ['user', false], ['assistant', false]]);
    const cut = agent.turns[1];
    const playedMs = agent.audio.agentFrames.slice(0, clearTick).filter(Boolean).length * 20; // the reply is the first agent audio
    assert.ok(playedMs >= 500 && playedMs <= 800, `${playedMs} ms of the reply played`); // 500 + the clip's lead-in + the VAD decision
    assert.ok(long.startsWith(cut.text) && cut.text.length > 0, cut.text);
    // 60 ms per character (rounded to the nearest), less the word cut in the middle.
    assert.ok(cut.text.length <= Math.round(playedMs / 60) && cut.text.length >= playedMs / 60 - 15, `${cut.text.length} chars for ${playedMs} ms played`);
    assert.ok(cut.endMs - cut.startMs < playedMs + 60);
    // What the model is told next: it said only the played part.
    assert.deepEqual(llm.requests[1].messages.slice(-2).map((m) => ('content' in m ? m.content : null)), [cut.text, 'Espere, una pregunta.']);
  });

  test('inactivity reminders at the configured interval of silence, then the call ends', async () => {
    const llm = new ScriptedLlm([]);
    const tts = new ToneTts({ msPerChar: 20 });
    const agent = new AgentHarness({
      vads, stt: new ScriptedStt([]), llm, tts,
      context: { greeting: 'Hola.', reminders: { frequencyMs: 600, maxCount: 2, messages: ['¿Sigue ahí?'] } },
    });
    try {
      await agent.audio.until(() => agent.hangups.length > 0, 10_000);
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(agent.turns.map((t) => t.text), ['Hola.', '¿Sigue ahí?', '¿Sigue ahí?']);
    const hangupMs = agent.hangups[0].agentFrames * 20; // the call's time line counts media ticks
    const gaps = [agent.turns[1].startMs - agent.turns[0].endMs, agent.turns[2].startMs - agent.turns[1].endMs];
    for (const gap of gaps) assert.ok(gap >= 600 && gap < 700, `reminder ${gap} ms after the agent stopped`);
    const lastEnd = agent.turns[2].endMs;
    assert.ok(hangupMs - lastEnd >= 560 && hangupMs - lastEnd < 720, `hung up ${hangupMs - lastEnd} ms after the last reminder`);
    assert.equal(llm.requests.length, 0, 'fixed reminder messages need no LLM');
  });

  test('with no reminder messages the LLM writes the reminder (no tools offered); the caller answering resets the count', async () => {
    const stt = new ScriptedStt(['Sí, sigo aquí.']);
    const llm = new ScriptedLlm([{ text: '¿Sigue usted ahí?' }, { text: 'Perfecto.' }, { text: '¿Hola?' }]);
    const agent = new AgentHarness({
      vads, stt, llm, tts: new ToneTts({ msPerChar: 20 }), context: { callTools: HANG_UP, reminders: { frequencyMs: 500, maxCount: 1, messages: [] } },
    });
    try {
      await agent.untilTurns(1); // the first reminder: no greeting, so silence counts from the start
      await agent.say('Sí, sigo aquí.');
      await agent.audio.until(() => agent.hangups.length > 0, 15_000);
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(agent.turns.map((t) => t.text), ['¿Sigue usted ahí?', 'Sí, sigo aquí.', 'Perfecto.', '¿Hola?']);
    assert.equal(llm.requests[0].tools, undefined);
    assert.match(JSON.stringify(llm.requests[0].messages.at(-1)), /silent/);
    assert.deepEqual(llm.requests[1].tools?.map((t) => t.name), ['colgar']);
    assert.equal(agent.hangups.length, 1);
  });

  test('the greeting is heard whole even when the callee talks at pickup; the reply comes after it (interruptGreeting: false)', async () => {
    const llm = new ScriptedLlm([{ text: 'Le llamo por su cita.' }]);
    const agent = new AgentHarness({
      vads, llm, stt: new ScriptedStt(['¿Diga? ¿Quién es?']), tts: new ToneTts({ msPerChar: 60 }),
      context: { direction: 'outbound', greeting: 'Hola, buenos días, le llamamos de la Clínica Sol.' },
    });
    try {
      await agent.say('¿Diga? ¿Quién es?');
      await agent.untilTurns(3);
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(agent.audio.clears, [], 'nothing was cleared');
    assert.deepEqual(agent.turns.map((t) => [t.role, t.text, t.interrupted]), [
      ['user', '¿Diga? ¿Quién es?', false],
      ['assistant', 'Hola, buenos días, le llamamos de la Clínica Sol.', false],
      ['assistant', 'Le llamo por su cita.', false],
    ]);
    assert.ok(agent.turns[2].startMs >= agent.turns[1].endMs, 'the reply waited for the greeting to finish');
  });

  test('interruptGreeting: true lets the caller cut the greeting like any reply', async () => {
    const agent = new AgentHarness({
      vads, llm: new ScriptedLlm([{ text: 'Dígame.' }]), stt: new ScriptedStt(['¿Diga? ¿Quién es?']), tts: new ToneTts({ msPerChar: 60 }),
      context: { greeting: 'Hola, buenos días, le llamamos de la Clínica Sol para confirmar su cita del martes.' },
      options: { interruptGreeting: true },
    });
    try {
      await agent.audio.until(() => agent.audio.plays.length > 0);
      await agent.say('¿Diga? ¿Quién es?');
      await agent.untilTurns(3);
    } finally {
      await agent.hangUp();
    }
    assert.equal(agent.audio.clears.length, 1);
    assert.deepEqual(agent.turns.map((t) => [t.role, t.interrupted]), [['assistant', true], ['user', false], ['assistant', false]]);
  });
});
