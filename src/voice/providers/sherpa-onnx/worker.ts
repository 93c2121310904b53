// The decoding thread: loads the recogniser (the probe already loaded it once in a child
// process, so a model that would crash the loader never gets here), says it is ready, and runs
// SherpaDecoder on the messages SherpaOnnxStt sends. sherpa-onnx's decode is synchronous and
// takes milliseconds per chunk on a real model: here it holds this thread, never the one that
// carries calls' media, HTTP and the agents.

import { parentPort, workerData } from 'node:worker_threads';
import { SherpaDecoder } from './decoder.ts';
import type { FromWorker, SherpaWorkerData, ToWorker } from './protocol.ts';
import { loadSherpaAddon } from './recognizer.ts';

const port = parentPort!;
const data = workerData as SherpaWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

try {
  const started = performance.now();
  const recognizer = new (loadSherpaAddon(data.addonPath).OnlineRecognizer)(data.config);
  const decoder = new SherpaDecoder(recognizer, data.tailPaddingMs, post);
  port.on('message', (message: ToWorker) => decoder.handle(message));
  post({ t: 'ready', loadMs: performance.now() - started });
} catch (error) {
  post({ t: 'failed', message: error instanceof Error ? error.message : String(error) });
}
