import fsp, { type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MAX_WAV_DATA_BYTES, pcmWavHeader, WAV_HEADER_BYTES } from './wav.ts';

// A call's recording as a stereo 8 kHz 16-bit WAV: caller on the left, agent on the right,
// so each side can be transcribed and analysed alone. Written as the call goes: a 4-hour
// call is ~460 MB, so memory holds at most about a second of audio plus writes in flight.
//
// write() is called from the media clock every 20 ms and must never wait: it copies the tick
// into a block and, once the block holds ~1 s, queues one asynchronous file write. The writes
// run one after another on a promise chain (file handle writes go to libuv's thread pool).

const SAMPLE_RATE = 8000;
const CHANNELS = 2;
const FRAME_BYTES = CHANNELS * 2;
const SAMPLES_PER_TICK = 160; // 20 ms at 8 kHz
const BLOCK_BYTES = SAMPLE_RATE * FRAME_BYTES; // one second
const MAX_SPARE_BLOCKS = 2;

export interface FinishedRecording {
  path: string;
  durationMs: number;
  /** Size of the whole file, header included. */
  bytes: number;
}

export class DualChannelWavRecorder {
  readonly path: string;
  private readonly file: FileHandle;
  private block: Buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  /** Blocks whose write has completed, reused so a long call allocates no new memory. */
  private readonly spareBlocks: Buffer[] = [];
  private blockUsed = 0;
  private framesWritten = 0;
  /** Where the next block goes in the file. */
  private fileOffset = WAV_HEADER_BYTES;
  private writes: Promise<void> = Promise.resolve();
  private writeError: Error | undefined;
  private state: 'recording' | 'finishing' | 'closed' = 'recording';
  private finishing: Promise<FinishedRecording> | undefined;
  private aborting: Promise<void> | undefined;

  private constructor(filePath: string, file: FileHandle) {
    this.path = filePath;
    this.file = file;
  }

  /** Creates the file (0600, parent folders 0700) and reserves its header. */
  static async open(filePath: string): Promise<DualChannelWavRecorder> {
    await fsp.mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 });
    const file = await fsp.open(filePath, 'w', 0o600);
    try {
      // `mode` only applies to a new file; an old one being replaced keeps its own.
      await file.chmod(0o600);
      // The placeholder says "unknown length" (maximum sizes), so the file of a process that
      // dies mid-call still plays in readers that stop at the end of the file.
      await writeFully(file, pcmWavHeader({ channels: CHANNELS, sampleRate: SAMPLE_RATE }, MAX_WAV_DATA_BYTES), 0);
    } catch (error) {
      await file.close().catch(() => {});
      await fsp.rm(filePath, { force: true });
      throw error;
    }
    return new DualChannelWavRecorder(filePath, file);
  }

  /** Audio recorded so far, in milliseconds (written or still buffered). */
  get durationMs(): number {
    return (this.framesWritten * 1000) / SAMPLE_RATE;
  }

  /**
   * One tick: caller and agent samples at 8 kHz (normally 160 each). null is silence; the
   * tick is as long as the longer side, the shorter one padded with silence. Ignored once
   * the recording is finishing or closed, so a last media tick racing the hang-up is harmless.
   */
  write(caller: Int16Array | null, agent: Int16Array | null): void {
    if (this.state !== 'recording' || this.writeError) return;
    const frames = Math.max(caller?.length ?? 0, agent?.length ?? 0) || SAMPLES_PER_TICK;
    const bytes = frames * FRAME_BYTES;
    if (this.blockUsed + bytes > this.block.length) {
      this.flushBlock();
      if (bytes > this.block.length) this.block = Buffer.allocUnsafe(bytes);
    }
    interleave(this.block, this.blockUsed, frames, caller, agent);
    this.blockUsed += bytes;
    this.framesWritten += frames;
    if (this.blockUsed === this.block.length) this.flushBlock();
  }

  /** Writes what is buffered, fixes the header sizes and closes. Idempotent. */
  finish(): Promise<FinishedRecording> {
    if (this.aborting) return Promise.reject(new Error('recording was aborted'));
    this.finishing ??= this.doFinish();
    return this.finishing;
  }

  /** Stops recording and deletes the file. Idempotent; also after finish(). */
  abort(): Promise<void> {
    this.aborting ??= this.doAbort();
    return this.aborting;
  }

  private async doFinish(): Promise<FinishedRecording> {
    this.state = 'finishing';
    this.flushBlock();
    try {
      await this.writes;
      if (this.writeError) throw this.writeError;
      const dataBytes = this.fileOffset - WAV_HEADER_BYTES;
      await writeFully(this.file, pcmWavHeader({ channels: CHANNELS, sampleRate: SAMPLE_RATE }, dataBytes), 0);
      await this.file.sync();
      return { path: this.path, durationMs: (dataBytes / FRAME_BYTES / SAMPLE_RATE) * 1000, bytes: this.fileOffset };
    } finally {
      await this.close();
    }
  }

  private async doAbort(): Promise<void> {
    this.state = this.state === 'closed' ? 'closed' : 'finishing';
    this.block = Buffer.alloc(0);
    this.blockUsed = 0;
    // Let an in-progress finish or write settle, so nothing writes to the file after it is gone.
    await this.writes;
    await this.finishing?.catch(() => {});
    await this.close();
    await fsp.rm(this.path, { force: true });
  }

  private flushBlock(): void {
    if (this.blockUsed === 0) return;
    const full = this.block;
    const chunk = full.subarray(0, this.blockUsed);
    const position = this.fileOffset;
    this.fileOffset += chunk.length;
    this.block = this.spareBlocks.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES);
    this.blockUsed = 0;
    this.writes = this.writes.then(async () => {
      if (this.writeError || this.state === 'closed') return;
      try {
        await writeFully(this.file, chunk, position);
      } catch (error) {
        // Kept for finish() to report; write() must not throw on the media clock.
        this.writeError = error as Error;
      }
      if (full.length === BLOCK_BYTES && this.spareBlocks.length < MAX_SPARE_BLOCKS) this.spareBlocks.push(full);
    });
  }

  private async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.file.close();
  }
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/**
 * Caller and agent samples, interleaved as 16-bit little-endian into `block` at `at`. On a
 * little-endian machine (nearly all) through a 16-bit view: this runs for every call on every
 * 20 ms tick, and the view is about 5× faster than two writeInt16LE calls per sample.
 */
function interleave(block: Buffer, at: number, frames: number, caller: Int16Array | null, agent: Int16Array | null): void {
  const callerLength = caller?.length ?? 0;
  const agentLength = agent?.length ?? 0;
  if (LITTLE_ENDIAN && (block.byteOffset + at) % 2 === 0) {
    const out = new Int16Array(block.buffer, block.byteOffset + at, frames * CHANNELS);
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      out[j] = i < callerLength ? caller![i] : 0;
      out[j + 1] = i < agentLength ? agent![i] : 0;
    }
    return;
  }
  for (let i = 0; i < frames; i++, at += FRAME_BYTES) {
    block.writeInt16LE(i < callerLength ? caller![i] : 0, at);
    block.writeInt16LE(i < agentLength ? agent![i] : 0, at + 2);
  }
}

/** A positional write can be short (e.g. disk nearly full); loop until all is written. */
async function writeFully(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw new Error('recording write made no progress');
    done += bytesWritten;
  }
}
