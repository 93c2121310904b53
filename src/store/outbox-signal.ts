// In-process nudge: a repository that committed outbox rows wakes the dispatcher at once
// instead of waiting for its next poll. Keyed by database handle so tests stay isolated.
// Other processes sharing the database still find the rows by polling.

const listeners = new WeakMap<object, Set<() => void>>();

export function onOutboxWrite(db: object, listener: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function notifyOutboxWrite(db: object): void {
  for (const listener of listeners.get(db) ?? []) listener();
}
