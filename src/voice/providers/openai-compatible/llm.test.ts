import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockOpenAi, textTokens, type MockOpenAiServer } from '../../../../test/helpers/mock-openai-server.ts';
import { waitFor } from '../../../../test/helpers/webhook-receiver.ts';
import { LlmError } from '../../llm/errors.ts';
import type { LlmChunk, LlmRequest } from '../../llm/types.ts';
import { OpenAiCompatibleLlm } from './llm.ts';

const KEY = 'sk-test-0123456789abcdef';
const HELLO: LlmRequest = { messages: [{ role: 'system', content: 'Eres un agente.' }, { role: 'user', content: 'Hola' }] };

let server: MockOpenAiServer;
let llm: OpenAiCompatibleLlm;
before(async () => {
  server = await startMockOpenAi();
  llm = new OpenAiCompatibleLlm({ baseUrl: server.baseUrl, apiKey: KEY, model: 'gpt-test' });
});
after(() => server.close());

async function collect(stream: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const chunks: LlmChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function failure(stream: AsyncIterable<LlmChunk>): Promise<LlmError> {
  try {
    await collect(stream);
  } catch (error) {
    assert.ok(error instanceof LlmError, `expected an LlmError, got ${error}`);
    return error;
  }
  assert.fail('the stream did not fail');
}

const text = (chunks: LlmChunk[]) => chunks.flatMap((c) => (c.type === 'text' ? [c.text] : []));

describe('OpenAiCompatibleLlm streaming', () => {
  test('text deltas arrive one by one while the server is still writing, then done with usage', async () => {
    const reply = { text: 'Hola, ¿en qué puedo ayudarle hoy?', tokenDelayMs: 40 };
    server.reply(reply);
    const arrivals: Array<{ chunk: LlmChunk; serverFinished: boolean }> = [];
    for await (const chunk of llm.stream(HELLO, new AbortController().signal)) {
      arrivals.push({ chunk, serverFinished: server.requests.at(-1)!.finishedAt !== undefined });
    }
    const chunks = arrivals.map((a) => a.chunk);
    assert.deepEqual(text(chunks), textTokens(reply), 'one text chunk per server delta, not one blob');
    assert.equal(arrivals[0].serverFinished, false, 'the first words arrived before the server finished');
    assert.deepEqual(chunks.at(-1), {
      type: 'done', finishReason: 'stop', usage: { promptTokens: 42, completionTokens: 6, totalTokens: 48 },
    });
    const request = server.requests.at(-1)!;
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.equal(request.body.model, 'gpt-test');
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.stream_options, { include_usage: true });
    assert.deepEqual(request.body.messages, [{ role: 'system', content: 'Eres un agente.' }, { role: 'user', content: 'Hola' }]);
  });

  test('two parallel tool calls streamed as argument fragments are assembled, parsed and emitted before done', async () => {
    server.reply({
      text: 'Le paso con ventas.',
      toolCalls: [
        { id: 'call_a', name: 'transfer_call', arguments: { target_number: '+34911222333', motivo: 'quiere añadir líneas' }, fragments: 5 },
        { id: 'call_b', name: 'hang_up', arguments: {}, fragments: 1 },
      ],
      tokenDelayMs: 5,
    });
    const chunks = await collect(llm.stream(HELLO, new AbortController().signal));
    assert.equal(text(chunks).join(''), 'Le paso con ventas.');
    const calls = chunks.filter((c) => c.type === 'tool_call');
    assert.deepEqual(calls, [
      {
        type: 'tool_call', id: 'call_a', name: 'transfer_call',
        arguments: { target_number: '+34911222333', motivo: 'quiere añadir líneas' },
        rawArguments: JSON.stringify({ target_number: '+34911222333', motivo: 'quiere añadir líneas' }),
      },
      { type: 'tool_call', id: 'call_b', name: 'hang_up', arguments: {}, rawArguments: '{}' },
    ]);
    assert.deepEqual(chunks.at(-1)?.type === 'done' && chunks.at(-1), {
      type: 'done', finishReason: 'tool_calls', usage: { promptTokens: 42, completionTokens: 14, totalTokens: 56 },
    });
  });

  test('a tool call whose arguments are not JSON is still emitted, with the reason', async () => {
    server.reply({ toolCalls: [{ name: 'hang_up', arguments: '{"reason": "bye"', fragments: 2 }] });
    const [call] = (await collect(llm.stream(HELLO, new AbortController().signal))).filter((c) => c.type === 'tool_call');
    assert.equal(call.type === 'tool_call' && call.name, 'hang_up');
    assert.deepEqual(call.type === 'tool_call' && call.arguments, {});
    assert.match(String(call.type === 'tool_call' && call.argumentsError), /not valid JSON/);
  });

  test('CRLF framing, keep-alive comments and events split every 7 bytes parse the same', async () => {
    const reply = { text: 'Buenos días, señora Núñez.', toolCalls: [{ id: 'c1', name: 'hang_up', arguments: { ok: true } }] };
    server.reply({ ...reply, lineEnding: '\r\n', keepAliveComments: true, splitBytes: 7 });
    const chunks = await collect(llm.stream(HELLO, new AbortController().signal));
    assert.equal(text(chunks).join(''), 'Buenos días, señora Núñez.', 'multi-byte characters split across chunks survive');
    assert.deepEqual(chunks.filter((c) => c.type !== 'text').map((c) => c.type), ['tool_call', 'done']);
  });

  test('[DONE] ends the stream even when the server keeps the connection open', async () => {
    server.reply({ text: 'Vale.', holdOpenAfterDone: true });
    const started = performance.now();
    const chunks = await collect(llm.stream(HELLO, new AbortController().signal));
    assert.equal(chunks.at(-1)?.type, 'done');
    assert.ok(performance.now() - started < 1000);
    await waitFor('the held connection to be closed by the client', () => server.requests.at(-1)!.closedEarly, 2000);
  });

  test('a stream without [DONE] but with a finish_reason is complete; one with neither is a protocol error', async () => {
    server.reply({ text: 'Sin done.', omitDone: true });
    const chunks = await collect(llm.stream(HELLO, new AbortController().signal));
    assert.deepEqual(chunks.at(-1), { type: 'done', finishReason: 'stop', usage: { promptTokens: 42, completionTokens: 2, totalTokens: 44 } });

    server.reply({ text: 'Cortado a la mitad', endEarlyAfterDeltas: 2 });
    const error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'protocol');
  });

  test('a server that ignores stream: true and answers JSON still yields text, tool calls and done', async () => {
    server.reply({ text: 'Entero.', toolCalls: [{ id: 'c9', name: 'hang_up', arguments: { a: 1 } }], forceJson: true });
    const chunks = await collect(llm.stream(HELLO, new AbortController().signal));
    assert.deepEqual(chunks.map((c) => c.type), ['text', 'tool_call', 'done']);
    assert.deepEqual(chunks[1].type === 'tool_call' && chunks[1].arguments, { a: 1 });
  });

  test('conversation history, tools and sampling settings are sent in the wire format', async () => {
    server.reply({ text: 'Hecho.' });
    const keyless = new OpenAiCompatibleLlm({ baseUrl: `${server.baseUrl}/`, model: 'llama3', includeUsage: false });
    await collect(keyless.stream({
      messages: [
        { role: 'user', content: 'Cuelga' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'hang_up', arguments: { why: 'asked' } }] },
        { role: 'tool', toolCallId: 'call_1', content: 'ok' },
      ],
      tools: [{ name: 'hang_up', description: 'Ends the call', parameters: { type: 'object', properties: {} } }],
      temperature: 0,
      maxTokens: 200,
    }, new AbortController().signal));
    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/v1/chat/completions', 'a trailing slash in the base URL is not doubled');
    assert.equal(request.headers.authorization, undefined, 'no key, no Authorization header (Ollama, llama.cpp)');
    assert.equal(request.body.stream_options, undefined);
    assert.equal(request.body.temperature, 0, '0 is a temperature, not "unset"');
    assert.equal(request.body.max_tokens, 200);
    assert.deepEqual(request.body.tools, [
      { type: 'function', function: { name: 'hang_up', parameters: { type: 'object', properties: {} }, description: 'Ends the call' } },
    ]);
    assert.deepEqual(request.body.messages, [
      { role: 'user', content: 'Cuelga' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'hang_up', arguments: '{"why":"asked"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ]);
  });
});

describe('OpenAiCompatibleLlm errors', () => {
  test('401 → auth, and a key the server echoes back is scrubbed from the message', async () => {
    const strict = await startMockOpenAi({ requireKey: 'sk-the-right-one' });
    try {
      const wrong = new OpenAiCompatibleLlm({ baseUrl: strict.baseUrl, apiKey: KEY, model: 'm' });
      const error = await failure(wrong.stream(HELLO, new AbortController().signal));
      assert.equal(error.code, 'auth');
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.match(error.message, /Incorrect API key provided: \[redacted\]/);
      assert.ok(!error.message.includes(KEY));
    } finally {
      await strict.close();
    }
  });

  test('429 → rate_limited with Retry-After in ms (seconds and retry-after-ms forms)', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '2' } });
    let error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.retryable, true);
    server.reply({ status: 429, headers: { 'retry-after-ms': '350', 'retry-after': '1' } });
    error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.retryAfterMs, 350);
  });

  test('5xx → server, 404 → bad_request with the vendor message, 408 → timeout', async () => {
    server.reply({ status: 502, errorBody: '<html>Bad Gateway</html>' });
    let error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'server');
    assert.equal(error.status, 502);
    assert.match(error.message, /Bad Gateway/);

    server.reply({ status: 404, errorBody: { error: { message: 'The model `gpt-nope` does not exist', type: 'invalid_request_error' } } });
    error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'bad_request');
    assert.equal(error.retryable, false);
    assert.match(error.message, /HTTP 404: The model `gpt-nope` does not exist/);

    server.reply({ status: 408 });
    assert.equal((await failure(llm.stream(HELLO, new AbortController().signal))).code, 'timeout');
  });

  test('an error event inside the stream → server; a non-JSON event → protocol; a reset → network', async () => {
    server.reply({ text: 'Empiezo', streamError: { message: 'overloaded', type: 'server_error' } });
    const seen: LlmChunk[] = [];
    let error = await failure((async function* () {
      for await (const chunk of llm.stream(HELLO, new AbortController().signal)) {
        seen.push(chunk);
        yield chunk;
      }
    })());
    assert.equal(error.code, 'server');
    assert.deepEqual(text(seen), ['Empiezo'], 'text before the error was still surfaced');

    server.reply({ rawEvents: ['{"choices": [ oops'] });
    error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'protocol');

    server.reply({ text: 'uno dos tres', dropAfterDeltas: 1 });
    error = await failure(llm.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'network');
  });

  test('nothing listening → network', async () => {
    const closed = await startMockOpenAi();
    await closed.close();
    const nowhere = new OpenAiCompatibleLlm({ baseUrl: closed.baseUrl, model: 'm' });
    const error = await failure(nowhere.stream(HELLO, new AbortController().signal));
    assert.equal(error.code, 'network');
    assert.equal(error.retryable, true);
  });
});

describe('OpenAiCompatibleLlm cancellation', () => {
  test('aborting mid-stream ends the iterator at once and the server sees the connection close', async () => {
    server.reply({ text: 'una respuesta muy larga que nadie va a oír entera porque el cliente interrumpe', tokenDelayMs: 300 });
    const controller = new AbortController();
    let abortedAt = 0;
    const error = await failure((async function* () {
      for await (const chunk of llm.stream(HELLO, controller.signal)) {
        yield chunk;
        if (chunk.type === 'text' && abortedAt === 0) {
          abortedAt = performance.now();
          setTimeout(() => controller.abort(), 10);
        }
      }
    })());
    const thrownAfter = performance.now() - abortedAt;
    assert.equal(error.code, 'aborted');
    assert.ok(thrownAfter < 150, `threw ${thrownAfter.toFixed(1)} ms after the abort was scheduled (token gap 300 ms)`);
    const request = server.requests.at(-1)!;
    await waitFor('the server to see the socket close', () => request.closedEarly, 1000);
    assert.ok(request.closedAt! - abortedAt < 250, `server saw the close ${(request.closedAt! - abortedAt).toFixed(1)} ms later`);
  });

  test('aborting while the server has not even sent headers rejects promptly', async () => {
    server.reply({ hang: 'before_headers' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const error = await failure(llm.stream(HELLO, controller.signal));
    assert.equal(error.code, 'aborted');
    assert.ok(performance.now() - started < 300);
    await waitFor('the server to see the socket close', () => server.requests.at(-1)!.closedEarly, 1000);
  });

  test('an AbortSignal.timeout reason maps to timeout; an already aborted signal sends nothing', async () => {
    server.reply({ hang: 'after_headers' });
    const error = await failure(llm.stream(HELLO, AbortSignal.timeout(50)));
    assert.equal(error.code, 'timeout');

    const before = server.requests.length;
    const controller = new AbortController();
    controller.abort();
    assert.equal((await failure(llm.stream(HELLO, controller.signal))).code, 'aborted');
    assert.equal(server.requests.length, before);
  });

  test('breaking out of the loop (barge-in) closes the connection', async () => {
    server.reply({ text: 'uno dos tres cuatro cinco seis siete', tokenDelayMs: 50 });
    for await (const chunk of llm.stream(HELLO, new AbortController().signal)) {
      if (chunk.type === 'text') break;
    }
    await waitFor('the server to see the socket close', () => server.requests.at(-1)!.closedEarly, 1000);
  });
});
