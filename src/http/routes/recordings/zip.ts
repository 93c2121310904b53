import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';

export interface ZipEntry {
  name: string;
  /** Opened only when the archive reaches this entry, so at most one source is open at a time. */
  open(): Promise<Readable | undefined>;
}

/**
 * Streams a ZIP of the entries without holding them in memory. Audio barely compresses, so
 * entries are stored, not deflated: cheap on CPU and the bytes come out as they go in.
 * Writing waits on the output's backpressure; an entry whose source has vanished is skipped.
 */
export function zipStream(entries: ZipEntry[]): Readable {
  const output = new PassThrough();
  let blocked = false;
  const zip = new Zip((error, chunk, final) => {
    if (error) return void output.destroy(error);
    if (!output.write(chunk)) blocked = true;
    if (final) output.end();
  });
  const drained = async () => {
    if (!blocked) return;
    blocked = false;
    await new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done);
        output.off('close', done);
        resolve();
      };
      output.on('drain', done);
      output.on('close', done);
    });
  };

  void (async () => {
    for (const entry of entries) {
      const source = await entry.open();
      if (!source) continue;
      const file = new ZipPassThrough(entry.name);
      zip.add(file);
      for await (const chunk of source) {
        if (output.destroyed) return source.destroy();
        file.push(chunk as Uint8Array);
        await drained();
      }
      file.push(new Uint8Array(0), true);
      await drained();
    }
    zip.end();
  })().catch((error: unknown) => output.destroy(error as Error));
  return output;
}
