// Inactivity reminders (Diga `reminder_frequency_ms`, `max_reminder_count`, `reminder_messages`):
// after that much silence with nobody speaking, the agent checks the caller is still there;
// after the last unanswered reminder and one more silence, it hangs up. A strategy fed "the
// line is quiet / busy / the caller answered" and a timer, so it is tested with a fake clock.

export interface ReminderSettings {
  frequencyMs: number;
  /** 0 turns reminders (and the silence hang-up) off. */
  maxCount: number;
  /** Empty: the LLM writes each reminder. Otherwise one is picked at random (never the same twice in a row). */
  messages: readonly string[];
}

export type ReminderAction =
  /** Say a reminder: `message`, or one the LLM writes when null. `index` counts from 0. */
  | { kind: 'remind'; index: number; message: string | null }
  /** The caller never answered the last reminder: end the call. */
  | { kind: 'give_up' };

export interface ReminderTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: ReminderTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReminderOptions {
  timers?: ReminderTimers;
  random?: () => number;
}

export class InactivityReminders {
  readonly #settings: ReminderSettings;
  readonly #act: (action: ReminderAction) => void;
  readonly #timers: ReminderTimers;
  readonly #random: () => number;
  #timer: unknown;
  #count = 0;
  #lastMessage = -1;
  #closed = false;

  constructor(settings: ReminderSettings, act: (action: ReminderAction) => void, options: ReminderOptions = {}) {
    this.#settings = settings;
    this.#act = act;
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#random = options.random ?? Math.random;
  }

  get enabled(): boolean {
    return this.#settings.maxCount > 0 && this.#settings.frequencyMs > 0;
  }

  /** Reminders said since the caller last answered. */
  get count(): number {
    return this.#count;
  }

  /** Nobody is talking (the agent finished, the caller's turn ended): silence starts counting. */
  quiet(): void {
    if (!this.enabled || this.#closed) return;
    this.#stop();
    this.#timer = this.#timers.set(() => this.#fire(), this.#settings.frequencyMs);
  }

  /** Someone is talking, or a reply is on its way: this is not silence. */
  busy(): void {
    this.#stop();
  }

  /** The caller said something: their silence count starts again. */
  answered(): void {
    this.#count = 0;
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#count >= this.#settings.maxCount) {
      this.#act({ kind: 'give_up' });
      return;
    }
    const index = this.#count++;
    this.#act({ kind: 'remind', index, message: this.#pick() });
  }

  #pick(): string | null {
    const messages = this.#settings.messages.filter((m) => m.trim());
    if (messages.length === 0) return null;
    let i = Math.min(messages.length - 1, Math.floor(this.#random() * messages.length));
    if (messages.length > 1 && i === this.#lastMessage) i = (i + 1) % messages.length;
    this.#lastMessage = i;
    return messages[i];
  }

  #stop(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
