// The voice agent's spans, recorded by the real CallTrace (OpenTelemetry SDK, in-memory
// exporter) while the agent runs on FakeCallAudio with the real Silero VAD and espeak-ng caller
// speech: what each span covers, its attributes, that children lie within their parents, and
// that no words, prompt or digits reach any attribute.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startCallTrace } from '../../observability/call-trace.ts';
import { LlmError } from '../llm/errors.ts';
import { ScriptedLlm } from '../providers/scripted/llm.ts';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import { buildAgentTools } from '../tools/call-tools.ts';
import { espeakVoiceFor } from '../tts/espeak-tts.ts';
import { createVadProvider, type VadProvider } from '../vad/index.ts';
import { AgentHarness, type HarnessOptions } from './agent-harness.ts';
import { AgentSpans, type TimedSpan } from './agent-spans.ts';
import { AgentTurn } from './agent-turn.ts';
import { startAgentClock } from './clock.ts';
import { SpeechHandle } from './speech-handle.ts';
import { FakeCallAudio, ToneTts } from './test-support.ts';

let vads: VadProvider;
before(async () => {
  vads = await createVadProvider({ kind: 'silero' });
  assert.equal(vads.kind, 'silero', 'the real Silero model must load');
});
after(() => vads.close());

function tracedCall() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const trace = startCallTrace(provider.getTracer('test'), { callId: 'call-1', projectId: 'project-1', direction: 'inbound' });
  /** Ends the trace (as CallSession does once the call is stored) and returns every span. */
  const finish = () => {
    trace.end();
    return new Spans(exporter.getFinishedSpans());
  };
  return { trace, finish };
}

const ms = (span: ReadableSpan, field: 'startTime' | 'endTime') => span[field][0] * 1000 + span[field][1] / 1e6;
const durationMs = (span: ReadableSpan) => ms(span, 'endTime') - ms(span, 'startTime');
/** Epoch ms at which a reported turn ended (its wallClock is its start, to the millisecond). */
const endedAt = (turn: { wallClock: string; startMs: number; endMs: number }) => Date.parse(turn.wallClock) + turn.endMs - turn.startMs;

class Spans {
  constructor(readonly all: ReadableSpan[]) {}
  named(name: string): ReadableSpan[] {
    return this.all.filter((s) => s.name === name).sort((a, b) => ms(a, 'startTime') - ms(b, 'startTime'));
  }
  childrenOf(parent: ReadableSpan): ReadableSpan[] {
    return this.all.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId).sort((a, b) => ms(a, 'startTime') - ms(b, 'startTime'));
  }
  get root(): ReadableSpan {
    return this.named('call')[0]!;
  }
  /** Every span lies within its parent; the agent's turns hang from the root. */
  assertNested(): void {
    for (const span of this.all) {
      const parent = this.all.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
      if (!parent) continue;
      assert.ok(ms(span, 'startTime') >= ms(parent, 'startTime'), `${span.name} starts within ${parent.name}`);
      assert.ok(ms(span, 'endTime') <= ms(parent, 'endTime'), `${span.name} ends within ${parent.name} (${ms(span, 'endTime') - ms(parent, 'endTime')} ms after)`);
      if (span.name.startsWith('turn.')) assert.equal(parent.name, 'call');
    }
  }
  /** No attribute holds any of these words (what was said, the prompt). */
  assertNoText(texts: string[]): void {
    const attributes = JSON.stringify(this.all.map((s) => [s.attributes, s.events, s.status]));
    for (const text of texts) for (const word of text.split(/[\s,.¿?¡!]+/).filter((w) => w.length > 4)) {
      assert.ok(!attributes.includes(word), `"${word}" is in no span attribute`);
    }
  }
}

function agent(options: Omit<HarnessOptions, 'vads'>): AgentHarness {
  return new AgentHarness({ vads, ...options });
}

describe('the voice agent’s spans (real CallTrace, real Silero VAD, espeak-ng caller, scripted STT/LLM, tone TTS)', () => {
  test('greeting, a caller turn and a reply that calls hang_up: turn.agent ⊃ tts, turn.user, turn.agent ⊃ llm, tts, tool', async () => {
    const { trace, finish } = tracedCall();
    const said = 'Nada más, gracias. Adiós.';
    const goodbye = 'Gracias por llamar. Que tenga un buen día.';
    const greeting = 'Hola, soy Ana. ¿En qué puedo ayudarle?';
    const llm = new ScriptedLlm([{ text: goodbye, toolCalls: [{ name: 'colgar' }] }]);
    const harness = agent({
      tracer: trace, llm, stt: new ScriptedStt([said]), tts: new ToneTts({ msPerChar: 20 }),
      context: { greeting, prompt: 'Eres Ana, de la tienda Sol.', callTools: [{ type: 'hang_up', name: 'colgar', description: 'cuando se despida' }] },
    });
    try {
      await harness.untilTurns(1);
      await harness.say(said);
      await harness.audio.until(() => harness.hangups.length > 0);
    } finally {
      await harness.hangUp();
    }
    const spans = finish();
    spans.assertNested();
    spans.assertNoText([said, goodbye, greeting, 'Eres Ana, de la tienda Sol.']);
    assert.deepEqual(spans.all.filter((s) => s.attributes['habla.ended_with_call']).map((s) => s.name), [], 'every agent span ended before the call');

    const [greetingTurn, replyTurn] = spans.named('turn.agent');
    assert.equal(spans.named('turn.agent').length, 2);
    assert.deepEqual(
      [greetingTurn.attributes['turn.kind'], greetingTurn.attributes['turn.index'], greetingTurn.attributes['turn.interruptible'], greetingTurn.attributes['turn.interrupted']],
      ['greeting', 0, false, false],
    );
    assert.deepEqual(spans.childrenOf(greetingTurn).map((s) => s.name), ['tts', 'tts'], 'one tts span per sentence');
    const greetingAudioMs = greeting.replace(/ (?=¿)/, '').length * 20;
    assert.ok(Math.abs(Number(greetingTurn.attributes['speech.played_ms']) - greetingAudioMs) <= 20, `greeting played ${greetingTurn.attributes['speech.played_ms']} ms`);
    assert.equal(greetingTurn.attributes['speech.played_ms'], greetingTurn.attributes['speech.audio_ms'], 'all of it played');
    // The turn ends once its playout has (as the transcript reports it), not when synthesis did.
    const greeted = harness.turns.find((t) => t.role === 'assistant')!;
    const sinceSpoken = ms(greetingTurn, 'endTime') - endedAt(greeted);
    assert.ok(sinceSpoken >= -1.5 && sinceSpoken < 50, `the greeting turn ends as its playout does (${sinceSpoken} ms after)`);
    assert.ok(ms(greetingTurn, 'endTime') > Math.max(...spans.childrenOf(greetingTurn).map((s) => ms(s, 'endTime'))));

    // The caller's turn: VAD onset → final transcript, with STT and endpointing times; sizes, no words.
    const [userTurn] = spans.named('turn.user');
    assert.equal(spans.named('turn.user').length, 1);
    const heard = harness.turns.find((t) => t.role === 'user')!;
    const latency = harness.latency[0]!;
    assert.ok(Math.abs(ms(userTurn, 'startTime') - Date.parse(heard.wallClock)) <= 2, 'starts at the speech onset the transcript reports');
    assert.deepEqual(
      [userTurn.attributes['turn.index'], userTurn.attributes['turn.interrupted_agent'], userTurn.attributes['turn.understood'], userTurn.attributes['transcript.chars'], userTurn.attributes['stt.provider']],
      [0, false, true, said.length, 'scripted'],
    );
    assert.equal(userTurn.attributes['stt.ms'], Math.round(latency.sttMs! * 10) / 10);
    assert.equal(userTurn.attributes['turn.endpointing_ms'], Math.round(latency.endpointingMs! * 10) / 10);
    const speechMs = heard.endMs - heard.startMs;
    const expected = speechMs + latency.endpointingMs! + latency.sttMs!;
    assert.ok(durationMs(userTurn) >= expected - 1 && durationMs(userTurn) - expected < 500, `turn.user ${durationMs(userTurn)} ms ≈ speech ${speechMs} + endpointing + STT`);

    // The reply: from the end of the caller's turn; its LLM request, each sentence's TTS, then the tool.
    assert.deepEqual([replyTurn.attributes['turn.kind'], replyTurn.attributes['turn.user_index'], replyTurn.attributes['turn.ends']], ['reply', 0, 'hang_up']);
    assert.ok(ms(replyTurn, 'startTime') >= ms(userTurn, 'endTime') - 0.5 && ms(replyTurn, 'startTime') - ms(userTurn, 'endTime') < 5, 'the reply starts as the caller’s turn ends');
    assert.equal(replyTurn.attributes['turn.voice_to_voice_ms'], Math.round(latency.voiceToVoiceMs! * 10) / 10);
    assert.deepEqual([replyTurn.attributes['llm.rounds'], replyTurn.attributes['tool.calls'], replyTurn.attributes['turn.interrupted']], [1, 1, false]);
    const children = spans.childrenOf(replyTurn);
    assert.deepEqual(children.map((s) => s.name), ['llm', 'tts', 'tts', 'tool']);
    const [llmSpan, firstTts, , tool] = children;
    assert.deepEqual(
      [llmSpan.attributes['llm.provider'], llmSpan.attributes['llm.outcome'], llmSpan.attributes['llm.tool_calls'], llmSpan.attributes['llm.finish_reason'], llmSpan.attributes['llm.output_chars'], llmSpan.attributes['llm.tools_offered']],
      ['scripted', 'completed', 1, 'tool_calls', goodbye.length, 1],
    );
    assert.equal(typeof llmSpan.attributes['llm.time_to_first_token_ms'], 'number');
    assert.equal(llmSpan.status.code, SpanStatusCode.OK);
    assert.deepEqual([firstTts.attributes['tts.provider'], firstTts.attributes['tts.sentence'], firstTts.attributes['tts.outcome'], firstTts.attributes['tts.chars']], ['tone', 0, 'completed', 'Gracias por llamar.'.length]);
    assert.equal(firstTts.attributes['tts.audio_ms'], 'Gracias por llamar.'.length * 20);
    assert.equal(typeof firstTts.attributes['tts.time_to_first_audio_ms'], 'number');
    assert.deepEqual(
      [tool.attributes['tool.name'], tool.attributes['tool.kind'], tool.attributes['tool.status'], tool.attributes['tool.ends'], tool.status.code],
      ['colgar', 'hang_up', 'success', 'hang_up', SpanStatusCode.OK],
    );
    const saidGoodbye = harness.turns.filter((t) => t.role === 'assistant').at(-1)!;
    assert.ok(ms(tool, 'startTime') >= endedAt(saidGoodbye) - 1.5, 'the tool ran once the goodbye had played');
    assert.ok(ms(tool, 'startTime') >= Math.max(...children.filter((s) => s.name === 'tts').map((s) => ms(s, 'endTime'))));
  });

  test('barge-in: the cut reply is marked interrupted by the caller with what played; its LLM request aborted; the caller’s turn interrupted the agent', async () => {
    const { trace, finish } = tracedCall();
    const long = 'Le explico las tarifas con detalle. La tarifa básica cuesta diez euros al mes e incluye cien minutos. ' +
      'La tarifa avanzada cuesta veinte euros e incluye llamadas ilimitadas. También tenemos una tarifa familiar.';
    // 100 ms between words: the model is still writing when the caller cuts in.
    const llm = new ScriptedLlm([{ text: long, tokenDelayMs: 100 }, { text: 'Dígame.' }]);
    const harness = agent({ tracer: trace, llm, stt: new ScriptedStt(['Quiero saber las tarifas.', 'Espere, una pregunta.']), tts: new ToneTts({ msPerChar: 60 }) });
    try {
      await harness.say('Quiero saber las tarifas.');
      await harness.audio.until(() => harness.audio.plays.length > 0);
      const firstPlay = harness.audio.agentFrames.length;
      await harness.audio.until(() => harness.audio.agentFrames.length >= firstPlay + 25);
      await harness.say('Espere, una pregunta.');
      await harness.untilTurns(4);
    } finally {
      await harness.hangUp();
    }
    const spans = finish();
    spans.assertNested();
    const [cut, answer] = spans.named('turn.agent');
    const [, bargeIn] = spans.named('turn.user');
    assert.deepEqual([cut.attributes['turn.interrupted'], cut.attributes['turn.interrupted_by'], answer.attributes['turn.interrupted']], [true, 'caller', false]);
    assert.deepEqual(cut.events.map((e) => [e.name, e.attributes]), [['interrupted', { by: 'caller' }]]);
    assert.equal(bargeIn.attributes['turn.interrupted_agent'], true);
    // Played: what went out on the line before the clear (the reply is the call's first agent audio).
    const clearTick = harness.audio.clears[0]! / 20;
    const framesPlayed = harness.audio.agentFrames.slice(0, clearTick).filter(Boolean).length * 20;
    const played = Number(cut.attributes['speech.played_ms']);
    assert.ok(Math.abs(played - framesPlayed) <= 20, `played ${played} ms, ${framesPlayed} ms of frames went out`);
    assert.ok(Number(cut.attributes['speech.audio_ms']) > played, 'more was synthesised than played');
    // The cut turn ends while the caller is cutting in: after their onset, before their turn is over, as its playout was cut.
    assert.ok(ms(cut, 'endTime') > ms(bargeIn, 'startTime') && ms(cut, 'endTime') < ms(bargeIn, 'endTime'), 'the reply ended during the caller’s turn');
    const cutRecord = harness.turns.find((t) => t.role === 'assistant' && t.interrupted)!;
    const sinceCut = ms(cut, 'endTime') - endedAt(cutRecord);
    assert.ok(sinceCut >= -1.5 && sinceCut < 50, `the cut turn ends as its playout was cut (${sinceCut} ms after)`);
    const [llmSpan] = spans.childrenOf(cut).filter((s) => s.name === 'llm');
    assert.deepEqual([llmSpan.attributes['llm.outcome'], llmSpan.attributes['llm.aborted'], llmSpan.status.code], ['aborted', true, SpanStatusCode.OK]);
    assert.ok(Number(llmSpan.attributes['llm.output_chars']) < long.length);
    const tts = spans.childrenOf(cut).filter((s) => s.name === 'tts');
    assert.ok(tts.length >= 1 && tts.every((s) => s.status.code === SpanStatusCode.OK));
  });

  test('a failed LLM request and a failed transfer: ERROR spans with a fixed message and the error’s code, never its text', async () => {
    const { trace, finish } = tracedCall();
    const audio = new FakeCallAudio();
    audio.start();
    const clock = startAgentClock();
    const spans = new AgentSpans(clock, trace);
    const tts = new ToneTts({ msPerChar: 10 });
    const llm = new ScriptedLlm([
      { error: new LlmError('rate_limited', 'quota exceeded for prompt "Eres Ana"') },
      { text: 'Le paso.', toolCalls: [{ name: 'ventas' }] },
      { text: '' },
    ]);
    const deps = {
      llm, clock, tools: buildAgentTools([{ type: 'transfer_call', name: 'ventas', target_number: '+34910000000', description: 'ventas' }], { dtmf: false }),
      toolContext: { audio, callControl: { transfer: async () => ({ status: 'failed' as const, reason: 'REFER to +34910000000 rejected' }) } },
      newSpeech: (parent: AbortSignal, span?: TimedSpan) =>
        new SpeechHandle({ audio, tts, voice: espeakVoiceFor('es'), language: 'es', volume: 50, clock }, parent, span),
    };
    const request = { kind: 'generate' as const, messages: [{ role: 'user' as const, content: 'Hola' }], tools: true };
    const signal = new AbortController().signal;
    try {
      const failed = await new AgentTurn(deps, request, signal, { span: spans.start('turn.agent', {}) }).done;
      assert.deepEqual(failed.messages, [], 'a failed request says nothing');
      const transfer = await new AgentTurn(deps, request, signal, { span: spans.start('turn.agent', {}) }).done;
      assert.equal(transfer.toolCalls, 1);
    } finally {
      audio.stop();
    }
    const all = finish();
    const [failedLlm, toolLlm] = all.named('llm');
    assert.deepEqual(failedLlm.status, { code: SpanStatusCode.ERROR, message: 'LLM request failed' });
    assert.deepEqual([failedLlm.attributes['llm.outcome'], failedLlm.attributes['error.type']], ['error', 'rate_limited']);
    assert.equal(toolLlm.status.code, SpanStatusCode.OK);
    const [tool] = all.named('tool');
    assert.deepEqual(tool.status, { code: SpanStatusCode.ERROR, message: 'tool call failed' });
    assert.deepEqual([tool.attributes['tool.kind'], tool.attributes['tool.status']], ['transfer_call', 'error']);
    const json = JSON.stringify(all.all.map((s) => [s.attributes, s.status, s.events]));
    assert.ok(!json.includes('quota') && !json.includes('Eres') && !json.includes('34910000000'), 'no provider message, prompt or number in the spans');
  });
});
