import { encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { ReplyQueue, sendAudio, sendJson, startRecordingServer, type MockSpeechReply, type RecordedSpeechRequest } from './mock-speech-core.ts';
import { pcmBytes, sineTone } from './tone.ts';

// A real local HTTP server speaking ElevenLabs' REST protocol, for tests of the ElevenLabs
// adapter and the voice catalogue:
// - POST /v1/text-to-speech/{voice_id}/stream?output_format=… answers a chunked audio body in
//   the requested format (ulaw_8000: G.711 µ-law bytes from our sox-identical encoder;
//   pcm_<rate>: 16-bit LE mono at that rate) holding a known tone, with pauses between chunks;
// - GET /v1/voices answers `{voices: [...]}` in ElevenLabs' shape;
// - every request needs `xi-api-key`; a wrong one gets ElevenLabs' 401, echoing the key
//   (a client must not log or surface it); an unknown voice gets 404 voice_not_found.

export interface MockElevenLabsVoice {
  voice_id: string;
  name: string;
  category?: string;
  labels?: Record<string, string>;
  preview_url?: string | null;
  fine_tuning?: { language?: string | null };
  verified_languages?: { language: string; model_id?: string; accent?: string | null; locale?: string | null; preview_url?: string | null }[];
}

export const MOCK_ELEVENLABS_VOICES: MockElevenLabsVoice[] = [
  {
    voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', category: 'premade',
    labels: { accent: 'american', gender: 'female', age: 'young', use_case: 'narration' },
    preview_url: 'https://storage.example/rachel.mp3',
  },
  {
    voice_id: 'Nh2zY9kknu6z4pZy6FhD', name: 'David Martin', category: 'professional',
    labels: { accent: 'peninsular', gender: 'male', language: 'es' },
    preview_url: 'https://storage.example/david.mp3',
    verified_languages: [{ language: 'es', model_id: 'eleven_flash_v2_5', locale: 'es-ES', preview_url: 'https://storage.example/david-es.mp3' }],
  },
];

export interface MockElevenLabsOptions {
  apiKey: string;
  voices?: MockElevenLabsVoice[];
}

export interface MockElevenLabsServer {
  /** `http://127.0.0.1:<port>`, the base URL (without /v1) a client is configured with. */
  baseUrl: string;
  requests: RecordedSpeechRequest[];
  /** Queues replies for the next synthesis requests, in order. */
  reply(...replies: MockSpeechReply[]): void;
  /** Answers every synthesis request not served by the queue. */
  script(fn: (request: RecordedSpeechRequest) => MockSpeechReply): void;
  /** What GET /v1/voices answers next: the voice list (default) or a failure. */
  voicesReply: { status?: number; hang?: boolean };
  voices: MockElevenLabsVoice[];
  close(): Promise<void>;
}

const STREAM_PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream$/;

export async function startMockElevenLabs(options: MockElevenLabsOptions): Promise<MockElevenLabsServer> {
  const queue = new ReplyQueue();
  const state = { voices: options.voices ?? MOCK_ELEVENLABS_VOICES, voicesReply: {} as { status?: number; hang?: boolean } };
  const server = await startRecordingServer(async (record, res) => {
    const key = record.headers['xi-api-key'];
    if (key !== options.apiKey) {
      return sendJson(res, 401, { detail: { status: 'invalid_api_key', message: `Invalid API key: ${String(key ?? '')}` } });
    }
    if (record.method === 'GET' && record.path === '/v1/voices') {
      if (state.voicesReply.hang) return;
      if (state.voicesReply.status) return sendJson(res, state.voicesReply.status, { detail: { status: 'system_busy', message: 'busy' } });
      return sendJson(res, 200, { voices: state.voices });
    }
    const match = STREAM_PATH.exec(record.path);
    if (record.method !== 'POST' || !match) return sendJson(res, 404, { detail: 'Not Found' });
    const voiceId = decodeURIComponent(match[1]);
    if (!state.voices.some((v) => v.voice_id === voiceId)) {
      return sendJson(res, 404, { detail: { status: 'voice_not_found', message: `A voice with the voice_id ${voiceId} was not found.` } });
    }
    if (typeof record.body?.text !== 'string' || record.body.text === '') {
      return sendJson(res, 422, { detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] });
    }
    const format = record.query.get('output_format') ?? 'mp3_44100_128';
    const encoded = encoderFor(format);
    if (!encoded) return sendJson(res, 400, { detail: { status: 'invalid_output_format', message: `mock supports ulaw_8000 and pcm_*, not ${format}` } });
    const reply = queue.next(record);
    await sendAudio(record, res, reply, encoded.contentType, () => encoded.encode(sineTone(reply.toneHz ?? 1000, encoded.rate, reply.durationMs ?? 600)));
  });
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    requests: server.requests,
    reply: (...replies) => queue.push(...replies),
    script: (fn) => queue.script(fn),
    get voicesReply() {
      return state.voicesReply;
    },
    set voicesReply(value) {
      state.voicesReply = value;
    },
    get voices() {
      return state.voices;
    },
    set voices(value) {
      state.voices = value;
    },
    close: server.close,
  };
}

function encoderFor(format: string): { rate: number; contentType: string; encode: (pcm: Int16Array) => Buffer } | undefined {
  const [codec, rateText] = format.split('_');
  const rate = Number(rateText);
  if (codec === 'ulaw' && rate === 8000) return { rate, contentType: 'audio/basic', encode: (pcm) => Buffer.from(encodeUlaw(pcm)) };
  if (codec === 'pcm' && [8000, 16000, 22050, 24000, 44100, 48000].includes(rate)) {
    return { rate, contentType: 'audio/pcm', encode: pcmBytes };
  }
  return undefined;
}
