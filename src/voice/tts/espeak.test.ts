import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { synthesizeEspeak, TtsError, type TtsErrorCode } from './espeak.ts';

// These run the real espeak-ng (scripts/system-deps.sh installs it).

const SPANISH = 'Buenos días, le llamo de la clínica para confirmar su cita del martes a las diez.';
const ENGLISH = 'Hello, this is a quick call to confirm your appointment on Tuesday at ten.';

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length);
}

/** espeak-ng processes that are children of this test process (Linux /proc). */
function espeakChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..."
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match && match[1] === 'espeak-ng' && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

async function rejectsWith(promise: Promise<unknown>, code: TtsErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TtsError, `expected TtsError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('synthesizeEspeak', () => {
  test('Spanish: 8 kHz audio of a plausible length, not silent', async () => {
    const pcm = await synthesizeEspeak(SPANISH, { voice: 'es' });
    const seconds = pcm.length / 8000;
    // ~15 words at espeak's default 175 wpm, plus pauses: a few seconds, not milliseconds or minutes.
    assert.ok(seconds > 2.5 && seconds < 10, `${seconds} s`);
    assert.ok(rms(pcm) > 1000, `rms ${rms(pcm)}`);
  });

  test('English, and the female variant of a voice', async () => {
    const en = await synthesizeEspeak(ENGLISH, { voice: 'en-us' });
    assert.ok(en.length / 8000 > 2.5 && en.length / 8000 < 10);
    assert.ok(rms(en) > 1000);
    const female = await synthesizeEspeak('Hola, buenas tardes.', { voice: 'es+f3' });
    assert.ok(female.length > 4000 && rms(female) > 1000);
  });

  test('the length matches espeak-ng output at 22 050 Hz, resampled to 8 kHz', async () => {
    const { execFileSync } = await import('node:child_process');
    const raw = execFileSync('espeak-ng', ['--stdout', '-v', 'es', '--', 'Un momento, por favor.']);
    const rawSamples = (raw.length - 44) / 2;
    const pcm = await synthesizeEspeak('Un momento, por favor.', { voice: 'es' });
    assert.equal(raw.readUInt32LE(24), 22050);
    assert.equal(pcm.length, Math.ceil((rawSamples * 8000) / 22050));
  });

  test('speed changes the duration', async () => {
    const slow = await synthesizeEspeak(SPANISH, { voice: 'es', speedWpm: 120 });
    const fast = await synthesizeEspeak(SPANISH, { voice: 'es', speedWpm: 300 });
    assert.ok(fast.length < slow.length * 0.6, `fast ${fast.length} vs slow ${slow.length}`);
  });

  test('text is only text: no shell, no options', async () => {
    const marker = `/tmp/habla-espeak-injection-${process.pid}`;
    const pcm = await synthesizeEspeak(`--help; $(touch ${marker}) \`touch ${marker}\` "a" 'b' -v en`, { voice: 'es' });
    assert.ok(pcm.length > 8000 && rms(pcm) > 500, 'spoken as text');
    assert.equal(existsSync(marker), false);
  });

  test('empty or blank text is no audio, without running espeak', async () => {
    assert.equal((await synthesizeEspeak('  \n ', { voice: 'es' })).length, 0);
  });

  test('abort kills the process and rejects at once', async () => {
    const long = SPANISH.repeat(600); // ~3 s of work for espeak-ng
    const controller = new AbortController();
    const started = Date.now();
    const speech = synthesizeEspeak(long, { voice: 'es', signal: controller.signal });
    await sleep(50);
    assert.equal(espeakChildren().length, 1, 'espeak-ng is running');
    controller.abort();
    await rejectsWith(speech, 'ABORTED');
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    for (let i = 0; i < 50 && espeakChildren().length > 0; i++) await sleep(10);
    assert.deepEqual(espeakChildren(), []);
  });

  test('an already aborted signal rejects without starting espeak', async () => {
    await rejectsWith(synthesizeEspeak(SPANISH, { voice: 'es', signal: AbortSignal.abort() }), 'ABORTED');
  });

  test('a timeout kills a synthesis that takes too long', async () => {
    await rejectsWith(synthesizeEspeak(SPANISH.repeat(200), { voice: 'es', timeoutMs: 30 }), 'TIMEOUT');
    for (let i = 0; i < 50 && espeakChildren().length > 0; i++) await sleep(10);
    assert.deepEqual(espeakChildren(), []);
  });

  test('an unknown or malformed voice is UNKNOWN_VOICE', async () => {
    await rejectsWith(synthesizeEspeak('hola', { voice: 'zz-nonexistent' }), 'UNKNOWN_VOICE');
    await rejectsWith(synthesizeEspeak('hola', { voice: '--help' }), 'UNKNOWN_VOICE');
    await rejectsWith(synthesizeEspeak('hola', { voice: 'es es' }), 'UNKNOWN_VOICE');
  });

  test('a missing binary is ENGINE_NOT_FOUND', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-habla-bin';
    try {
      await rejectsWith(synthesizeEspeak('hola', { voice: 'es' }), 'ENGINE_NOT_FOUND');
    } finally {
      process.env.PATH = path;
    }
  });
});
