import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resilientStream, type FailurePolicy, type ResilienceEvent, type ResilientStreamOptions, type StreamSource } from './resilience.ts';
import { sleep } from './sleep.ts';

// Generic behaviour on plain string streams; resilient-llm.test.ts covers it over real HTTP.

class Failure extends Error {
  constructor(readonly retryable: boolean, readonly retryAfterMs?: number) {
    super(retryable ? 'transient' : 'permanent');
  }
}
class Timeout extends Error {
  constructor(readonly kind: string, readonly source: string) {
    super(`${kind} timeout on ${source}`);
  }
}
class Aborted extends Error {}

const policy: FailurePolicy = {
  timeoutError: (kind, _ms, source) => new Timeout(kind, source),
  abortError: () => new Aborted('aborted'),
  retryable: (error) => error instanceof Failure && error.retryable,
  retryAfterMs: (error) => (error instanceof Failure ? error.retryAfterMs : undefined),
};

type Step = string | Error | { waitMs: number } | 'hang' | 'hang-ignoring-signal';

/** A source playing one script per attempt, recording how each attempt ended. */
function source(name: string, ...attempts: Step[][]) {
  const log = { opened: 0, aborted: 0, returned: 0 };
  const src: StreamSource<string> = {
    name,
    open(signal) {
      const steps = attempts[log.opened++] ?? [];
      signal.addEventListener('abort', () => log.aborted++);
      return (async function* () {
        try {
          for (const step of steps) {
            if (step instanceof Error) throw step;
            if (step === 'hang') await sleep(60_000, signal);
            else if (step === 'hang-ignoring-signal') await new Promise(() => {});
            else if (typeof step === 'object') await sleep(step.waitMs, signal);
            else yield step;
          }
        } finally {
          log.returned++;
        }
      })();
    },
  };
  return Object.assign(src, { log });
}

async function run(sources: StreamSource<string>[], options: Partial<ResilientStreamOptions> = {}, signal = new AbortController().signal) {
  const items: string[] = [];
  const events: ResilienceEvent[] = [];
  let error: unknown;
  try {
    for await (const item of resilientStream(sources, signal, { policy, backoff: { initialMs: 5 }, onEvent: (e) => events.push(e), ...options })) {
      items.push(item);
    }
  } catch (e) {
    error = e;
  }
  return { items, events, error };
}

describe('resilientStream', () => {
  test('a retryable failure before any output is retried on the same source after a backoff', async () => {
    const a = source('a', [new Failure(true)], ['x', 'y']);
    const { items, events, error } = await run([a]);
    assert.equal(error, undefined);
    assert.deepEqual(items, ['x', 'y']);
    assert.equal(a.log.opened, 2);
    assert.deepEqual(events.map((e) => e.type === 'attempt_failed' && e.retryInMs), [5]);
  });

  test('a failure after output is never retried nor passed to the fallback: nothing is said twice', async () => {
    const a = source('a', ['x', new Failure(true)], ['x', 'y']);
    const b = source('b', ['z']);
    const { items, error } = await run([a, b]);
    assert.deepEqual(items, ['x']);
    assert.ok(error instanceof Failure);
    assert.equal(a.log.opened, 1);
    assert.equal(b.log.opened, 0);
  });

  test('no first item within firstItemTimeoutMs: the attempt is aborted and the fallback answers', async () => {
    const a = source('a', ['hang'], ['hang']);
    const b = source('b', ['from b']);
    const started = performance.now();
    const { items, events, error } = await run([a, b], { firstItemTimeoutMs: 40, retries: 0 });
    assert.equal(error, undefined);
    assert.deepEqual(items, ['from b']);
    assert.ok(performance.now() - started < 300);
    assert.equal(a.log.aborted, 1, 'the timed-out attempt was cancelled');
    assert.deepEqual(events.map((e) => e.type), ['attempt_failed', 'fallback']);
    const failed = events[0] as Extract<ResilienceEvent, { type: 'attempt_failed' }>;
    assert.equal((failed.error as Timeout).kind, 'first_item');
  });

  test('our timeouts go to the fallback without a retry, unless retryTimeouts; a source ignoring its signal cannot stall us', async () => {
    const timeoutRetryable = { ...policy, retryable: (e: unknown) => e instanceof Timeout || policy.retryable(e) };
    let a = source('a', ['hang-ignoring-signal'], ['never']);
    let b = source('b', ['ok']);
    let result = await run([a, b], { policy: timeoutRetryable, firstItemTimeoutMs: 30, retries: 1 });
    assert.deepEqual(result.items, ['ok']);
    assert.equal(a.log.opened, 1, 'a slow source is not asked twice while the caller waits');

    a = source('a', ['hang-ignoring-signal'], ['hang-ignoring-signal']);
    b = source('b', ['ok']);
    result = await run([a, b], { policy: timeoutRetryable, firstItemTimeoutMs: 30, retries: 1, retryTimeouts: true });
    assert.deepEqual(result.items, ['ok']);
    assert.equal(a.log.opened, 2);
  });

  test('a gap longer than idleTimeoutMs after output ends the stream with an idle timeout, no fallback', async () => {
    const a = source('a', ['x', { waitMs: 200 }, 'late']);
    const b = source('b', ['b']);
    const { items, error } = await run([a, b], { idleTimeoutMs: 40 });
    assert.deepEqual(items, ['x']);
    assert.equal((error as Timeout).kind, 'idle');
    assert.equal(a.log.aborted, 1);
    assert.equal(b.log.opened, 0);
  });

  test('totalTimeoutMs bounds everything, retries included', async () => {
    const a = source('a', [{ waitMs: 30 }, new Failure(true)], [{ waitMs: 30 }, new Failure(true)], ['hang']);
    const started = performance.now();
    const { error } = await run([a], { totalTimeoutMs: 120, retries: 5, backoff: { initialMs: 10 } });
    const took = performance.now() - started;
    assert.equal((error as Timeout).kind, 'total');
    assert.ok(took >= 110 && took < 250, `took ${took.toFixed(0)} ms`);
  });

  test('a non-retryable failure skips straight to the fallback', async () => {
    const a = source('a', [new Failure(false)], ['never']);
    const b = source('b', ['b']);
    const { items } = await run([a, b]);
    assert.deepEqual(items, ['b']);
    assert.equal(a.log.opened, 1);
  });

  test('Retry-After is honoured when short, and a long one moves on to the fallback without waiting', async () => {
    const a = source('a', [new Failure(true, 80)], ['a']);
    let started = performance.now();
    let result = await run([a]);
    assert.deepEqual(result.items, ['a']);
    assert.ok(performance.now() - started >= 75, 'waited as long as the server asked');

    const slow = source('slow', [new Failure(true, 30_000)], ['never']);
    const b = source('b', ['b']);
    started = performance.now();
    result = await run([slow, b]);
    assert.deepEqual(result.items, ['b']);
    assert.ok(performance.now() - started < 200);
  });

  test('when every source fails the last error is thrown', async () => {
    const a = source('a', [new Failure(false)]);
    const b = source('b', [new Failure(true)], [new Failure(true)]);
    const { error, events } = await run([a, b]);
    assert.ok(error instanceof Failure && error.retryable);
    assert.deepEqual(events.map((e) => `${e.type}:${e.type === 'fallback' ? e.to : e.source}`), [
      'attempt_failed:a', 'fallback:b', 'attempt_failed:b', 'attempt_failed:b',
    ]);
  });

  test('the caller aborting (mid-stream, or during a backoff) ends it at once with the abort error', async () => {
    const controller = new AbortController();
    const a = source('a', ['x', 'hang-ignoring-signal']);
    setTimeout(() => controller.abort(), 30);
    let started = performance.now();
    let result = await run([a], {}, controller.signal);
    assert.deepEqual(result.items, ['x']);
    assert.ok(result.error instanceof Aborted);
    assert.ok(performance.now() - started < 150);
    assert.equal(a.log.aborted, 1);

    const backingOff = new AbortController();
    const b = source('b', [new Failure(true, 1000)], ['never']);
    setTimeout(() => backingOff.abort(), 30);
    started = performance.now();
    result = await run([b], { maxRetryDelayMs: 5000 }, backingOff.signal);
    assert.ok(result.error instanceof Aborted);
    assert.ok(performance.now() - started < 150);
    assert.equal(b.log.opened, 1);
  });

  test('the caller aborting while it holds an item ends the stream with the abort error, nothing left unhandled', async () => {
    const controller = new AbortController();
    const a = source('a', ['x', 'hang', 'y']);
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of resilientStream([a], controller.signal, { policy })) {
          seen.push(item);
          controller.abort();
        }
      })(),
      Aborted,
    );
    assert.deepEqual(seen, ['x']);
    await sleep(5);
    assert.equal(a.log.returned, 1);
  });

  test('the consumer breaking out cancels the attempt and closes the source', async () => {
    const a = source('a', ['x', 'y', 'z']);
    for await (const item of resilientStream([a], new AbortController().signal, { policy })) {
      if (item === 'x') break;
    }
    await sleep(5);
    assert.equal(a.log.aborted, 1);
    assert.equal(a.log.returned, 1);
  });
});
