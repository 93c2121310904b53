import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startMockOpenAi, type MockOpenAiServer } from '../../../test/helpers/mock-openai-server.ts';
import { waitFor } from '../../../test/helpers/webhook-receiver.ts';
import { loadConfig } from '../../config/index.ts';
import { REDACTED_PATHS } from '../../lib/logger.ts';
import type { ResilienceEvent } from '../providers/resilience.ts';
import { OpenAiCompatibleLlm } from '../providers/openai-compatible/llm.ts';
import { collectReply } from './collect.ts';
import { createLlmProvider, type LlmSettings } from './create-llm.ts';
import { LlmError } from './errors.ts';
import { ResilientLlm } from './resilient-llm.ts';
import type { LlmChunk, LlmRequest } from './types.ts';

const REQUEST: LlmRequest = { messages: [{ role: 'user', content: 'Hola' }] };
const signal = () => new AbortController().signal;

let primary: MockOpenAiServer;
let backup: MockOpenAiServer;
before(async () => {
  primary = await startMockOpenAi();
  backup = await startMockOpenAi();
});
after(async () => {
  await primary.close();
  await backup.close();
});

function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
  // The production redaction list, so this checks what `habla serve` would write.
  const logger = pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
  return { logger, text: () => lines.join('') };
}

async function texts(stream: AsyncIterable<LlmChunk>, seen: string[] = []): Promise<string[]> {
  for await (const chunk of stream) if (chunk.type === 'text') seen.push(chunk.text);
  return seen;
}

describe('ResilientLlm over HTTP', () => {
  test('a 500 before any output is retried and the reply is heard once', async () => {
    primary.reply({ status: 500 }, { text: 'Buenas tardes.' });
    const events: ResilienceEvent[] = [];
    const llm = new ResilientLlm([new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' })], {
      backoff: { initialMs: 10 }, onEvent: (e) => events.push(e),
    });
    const before = primary.requests.length;
    assert.deepEqual(await texts(llm.stream(REQUEST, signal())), ['Buenas', ' tardes.']);
    assert.equal(primary.requests.length - before, 2);
    assert.equal(events.length, 1);
    assert.equal(events[0].type === 'attempt_failed' && (events[0].error as LlmError).code, 'server');
  });

  test('a failure after words were streamed is not retried: the words are not repeated', async () => {
    // The token gap lets the first words reach the client before the connection breaks
    // (undici drops body bytes it has not handed out yet when the socket dies).
    primary.reply({ text: 'uno dos tres cuatro', dropAfterDeltas: 2, tokenDelayMs: 30 }, { text: 'uno dos tres cuatro' });
    const llm = new ResilientLlm([new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' })], { backoff: { initialMs: 10 } });
    const before = primary.requests.length;
    const seen: string[] = [];
    await assert.rejects(texts(llm.stream(REQUEST, signal()), seen), (e: unknown) => e instanceof LlmError && e.code === 'network');
    assert.deepEqual(seen, ['uno', ' dos']);
    assert.equal(primary.requests.length - before, 1, 'no second request');
    // The second queued reply was never asked for: the next plain request still gets it.
    assert.deepEqual(await texts(new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' }).stream(REQUEST, signal())), ['uno', ' dos', ' tres', ' cuatro']);
  });

  test('no first token in time → the primary request is cancelled and the fallback provider answers', async () => {
    primary.reply({ firstTokenDelayMs: 5000, text: 'demasiado tarde' });
    backup.reply({ text: 'Soy el respaldo.' });
    const { logger, text } = memoryLogger();
    const llm = new ResilientLlm([
      new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'slow' }),
      new OpenAiCompatibleLlm({ baseUrl: backup.baseUrl, model: 'quick' }),
    ], { firstItemTimeoutMs: 150, logger });
    const asked = primary.requests.length;
    const started = performance.now();
    assert.deepEqual(await texts(llm.stream(REQUEST, signal())), ['Soy', ' el', ' respaldo.']);
    const took = performance.now() - started;
    assert.ok(took >= 140 && took < 1000, `answered after ${took.toFixed(0)} ms`);
    assert.equal(backup.requests.at(-1)!.body.model, 'quick');
    assert.equal(primary.requests.length - asked, 1, 'with a fallback, the slow primary is not asked twice');
    await waitFor('the slow request to be closed', () => primary.requests.at(-1)!.closedEarly, 1000);
    const log = text();
    assert.match(log, /no first token within 150 ms/);
    assert.match(log, /LLM falling back to the next provider/);
  });

  test('429 with a short Retry-After is waited out; with a long one the fallback answers at once', async () => {
    primary.reply({ status: 429, headers: { 'retry-after': '0.2' } }, { text: 'Ya.' });
    const single = new ResilientLlm([new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' })], { backoff: { initialMs: 10 } });
    let started = performance.now();
    assert.deepEqual(await texts(single.stream(REQUEST, signal())), ['Ya.']);
    assert.ok(performance.now() - started >= 190, 'waited the 200 ms the server asked for');

    primary.reply({ status: 429, headers: { 'retry-after': '60' } });
    backup.reply({ text: 'Respaldo.' });
    const both = new ResilientLlm([
      new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' }),
      new OpenAiCompatibleLlm({ baseUrl: backup.baseUrl, model: 'm' }),
    ]);
    started = performance.now();
    assert.deepEqual(await texts(both.stream(REQUEST, signal())), ['Respaldo.']);
    assert.ok(performance.now() - started < 500);
  });

  test('aborting through the resilient layer closes the vendor connection', async () => {
    primary.reply({ text: 'a b c d e f g h', tokenDelayMs: 100 });
    const llm = new ResilientLlm([new OpenAiCompatibleLlm({ baseUrl: primary.baseUrl, model: 'm' })]);
    const controller = new AbortController();
    await assert.rejects(
      (async () => {
        for await (const chunk of llm.stream(REQUEST, controller.signal)) if (chunk.type === 'text') controller.abort();
      })(),
      (e: unknown) => e instanceof LlmError && e.code === 'aborted',
    );
    await waitFor('the server to see the close', () => primary.requests.at(-1)!.closedEarly, 1000);
  });
});

describe('API keys stay out of logs', () => {
  test('a refused key echoed by the server, the config and the provider objects all log without the key', async () => {
    const strict = await startMockOpenAi({ requireKey: 'sk-expected-key-000' });
    const KEY = 'sk-live-THIS-MUST-NOT-LEAK-1234567890';
    try {
      const config = loadConfig({
        HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: strict.baseUrl, HABLA_LLM_API_KEY: KEY, HABLA_LLM_MODEL: 'gpt-test',
        HABLA_LLM_FALLBACK_BASE_URL: backup.baseUrl, HABLA_LLM_FALLBACK_API_KEY: `${KEY}-fallback`, HABLA_LLM_FALLBACK_MODEL: 'm2',
      });
      const { logger, text } = memoryLogger();
      backup.reply({ text: 'Hola.' });
      const llm = createLlmProvider(config.llm, { logger });
      assert.equal((await collectReply(llm.stream(REQUEST, signal()))).text, 'Hola.');
      assert.equal(strict.requests.at(-1)!.headers.authorization, `Bearer ${KEY}`, 'the key was really sent (and refused)');
      assert.equal(backup.requests.at(-1)!.headers.authorization, `Bearer ${KEY}-fallback`);

      logger.info({ llm: config.llm }, 'llm settings');
      logger.info(config, 'whole config');
      logger.info({ config }, 'nested config');
      logger.info({ provider: llm, inner: new OpenAiCompatibleLlm(config.llm.provider === 'openai' ? config.llm.primary : assert.fail()) }, 'providers');
      logger.info({ req: { headers: { authorization: `Bearer ${KEY}` } } }, 'request headers');
      const log = text();
      assert.match(log, /LLM attempt failed/);
      assert.match(log, /"code":"auth"/);
      assert.match(log, /\[redacted\]/);
      assert.ok(!log.includes(KEY), `the key leaked into:\n${log.split('\n').filter((l) => l.includes(KEY)).join('\n')}`);
      assert.ok(!log.includes('THIS-MUST-NOT-LEAK'));
    } finally {
      await strict.close();
    }
  });
});

describe('createLlmProvider', () => {
  test('scripted (the default) runs the offline demo', async () => {
    const settings: LlmSettings = loadConfig({}).llm;
    const reply = await collectReply(createLlmProvider(settings).stream(REQUEST, signal()));
    assert.match(reply.text, /«Hola»/);
    assert.equal(reply.finishReason, 'stop');
  });

  test('openai settings from the environment talk to the configured server and model', async () => {
    primary.reply({ text: 'Configurado.' });
    const settings: LlmSettings = loadConfig({ HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: primary.baseUrl, HABLA_LLM_MODEL: 'qwen2.5' }).llm;
    const llm = createLlmProvider(settings);
    assert.equal(llm.name, `openai-compatible:qwen2.5@${new URL(primary.baseUrl).host}`);
    assert.equal((await collectReply(llm.stream(REQUEST, signal()))).text, 'Configurado.');
    assert.equal(primary.requests.at(-1)!.body.model, 'qwen2.5');
  });
});
