/**
 * Gathers every session's frames of a clock tick into one TickBatch. The media clock calls all
 * sessions synchronously in one timer callback (catch-up ticks included), so the first frame of
 * a tick schedules a microtask that sends the batch once they all ran. Frames are copied as
 * they come: a session may reuse its buffers on the next tick.
 */
import { FRAME_PAIR, SAMPLES_PER_FRAME, type TickBatch } from './protocol.ts';

const INITIAL_CAPACITY = 64;

export class TickCollector {
  private ids = new Int32Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private samples = new Int16Array(INITIAL_CAPACITY * FRAME_PAIR);
  private size = 0;
  private scheduled = false;

  constructor(private readonly send: (batch: TickBatch, transfer: ArrayBuffer[]) => void) {}

  add(id: number, caller: Int16Array | null, agent: Int16Array | null): void {
    if (this.size === this.ids.length) this.grow();
    const i = this.size++;
    this.ids[i] = id;
    this.flags[i] = (caller ? 1 : 0) | (agent ? 2 : 0);
    if (caller) this.samples.set(caller.subarray(0, SAMPLES_PER_FRAME), i * FRAME_PAIR);
    if (agent) this.samples.set(agent.subarray(0, SAMPLES_PER_FRAME), i * FRAME_PAIR + SAMPLES_PER_FRAME);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends copies of what was gathered (transferred, not cloned) and starts over. */
  flush(): void {
    this.scheduled = false;
    const n = this.size;
    if (n === 0) return;
    const batch: TickBatch = {
      t: 'ticks',
      ids: this.ids.slice(0, n),
      flags: this.flags.slice(0, n),
      samples: this.samples.slice(0, n * FRAME_PAIR),
    };
    this.size = 0;
    this.send(batch, [batch.ids.buffer as ArrayBuffer, batch.flags.buffer as ArrayBuffer, batch.samples.buffer as ArrayBuffer]);
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const ids = new Int32Array(capacity);
    ids.set(this.ids);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    const samples = new Int16Array(capacity * FRAME_PAIR);
    samples.set(this.samples);
    [this.ids, this.flags, this.samples] = [ids, flags, samples];
  }
}

/** Calls `each` for every entry of a batch, with views into its samples (null: no frame). */
export function forEachTick(
  batch: Pick<TickBatch, 'ids' | 'flags' | 'samples'>,
  each: (id: number, caller: Int16Array | null, agent: Int16Array | null) => void,
): void {
  for (let i = 0; i < batch.ids.length; i++) {
    const at = i * FRAME_PAIR;
    const flags = batch.flags[i];
    const caller = flags & 1 ? batch.samples.subarray(at, at + SAMPLES_PER_FRAME) : null;
    const agent = flags & 2 ? batch.samples.subarray(at + SAMPLES_PER_FRAME, at + FRAME_PAIR) : null;
    each(batch.ids[i], caller, agent);
  }
}
