// One provider stream that ResilientStt feeds caller audio to as it arrives: the "live"
// connection, giving interims and (normally) the finals. It answers each flush() with a
// promise of that utterance's final, matched in order (a provider sends one final per flush,
// in flush order). When it fails, every pending promise is rejected and it takes no more
// audio: ResilientStt then transcribes the kept audio elsewhere and opens a new one.

import { SttError } from './errors.ts';
import type { SttOpenOptions, SttProvider, SttResult, SttStream } from './types.ts';

export interface LiveSessionHooks {
  onInterim(result: SttResult, session: LiveSession): void;
  /** The stream failed by itself (not through fail() or close()). */
  onFailure(error: unknown, session: LiveSession): void;
}

export class LiveSession {
  readonly providerIndex: number;
  readonly provider: SttProvider;
  /** Stream position (samples) of the first sample this session was given: its time 0. */
  readonly offsetSamples: number;
  readonly #stream: SttStream;
  readonly #controller = new AbortController();
  readonly #waiters: { resolve: (r: SttResult) => void; reject: (e: unknown) => void }[] = [];
  readonly #hooks: LiveSessionHooks;
  #failure: unknown;
  #closing = false;

  constructor(
    provider: SttProvider, providerIndex: number, options: SttOpenOptions, offsetSamples: number, outer: AbortSignal, hooks: LiveSessionHooks,
  ) {
    this.provider = provider;
    this.providerIndex = providerIndex;
    this.offsetSamples = offsetSamples;
    this.#hooks = hooks;
    const onAbort = () => this.fail(outer.reason);
    if (outer.aborted) this.#controller.abort(outer.reason);
    else outer.addEventListener('abort', onAbort, { once: true });
    this.#controller.signal.addEventListener('abort', () => outer.removeEventListener('abort', onAbort), { once: true });
    this.#stream = provider.open(options, this.#controller.signal);
    void this.#pump();
  }

  /** No longer usable: failed, aborted or closing. */
  get failed(): boolean {
    return this.#failure !== undefined || this.#closing;
  }

  push(frame: Int16Array): void {
    if (!this.failed) this.#stream.push(frame);
  }

  /** Ends the utterance on this stream; resolves with its final, rejects if the stream fails first. */
  flush(): Promise<SttResult> {
    if (this.failed) return Promise.reject(this.#failure ?? new SttError('aborted', 'STT session closed'));
    const final = new Promise<SttResult>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    final.catch(() => {}); // whoever awaits it sees the rejection; nobody else must
    this.#stream.flush();
    return final;
  }

  /** Abandons the session: the provider stream is aborted at once, pending finals rejected with `reason`. */
  fail(reason: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason ?? new SttError('aborted', 'STT session abandoned');
    this.#controller.abort(this.#failure);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }

  /** Graceful end within `timeoutMs` (pending finals still arrive), then aborted. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#failure !== undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.#stream.close().catch(() => {}), late]);
    clearTimeout(timer);
    this.fail(new SttError('aborted', 'STT session closed'));
  }

  async #pump(): Promise<void> {
    try {
      for await (const result of this.#stream.results()) {
        if (result.type === 'final') this.#waiters.shift()?.resolve(result);
        else if (!this.failed) this.#hooks.onInterim(result, this);
      }
      if (this.#closing || this.#failure !== undefined) return;
      const error = new SttError('protocol', `${this.provider.name}: stream ended on its own`);
      this.fail(error);
      this.#hooks.onFailure(error, this);
    } catch (error) {
      if (this.#failure !== undefined) return; // we ended it
      this.fail(error);
      if (!this.#closing) this.#hooks.onFailure(error, this);
    }
  }
}
