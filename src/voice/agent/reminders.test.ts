import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InactivityReminders, type ReminderAction, type ReminderTimers } from './reminders.ts';

/** A fake clock: timers fire when advance() passes them. */
function fakeTimers(): ReminderTimers & { advance(ms: number): void; pending: number } {
  let now = 0;
  let timers: Array<{ at: number; callback: () => void; id: number }> = [];
  let nextId = 1;
  return {
    set(callback, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clear(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.callback();
      }
      now = until;
    },
    get pending() {
      return timers.length;
    },
  };
}

describe('InactivityReminders', () => {
  test('reminders at each interval of silence, then the hang-up one interval after the last', () => {
    const timers = fakeTimers();
    const actions: Array<[number, ReminderAction]> = [];
    let t = 0;
    const reminders = new InactivityReminders({ frequencyMs: 5000, maxCount: 2, messages: ['¿Sigue ahí?', '¿Me oye?'] }, (a) => {
      actions.push([t, a]);
      if (a.kind === 'remind') reminders.quiet(); // the app re-arms once the reminder has been said
    }, { timers, random: () => 0 });
    reminders.quiet();
    for (; t < 20_000; t += 1000) timers.advance(1000);
    assert.deepEqual(actions.map(([at, a]) => [at, a.kind === 'remind' ? a.message : 'give_up']), [
      [4000, '¿Sigue ahí?'], [9000, '¿Me oye?'], [14000, 'give_up'], // t is the start of the 1 s step that fired
    ]);
  });

  test('speech pauses the count; an answer resets it; an empty list asks the LLM (message null)', () => {
    const timers = fakeTimers();
    const actions: ReminderAction[] = [];
    const reminders = new InactivityReminders({ frequencyMs: 1000, maxCount: 1, messages: [] }, (a) => actions.push(a), { timers });
    reminders.quiet();
    timers.advance(900);
    reminders.busy(); // the caller starts talking
    timers.advance(5000);
    assert.deepEqual(actions, []);
    reminders.quiet();
    timers.advance(1000);
    assert.deepEqual(actions, [{ kind: 'remind', index: 0, message: null }]);
    reminders.answered();
    reminders.quiet();
    timers.advance(1000);
    assert.deepEqual(actions.at(-1), { kind: 'remind', index: 0, message: null }, 'the count started again');
    reminders.quiet();
    timers.advance(1000);
    assert.deepEqual(actions.at(-1), { kind: 'give_up' });
  });

  test('max_reminder_count 0 turns them off; close() cancels the timer', () => {
    const timers = fakeTimers();
    const off = new InactivityReminders({ frequencyMs: 1000, maxCount: 0, messages: ['x'] }, () => assert.fail('no action'), { timers });
    off.quiet();
    assert.equal(timers.pending, 0);
    const on = new InactivityReminders({ frequencyMs: 1000, maxCount: 3, messages: ['x'] }, () => assert.fail('closed'), { timers });
    on.quiet();
    on.close();
    timers.advance(5000);
    on.quiet();
    assert.equal(timers.pending, 0);
  });

  test('a message is never picked twice in a row', () => {
    const timers = fakeTimers();
    const said: Array<string | null> = [];
    const reminders = new InactivityReminders({ frequencyMs: 10, maxCount: 5, messages: ['a', 'b', 'c'] }, (a) => {
      if (a.kind === 'remind') said.push(a.message);
    }, { timers, random: () => 0.5 });
    for (let i = 0; i < 5; i++) {
      reminders.quiet();
      timers.advance(10);
    }
    assert.deepEqual(said, ['b', 'c', 'b', 'c', 'b']);
  });
});
