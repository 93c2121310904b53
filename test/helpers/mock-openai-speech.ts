import { pcmWavHeader } from '../../src/lib/audio/wav.ts';
import { ReplyQueue, sendAudio, sendJson, startRecordingServer, type MockSpeechReply, type RecordedSpeechRequest } from './mock-speech-core.ts';
import { pcmBytes, sineTone } from './tone.ts';

// A real local HTTP server speaking OpenAI's speech protocol: POST /v1/audio/speech with
// {model, input, voice, response_format} answers a chunked audio body holding a known tone —
// `pcm`: raw 16-bit LE mono at 24 kHz (OpenAI's documented format); `wav`: a WAV header whose
// sizes say "unknown" (0xFFFFFFFF, as a streaming server writes it) then PCM at `wavRate`.
// Other formats get OpenAI's 400. With `requireKey`, a wrong key gets OpenAI's 401, which
// echoes the key it was sent.

export interface MockOpenAiSpeechOptions {
  requireKey?: string;
  /** Sample rate of `wav` answers (default 24 000; self-hosted servers vary). */
  wavRate?: number;
  /** Voice names the server knows (default: any). */
  voices?: string[];
}

export interface MockOpenAiSpeechServer {
  /** `http://127.0.0.1:<port>/v1`, the base URL a client is configured with. */
  baseUrl: string;
  requests: RecordedSpeechRequest[];
  reply(...replies: MockSpeechReply[]): void;
  script(fn: (request: RecordedSpeechRequest) => MockSpeechReply): void;
  close(): Promise<void>;
}

export async function startMockOpenAiSpeech(options: MockOpenAiSpeechOptions = {}): Promise<MockOpenAiSpeechServer> {
  const queue = new ReplyQueue();
  const server = await startRecordingServer(async (record, res) => {
    if (record.method !== 'POST' || record.path !== '/v1/audio/speech') {
      return sendJson(res, 404, openAiError(`no route ${record.method} ${record.path}`));
    }
    if (options.requireKey !== undefined && record.headers.authorization !== `Bearer ${options.requireKey}`) {
      const sent = String(record.headers.authorization ?? '').replace(/^Bearer /, '');
      return sendJson(res, 401, openAiError(`Incorrect API key provided: ${sent}.`, 'invalid_api_key'));
    }
    const { input, voice, response_format: format = 'mp3' } = record.body ?? {};
    if (typeof input !== 'string' || input === '') return sendJson(res, 400, openAiError("Missing required parameter: 'input'."));
    if (options.voices && !options.voices.includes(voice)) return sendJson(res, 400, openAiError(`Invalid voice '${voice}'.`));
    const reply = queue.next(record);
    const tone = (rate: number) => cachedTone(reply.toneHz ?? 1000, rate, reply.durationMs ?? 600);
    if (format === 'pcm') return sendAudio(record, res, reply, 'audio/pcm', () => tone(24_000));
    if (format === 'wav') {
      const rate = options.wavRate ?? 24_000;
      const header = pcmWavHeader({ channels: 1, sampleRate: rate }, 0xffffffff);
      return sendAudio(record, res, reply, 'audio/wav', () => Buffer.concat([header, tone(rate)]));
    }
    return sendJson(res, 400, openAiError(`mock supports pcm and wav, not ${format}`));
  });
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    requests: server.requests,
    reply: (...replies) => queue.push(...replies),
    script: (fn) => queue.script(fn),
    close: server.close,
  };
}

/** Tones are the same for every request alike: computed once (a load bench makes thousands). */
const tones = new Map<string, Buffer>();
function cachedTone(hz: number, rate: number, ms: number): Buffer {
  const key = `${hz}/${rate}/${ms}`;
  let bytes = tones.get(key);
  if (!bytes) tones.set(key, (bytes = pcmBytes(sineTone(hz, rate, ms))));
  return bytes;
}

function openAiError(message: string, code: string | null = null): object {
  return { error: { message, type: 'invalid_request_error', param: null, code } };
}
