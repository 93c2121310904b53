import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadVoiceCatalog, type LiveVoiceCatalog } from '../../src/voice/tts/voices.ts';
import { createTestApi, type TestApi } from '../helpers/app.ts';
import { contractValidator } from '../helpers/contract.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startMockElevenLabs, type MockElevenLabsServer } from '../helpers/mock-elevenlabs-server.ts';

// The voices API over a catalogue built from configuration: espeak-ng's voices, the
// ElevenLabs account's (listed from a server speaking ElevenLabs' protocol) and an
// OpenAI-compatible server's. Voices are not stored, so one database engine is enough here;
// test/http/voices.test.ts covers favourites on both.

const KEY = 'xi-http-voices-key';
const matchesContract = contractValidator('VoiceResponseSchema');

describe('voices API with ElevenLabs and an OpenAI-compatible server configured', () => {
  let server: MockElevenLabsServer;
  let catalog: LiveVoiceCatalog;
  let api: TestApi;
  before(async () => {
    server = await startMockElevenLabs({ apiKey: KEY });
    catalog = await loadVoiceCatalog({
      elevenlabs: { apiKey: KEY, baseUrl: server.baseUrl, model: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000' },
      openai: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined, model: 'tts-1', responseFormat: 'pcm', voices: undefined },
    });
    api = await createTestApi(TEST_DATABASES[0], { voices: catalog });
  });
  after(async () => {
    catalog.close();
    await api.app.close();
    await api.store.close();
    await server.close();
  });

  async function all(query = ''): Promise<any[]> {
    const voices: any[] = [];
    for (let after = ''; ;) {
      const r = await api.request('GET', `/v1/voice/?limit=50&order=asc${after}${query}`);
      assert.equal(r.status, 200, r.raw);
      voices.push(...r.body.data);
      if (!r.body.has_more) return voices;
      after = `&after=${r.body.last_id}`;
    }
  }

  it('lists every configured engine’s voices, in the contract’s shape', async () => {
    const voices = await all();
    assert.deepEqual(voices.map((v) => v.id), catalog.list().map((v) => v.id));
    const eleven = voices.filter((v) => v.provider === 'elevenlabs');
    assert.deepEqual(eleven.map((v) => v.name).sort(), ['David Martin', 'Rachel']);
    for (const voice of eleven) assert.deepEqual(matchesContract(voice), [], voice.name);
    const openai = voices.filter((v) => v.provider === 'openai');
    assert.equal(openai.length, 9);
    // `openai` extends the contract's provider enum, as `espeak` does; everything else must match it.
    for (const voice of openai) assert.deepEqual(matchesContract({ ...voice, provider: 'elevenlabs' }), [], voice.name);
  });

  it('gets, searches and filters them like any voice', async () => {
    const david = catalog.list().find((v) => v.name === 'David Martin')!;
    const got = await api.request('GET', `/v1/voice/${david.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { ...david, is_favourite: false });
    assert.equal(got.body.preview_urls?.['es-ES'], 'https://storage.example/david-es.mp3');

    assert.deepEqual((await all('&search=rachel')).map((v) => v.provider), ['elevenlabs']);
    assert.ok((await all('&gender=female')).some((v) => v.name === 'Rachel'));
    assert.deepEqual((await all('&search=shimmer')).map((v) => v.provider_voice_id), ['shimmer']);

    const favourite = await api.request('POST', `/v1/voice/favourite/${david.id}`);
    assert.equal(favourite.status, 201);
    assert.equal(favourite.body.provider, 'elevenlabs');
  });
});
