/**
 * The source a media worker starts from. Habla runs its TypeScript through tsx's loader, and a
 * worker thread does not inherit the loader (nor does `--import tsx` in its execArgv reach the
 * entry module), so the worker registers tsx itself and then imports media-worker.ts.
 */
export function workerBootSource(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./media-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}
