import { spawn } from 'node:child_process';
import { resample } from '../../lib/audio/resampler.ts';
import { readWav } from '../../lib/audio/wav.ts';
import { abortedError, TtsError } from './errors.ts';

// Local text-to-speech through the espeak-ng binary: no network, ~50 ms per sentence.
// The text goes to the process on stdin, never on the command line: no shell is involved,
// nothing in it can be read as an option, and what the caller is told stays out of `ps`.

export { TtsError, type TtsErrorCode } from './errors.ts';

export interface EspeakOptions {
  /** espeak voice id as in espeak-catalog's provider_voice_id: 'es', 'es+f3', 'en-us'. */
  voice: string;
  /** Words per minute; espeak's own default is 175. Clamped to espeak's 80–450. */
  speedWpm?: number;
  signal?: AbortSignal;
  /** Default 15 000. */
  timeoutMs?: number;
}

export const TELEPHONY_RATE = 8000;
const DEFAULT_TIMEOUT_MS = 15_000;
const BINARY = 'espeak-ng';
// Voice files, language codes and variants: `es`, `en-us`, `roa/es`, `es+f3`. Anything else
// (spaces, leading dashes) is not a voice and is refused before a process starts.
const VOICE_ID = /^[A-Za-z0-9][A-Za-z0-9_\-+/]*$/;
const MAX_STDERR = 4096;

/** Speaks `text` with espeak-ng; mono 16-bit PCM at 8 kHz. */
export async function synthesizeEspeak(text: string, options: EspeakOptions): Promise<Int16Array> {
  const { voice, signal } = options;
  if (signal?.aborted) throw aborted(signal);
  if (!VOICE_ID.test(voice)) throw new TtsError('UNKNOWN_VOICE', `espeak-ng voice "${voice}" is not a valid voice id`);
  if (text.trim() === '') return new Int16Array(0);
  const wav = await runEspeak(text, espeakArgs(options), signal, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let audio;
  try {
    audio = readWav(wav);
  } catch (error) {
    throw new TtsError('SYNTHESIS_FAILED', 'espeak-ng produced no readable WAV', { cause: error });
  }
  return resample(audio.channels[0], audio.sampleRate, TELEPHONY_RATE);
}

function espeakArgs(options: EspeakOptions): string[] {
  // -b 1: the text is UTF-8 whatever the process locale (accents and ñ in Spanish).
  const args = ['--stdout', '-b', '1', '-v', options.voice];
  if (options.speedWpm !== undefined) {
    if (!Number.isFinite(options.speedWpm)) throw new RangeError('speedWpm must be a finite number');
    args.push('-s', String(Math.min(450, Math.max(80, Math.round(options.speedWpm)))));
  }
  args.push('--stdin');
  return args;
}

function runEspeak(text: string, args: string[], signal: AbortSignal | undefined, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    let settled = false;

    const finish = (error: TtsError | undefined, result?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(error);
      } else {
        resolve(result!);
      }
    };
    const onAbort = () => finish(aborted(signal!));
    const timer = setTimeout(() => finish(new TtsError('TIMEOUT', `espeak-ng took longer than ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        finish(new TtsError('ENGINE_NOT_FOUND', 'espeak-ng is not installed (run scripts/system-deps.sh runtime)', { cause: error }));
      } else {
        finish(new TtsError('SYNTHESIS_FAILED', `espeak-ng could not run: ${error.message}`, { cause: error }));
      }
    });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8');
    });
    // The process may exit (bad voice) before reading its input; that EPIPE is not the error to report.
    child.stdin.on('error', () => {});
    child.stdin.end(text, 'utf8');

    child.on('close', (code, killSignal) => {
      if (code === 0) return finish(undefined, Buffer.concat(stdout));
      finish(exitError(code, killSignal, stderr));
    });
  });
}

function exitError(code: number | null, killSignal: NodeJS.Signals | null, stderr: string): TtsError {
  const detail = stderr.trim().slice(0, 300);
  if (/voice does not exist/i.test(stderr)) return new TtsError('UNKNOWN_VOICE', `espeak-ng: ${detail}`);
  const how = killSignal ? `was killed by ${killSignal}` : `exited with code ${code}`;
  return new TtsError('SYNTHESIS_FAILED', `espeak-ng ${how}${detail ? `: ${detail}` : ''}`);
}

function aborted(signal: AbortSignal): TtsError {
  return abortedError(signal);
}
