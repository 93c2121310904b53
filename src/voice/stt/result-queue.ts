// The results() side of an STT stream: producers push as results arrive (socket messages,
// HTTP answers, timers), one consumer pulls with for-await. Nothing is buffered twice and
// nothing waits on the consumer: a slow consumer only lets the queue grow.

export class ResultQueue<T> {
  readonly #items: T[] = [];
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;
  #failed = false;
  #iterated = false;

  push(item: T): void {
    if (this.#ended || this.#failed) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
    } else this.#items.push(item);
  }

  /** No more items: the consumer gets what is queued, then the end. */
  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    this.#settleWaiting();
  }

  /**
   * The stream failed: the consumer gets what is queued, then `error` (with `discard`, at once:
   * an abort means nobody wants the rest).
   */
  fail(error: unknown, options: { discard?: boolean } = {}): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#error = error;
    if (options.discard) this.#items.length = 0;
    this.#settleWaiting();
  }

  get settled(): boolean {
    return this.#ended || this.#failed;
  }

  iterate(): AsyncIterable<T> {
    if (this.#iterated) throw new Error('STT results can be iterated only once');
    this.#iterated = true;
    return { [Symbol.asyncIterator]: () => this.#iterator() };
  }

  #iterator(): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
        if (this.#failed) return Promise.reject(this.#error);
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
      },
      // The consumer left the loop: later items are of no use to anyone.
      return: () => {
        this.#items.length = 0;
        this.#ended = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #settleWaiting(): void {
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    if (this.#failed) waiting.reject(this.#error);
    else waiting.resolve({ value: undefined, done: true });
  }
}
