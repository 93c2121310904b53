import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LlmError } from '../../llm/errors.ts';
import type { LlmChunk, LlmRequest } from '../../llm/types.ts';
import { OFFLINE_DEMO_OTHERWISE, offlineDemoReplies } from './demo.ts';
import { ScriptedLlm } from './llm.ts';

const said = (text: string): LlmRequest => ({ messages: [{ role: 'system', content: 'x' }, { role: 'user', content: text }] });

async function collect(stream: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const chunks: LlmChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
const signal = () => new AbortController().signal;
const textOf = (chunks: LlmChunk[]) => chunks.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('ScriptedLlm', () => {
  test('ordered replies stream as word-sized text deltas, then tool calls, then done', async () => {
    const llm = new ScriptedLlm([
      { text: 'Hola, ¿qué tal?' },
      { text: 'Adiós.', toolCalls: [{ name: 'hang_up', arguments: { reason: 'done' } }] },
    ]);
    assert.deepEqual(await collect(llm.stream(said('hola'), signal())), [
      { type: 'text', text: 'Hola,' }, { type: 'text', text: ' ¿qué' }, { type: 'text', text: ' tal?' },
      { type: 'done', finishReason: 'stop' },
    ]);
    assert.deepEqual(await collect(llm.stream(said('nada'), signal())), [
      { type: 'text', text: 'Adiós.' },
      { type: 'tool_call', id: 'call_scripted_1_0', name: 'hang_up', arguments: { reason: 'done' }, rawArguments: '{"reason":"done"}' },
      { type: 'done', finishReason: 'tool_calls' },
    ]);
    assert.equal(llm.requests.length, 2);
    await assert.rejects(collect(llm.stream(said('más'), signal())), (e: unknown) => e instanceof LlmError && e.code === 'bad_request');
  });

  test('matchers on the last user message take precedence over the order and are reusable unless once', async () => {
    const llm = new ScriptedLlm([
      { when: /precio/i, text: 'Cuesta diez euros.' },
      { when: 'horario', text: 'De nueve a cinco.', once: true },
      { text: 'Primero.' },
      { text: 'Segundo.' },
    ]);
    assert.equal(textOf(await collect(llm.stream(said('¿Qué PRECIO tiene?'), signal()))), 'Cuesta diez euros.');
    assert.equal(textOf(await collect(llm.stream(said('hola'), signal()))), 'Primero.');
    assert.equal(textOf(await collect(llm.stream(said('¿y el precio?'), signal()))), 'Cuesta diez euros.');
    assert.equal(textOf(await collect(llm.stream(said('¿Horario?'), signal()))), 'De nueve a cinco.');
    assert.equal(textOf(await collect(llm.stream(said('¿Horario?'), signal()))), 'Segundo.', 'the once reply is used up');
  });

  test('a string or RegExp matcher does not fire again after a tool result', async () => {
    const llm = new ScriptedLlm([{ when: /adiós/, text: 'Hasta luego.' }], { otherwise: { text: 'Hecho.' } });
    const afterTool: LlmRequest = {
      messages: [
        { role: 'user', content: 'adiós' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'hang_up', arguments: {} }] },
        { role: 'tool', toolCallId: 'c', content: 'ok' },
      ],
    };
    assert.equal(textOf(await collect(llm.stream(afterTool, signal()))), 'Hecho.');
  });

  test('per-token delays pace the deltas, and aborting stops the stream at once', async () => {
    const llm = new ScriptedLlm([{ text: 'uno dos tres cuatro', tokenDelayMs: 100, firstTokenDelayMs: 20 }]);
    const controller = new AbortController();
    const times: number[] = [];
    const started = performance.now();
    await assert.rejects(
      (async () => {
        for await (const chunk of llm.stream(said('x'), controller.signal)) {
          times.push(performance.now() - started);
          if (chunk.type === 'text' && chunk.text === ' dos') setTimeout(() => controller.abort(), 10);
        }
      })(),
      (e: unknown) => e instanceof LlmError && e.code === 'aborted',
    );
    assert.equal(times.length, 2);
    assert.ok(times[0] >= 18 && times[1] - times[0] >= 95, `arrivals at ${times.map((t) => t.toFixed(0))}`);
    assert.ok(performance.now() - started < 200, 'the third word (due at 220 ms) was never waited for');
  });

  test('a reply can fail with a given LlmError (for resilience tests)', async () => {
    const llm = new ScriptedLlm([{ error: new LlmError('server', 'boom', { status: 500 }) }]);
    await assert.rejects(collect(llm.stream(said('x'), signal())), (e: unknown) => e instanceof LlmError && e.code === 'server');
  });
});

describe('offline demo script', () => {
  const tools = [{ name: 'Colgar_llamada', description: 'Cuelga', parameters: { type: 'object', properties: {} } }];
  test('says goodbye and calls the agent\'s hang-up tool when the caller takes leave; echoes otherwise', async () => {
    const llm = new ScriptedLlm(offlineDemoReplies(), { otherwise: OFFLINE_DEMO_OTHERWISE });
    const bye = await collect(llm.stream({ ...said('Vale, adiós'), tools }, signal()));
    assert.equal(textOf(bye), 'Gracias por llamar. ¡Hasta luego!');
    assert.deepEqual(bye.filter((c) => c.type === 'tool_call').map((c) => c.type === 'tool_call' && c.name), ['Colgar_llamada']);
    const other = await collect(llm.stream({ ...said('Quiero una pizza'), tools }, signal()));
    assert.match(textOf(other), /«Quiero una pizza»/);
    const opening = await collect(llm.stream({ messages: [{ role: 'system', content: 'x' }] }, signal()));
    assert.match(textOf(opening), /^Hola/);
  });
});
