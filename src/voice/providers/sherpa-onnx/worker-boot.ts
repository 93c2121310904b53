// The source the decoding worker starts from. Habla runs TypeScript through tsx's loader, which a
// worker thread does not inherit: the worker registers tsx itself, then imports worker.ts.

export function sherpaWorkerSource(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}
