import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startMockDeepgram } from '../../../test/helpers/mock-deepgram-server.ts';
import { startMockOpenAiTranscription } from '../../../test/helpers/mock-openai-transcription.ts';
import { writeTestTransducer } from '../../../test/helpers/sherpa-test-model.ts';
import { frames, pushFrames, readResults, silence, speech } from '../../../test/helpers/speech-frames.ts';
import { sineTone } from '../../../test/helpers/tone.ts';
import { loadConfig } from '../../config/index.ts';
import { createSttProvider, sttLanguage } from './create-stt.ts';
import type { SttProvider } from './types.ts';

async function hear(stt: SttProvider, language = 'es'): Promise<string> {
  const stream = stt.open({ language, sampleRate: 8000 }, new AbortController().signal);
  await pushFrames(stream, frames(await speech('Buenas tardes.'), silence(100)));
  stream.flush();
  const { final } = await readResults(stream.results()).untilFinal();
  await stream.close();
  return final.text;
}

describe('createSttProvider(config.stt)', () => {
  test('the default is scripted, hearing the offline demo lines; HABLA_STT_SCRIPT replaces them', async () => {
    const demo = createSttProvider(loadConfig({}).stt);
    assert.equal(demo.name, 'scripted');
    assert.equal(await hear(demo), 'Hola, buenos días.');
    const scripted = createSttProvider(loadConfig({ HABLA_STT_SCRIPT: '["Quiero mi saldo."]' }).stt);
    assert.equal(await hear(scripted), 'Quiero mi saldo.');
  });

  test('deepgram and openai settings reach a working adapter (against the local mocks)', async () => {
    const deepgram = await startMockDeepgram({ texts: ['Buenas tardes.'] });
    const whisper = await startMockOpenAiTranscription({ texts: ['Buenas tardes.'] });
    try {
      const dg = createSttProvider(loadConfig({ HABLA_STT_PROVIDER: 'deepgram', HABLA_STT_BASE_URL: deepgram.baseUrl, HABLA_STT_API_KEY: deepgram.apiKey, HABLA_STT_LANGUAGE: 'es-419' }).stt);
      assert.equal(dg.name, 'deepgram:nova-3');
      assert.equal(await hear(dg), 'Buenas tardes.');
      const oa = createSttProvider(loadConfig({ HABLA_STT_PROVIDER: 'openai', HABLA_STT_BASE_URL: whisper.baseUrl, HABLA_STT_MODEL: 'whisper-large-v3-turbo' }).stt);
      assert.match(oa.name, /^openai-compatible-stt:whisper-large-v3-turbo@127\.0\.0\.1:/);
      assert.equal(await hear(oa), 'Buenas tardes.');
      assert.equal(whisper.requests[0].fields.model, 'whisper-large-v3-turbo');
    } finally {
      await Promise.all([deepgram.close(), whisper.close()]);
    }
  });

  test('sherpa-onnx settings reach real recognition through ResilientStt (the model loaded and timed at creation)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'habla-create-stt-'));
    const infos: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: () => {}, info: (fields: Record<string, unknown>, message: string) => void infos.push({ fields, message }) };
    try {
      writeTestTransducer(join(root, 'es-model'));
      // The adapter's worker is not closed here: idle, it does not keep the process alive.
      const stt = createSttProvider(loadConfig({ HABLA_STT_PROVIDER: 'sherpa-onnx', HABLA_STT_SHERPA_MODEL_DIR: join(root, 'es-model') }).stt, { logger: logger as never });
      assert.equal(stt.name, 'sherpa-onnx:es-model');
      const stream = stt.open({ language: 'es', sampleRate: 8000 }, new AbortController().signal);
      await pushFrames(stream, frames(sineTone(700, 8000, 500, 8000), silence(100)));
      stream.flush();
      const { final } = await readResults(stream.results()).untilFinal();
      await stream.close();
      assert.deepEqual([final.text, final.provider, final.error], ['sí señor', 'sherpa-onnx:es-model', undefined]);
      assert.equal(infos[0].message, 'sherpa-onnx model loads and decodes');
      assert.equal(infos[0].fields.family, 'transducer');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the configured language overrides the agent’s; unset, the agent’s is used', () => {
    assert.equal(sttLanguage(loadConfig({ HABLA_STT_LANGUAGE: 'en' }).stt, 'es'), 'en');
    assert.equal(sttLanguage(loadConfig({}).stt, 'es'), 'es');
  });
});
