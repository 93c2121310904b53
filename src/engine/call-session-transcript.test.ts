// A call session hands its voice app the transcript recorder, stores what the app reports on
// its ordered write queue (real RTP session, real database), waits for the app's last cut-off
// turn when the call ends, and only then asks for the post-call analysis — once, and only when
// the caller said something. The app gets the call's trace; the latency it reports feeds the
// turn-latency histogram (habla_turn_latency_seconds).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { TEST_DATABASES } from '../../test/helpers/databases.ts';
import { createMetrics } from '../lib/metrics.ts';
import { LocalRecordingStorage } from '../storage/recording-storage.ts';
import { bootstrap } from '../store/bootstrap.ts';
import type { Store } from '../store/database.ts';
import { CallAnalysisRepository } from '../store/repositories/call-analysis.ts';
import { CallLogRepository } from '../store/repositories/call-logs.ts';
import { CallRepository } from '../store/repositories/calls.ts';
import { ContactRepository } from '../store/repositories/contacts.ts';
import { MessageRepository } from '../store/repositories/messages.ts';
import { ProjectRepository } from '../store/repositories/projects.ts';
import { MediaClock } from '../telephony/media/media-clock.ts';
import { RtpSession } from '../telephony/media/rtp-session.ts';
import { mediaTo, testAllocator } from '../telephony/media/test-support.ts';
import type { AgentObserver } from '../voice/agent/observer.ts';
import type { CallAudio, VoiceApp, VoiceCallContext } from '../voice/call-audio.ts';
import { CallSession, type SessionVoiceApps } from './call-session.ts';

const allocator = testAllocator(8);

/** A voice app that talks through the observer like the agent: a greeting, the caller, a reply cut off by the hang-up. */
class ScriptedConversation implements VoiceApp {
  constructor(private readonly observer: Required<AgentObserver>, private readonly callerSpeaks: boolean) {}

  async run(_audio: CallAudio, signal: AbortSignal): Promise<void> {
    const wall = () => new Date().toISOString();
    this.observer.onTurn({ role: 'assistant', text: 'Hola, Clínica Sol.', startMs: 0, endMs: 1200, wallClock: wall(), interrupted: false });
    if (this.callerSpeaks) {
      this.observer.onTurn({ role: 'user', text: 'Quiero anular la cita.', startMs: 1500, endMs: 2600, wallClock: wall(), interrupted: false });
      this.observer.onLatency({ turn: 1, endpointingMs: 300, sttMs: 100, llmFirstTokenMs: 200, ttsFirstByteMs: 80, voiceToVoiceMs: 700, overheadMs: 20 });
    }
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    // The reply being played when the call ended is reported once playout has stopped.
    await new Promise((resolve) => setTimeout(resolve, 80));
    this.observer.onTurn({ role: 'assistant', text: 'De acuerdo, la', startMs: 2900, endMs: 3400, wallClock: wall(), interrupted: true });
  }
}

for (const database of TEST_DATABASES) {
  describe(`call session transcript (${database.name})`, () => {
    let store: Store;
    let projectId: string;
    let contactId: string;
    let dataDir: string;
    const clock = new MediaClock();

    before(async () => {
      store = await database.open();
      await bootstrap(store, undefined);
      projectId = (await new ProjectRepository(store.db).findDefault())!.projectId;
      contactId = (await new ContactRepository(store.db).findOrCreate(projectId, 'call', '+34600123456')).id;
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-session-transcript-'));
    });
    after(async () => {
      clock.stop();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    async function runCall(callerSpeaks: boolean) {
      const calls = new CallRepository(store.db);
      const call = await calls.create({
        projectId, agentId: null, agentVersionId: null, phoneId: null, contactId, type: 'outbound', status: 'dialing',
        fromNumber: '+34910000001', toNumber: '+34600123456', dynamicVariables: null,
      });
      const scheduled: string[] = [];
      let tracer: unknown;
      const voiceApps: SessionVoiceApps = (_context, _endCall, observer, _callControl, trace) => {
        tracer = trace;
        return new ScriptedConversation(observer as Required<AgentObserver>, callerSpeaks);
      };
      const metrics = createMetrics({ processMetrics: false });
      const voice: VoiceCallContext = {
        callId: call.id, direction: 'outbound', language: 'es', espeakVoice: 'es', greeting: null, timeBeforeStartMs: 0, volume: 50,
      };
      const session = new CallSession({ id: call.id, projectId, voice }, {
        calls, callLogs: new CallLogRepository(store.db), recordings: new LocalRecordingStorage(path.join(dataDir, 'recordings')),
        recordingTempDir: path.join(dataDir, 'tmp'), voiceApps, messages: new MessageRepository(store.db),
        callAnalysis: new CallAnalysisRepository(store.db), analysis: { schedule: (id) => scheduled.push(id) },
        maxDurationMs: 60_000, logger: pino({ level: 'silent' }), callMetrics: metrics.calls,
      });
      const sockets = await allocator.allocate();
      const peer = await allocator.allocate();
      const media = new RtpSession({ sockets, clock, media: mediaTo(peer.port) });
      session.attach({ hangup: async () => {} });
      session.onAnswered(media);
      await new Promise((resolve) => setTimeout(resolve, 50));
      session.onEnded({ reason: 'customer_hangup', by: 'customer', answered: true });
      await session.finished;
      await media.close();
      await peer.close();
      assert.equal(tracer, session.trace, 'the app adds its spans to the call’s trace');
      return { callId: call.id, scheduled, metrics };
    }

    it('stores the turns, the last cut-off one included, before asking for the analysis', async () => {
      const { callId, scheduled, metrics } = await runCall(true);
      const turns = await new MessageRepository(store.db).transcriptOf(callId);
      assert.deepEqual(turns.map((t) => [t.role, t.content, t.interrupted]), [
        ['assistant', 'Hola, Clínica Sol.', false],
        ['user', 'Quiero anular la cita.', false],
        ['assistant', 'De acuerdo, la', true],
      ]);
      assert.deepEqual(scheduled, [callId], 'the analysis is asked for once the transcript is complete');
      const call = (await new CallRepository(store.db).get(projectId, callId))!;
      assert.equal(call.status, 'completed');
      assert.equal(call.analysis_status, 'pending');
      assert.equal(call.latency?.[0]?.voice_to_voice_ms, 700);
      // Each stage the reply measured is one observation, in seconds; the one it lacks (LLM first sentence) none.
      const { values } = await metrics.calls.turnLatency.get();
      const count = (stage: string) => values.find((v) => v.metricName === 'habla_turn_latency_seconds_count' && v.labels.stage === stage)?.value ?? 0;
      const bucket = (stage: string, le: number) => values.find((v) => v.metricName === 'habla_turn_latency_seconds_bucket' && v.labels.stage === stage && (v.labels as { le?: number }).le === le)?.value;
      assert.deepEqual(
        ['endpointing', 'stt', 'llm_first_token', 'llm_first_sentence', 'tts_first_byte', 'voice_to_voice', 'overhead'].map(count),
        [1, 1, 1, 0, 1, 1, 1],
      );
      assert.equal(values.find((v) => v.metricName === 'habla_turn_latency_seconds_sum' && v.labels.stage === 'voice_to_voice')?.value, 0.7);
      assert.deepEqual([bucket('voice_to_voice', 0.6), bucket('voice_to_voice', 0.8), bucket('overhead', 0.025), bucket('overhead', 0.01)], [0, 1, 1, 0]);
    });

    it('asks for no analysis when the caller never spoke', async () => {
      const { callId, scheduled, metrics } = await runCall(false);
      assert.deepEqual(scheduled, []);
      const { values } = await metrics.calls.turnLatency.get();
      assert.ok(values.every((v) => v.value === 0), 'no reply, no latency observed');
      assert.equal((await new CallRepository(store.db).get(projectId, callId))!.analysis_status, null);
      assert.equal((await new MessageRepository(store.db).transcriptOf(callId)).length, 2);
    });
  });
}
