import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Where call recordings live. The store keeps only a key per call (`calls.recording_key`);
// the audio goes through this interface, so an object store can replace local files later.

export interface StoredRecording {
  body: Readable;
  /** Bytes, known before streaming so HTTP can send Content-Length. */
  size: number;
}

export interface RecordingStorage {
  /** Writes the whole recording; readers never see a half-written one. */
  put(key: string, data: Buffer | Readable): Promise<void>;
  /** A stream of the recording, or undefined when the key holds nothing. */
  get(key: string): Promise<StoredRecording | undefined>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** The key a call's recording is stored under: one folder per project. */
export function recordingKeyFor(projectId: string, callId: string, extension = 'wav'): string {
  return `${projectId}/${callId}.${extension}`;
}

// Keys become file paths: only plain segments, no `..`, no absolute paths, no backslashes.
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(\/[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)*$/;

export function isValidRecordingKey(key: string): boolean {
  return key.length <= 512 && KEY_PATTERN.test(key);
}

/** Recordings as files under `<dataDir>/recordings`. */
export class LocalRecordingStorage implements RecordingStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  static inDataDir(dataDir: string): LocalRecordingStorage {
    return new LocalRecordingStorage(path.join(dataDir, 'recordings'));
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    const file = this.fileOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    // Write beside the target and rename: a crash mid-write never leaves a truncated recording.
    const temp = `${file}.${randomUUID()}.tmp`;
    try {
      await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, fs.createWriteStream(temp, { mode: 0o600 }));
      await fsp.rename(temp, file);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredRecording | undefined> {
    const file = this.fileOf(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // Size and stream come from the same open file, so a concurrent replace cannot mix them.
    const { size } = await handle.stat();
    return { body: handle.createReadStream(), size };
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fsp.stat(this.fileOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.fileOf(key), { force: true });
  }

  private fileOf(key: string): string {
    if (!isValidRecordingKey(key)) throw new Error('invalid recording key');
    return path.join(this.root, ...key.split('/'));
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
