/**
 * A call's recording from answer to hang-up: the media clock hands each 20 ms tick (caller
 * frame, agent frame) to a stereo WAV on local disk; at the end the file goes to the
 * recording storage under the call's key. Failures are reported, never thrown at the call.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DualChannelWavRecorder } from './recording/dual-channel-wav.ts';
import { recordingKeyFor, type RecordingStorage } from '../storage/recording-storage.ts';

export interface RecordingTick {
  caller: Int16Array | null;
  agent: Int16Array | null;
}

export class SessionRecording {
  private finishing?: Promise<string | undefined>;

  private constructor(
    private readonly recorder: DualChannelWavRecorder,
    private readonly file: string,
  ) {}

  static async start(tempDir: string, callId: string): Promise<SessionRecording> {
    const file = path.join(tempDir, `${callId}.wav`);
    return new SessionRecording(await DualChannelWavRecorder.open(file), file);
  }

  write(tick: RecordingTick): void {
    if (!this.finishing) this.recorder.write(tick.caller, tick.agent);
  }

  /** Finishes the WAV and stores it; resolves with the storage key, or undefined when empty. */
  save(storage: RecordingStorage, projectId: string, callId: string): Promise<string | undefined> {
    this.finishing ??= (async () => {
      try {
        const { durationMs } = await this.recorder.finish();
        if (durationMs === 0) return undefined;
        const key = recordingKeyFor(projectId, callId);
        await storage.put(key, fs.createReadStream(this.file));
        return key;
      } finally {
        await fsp.rm(this.file, { force: true });
      }
    })();
    return this.finishing;
  }

  async discard(): Promise<void> {
    await this.recorder.abort();
  }
}
