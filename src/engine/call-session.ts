/**
 * One live call: the single owner of its SIP leg, media, recording, voice application and
 * timers (ENGINEERING principle 8). It listens to the leg and turns what happens into store
 * writes (status, call log, recording) on its own ordered write queue, so nothing on the
 * media path waits for the database. `finished` settles once the call is terminal in the
 * store and its recording is saved. A transfer Habla bridges itself (invite-transfer.ts) is
 * owned here too: the target's leg ends with the call, and the call ends with it.
 */
import type { Logger } from 'pino';
import type { CallMetrics } from '../lib/metrics.ts';
import { terminalStatusFor, type EndReason } from '../domain/end-reasons.ts';
import type { CallMedia } from '../telephony/media/types.ts';
import type { TransferResult } from '../telephony/call/refer.ts';
import type { HangupSide, LegEnd, LegEvent, LegListener } from '../telephony/call/types.ts';
import type { CallRepository } from '../store/repositories/calls.ts';
import type { CallLogRepository } from '../store/repositories/call-logs.ts';
import type { RecordingStorage } from '../storage/recording-storage.ts';
import type { CallAnalysisRepository } from '../store/repositories/call-analysis.ts';
import type { MessageRepository } from '../store/repositories/messages.ts';
import type { AgentObserver, AgentTracer } from '../voice/agent/observer.ts';
import type { CallControl } from '../voice/tools/call-control.ts';
import type { EndCall, VoiceApp, VoiceCallContext } from '../voice/call-audio.ts';
import { CallLifecycleSpans } from '../observability/call-lifecycle-spans.ts';
import { NOOP_CALL_TRACE, type CallTrace } from '../observability/call-trace.ts';
import type { CallTracing } from '../observability/tracing.ts';
import { agentAudio } from './agent-audio.ts';
import { callLogEntry } from './call-log-events.ts';
import { InviteTransfer, type TransferDialer } from './invite-transfer.ts';
import { bridgedCallEnd } from './invite-transfer-rules.ts';
import { SipCallControl, type TransferableLeg } from './sip-call-control.ts';
import type { MediaMetricsSink } from './rtp-metrics-feed.ts';
import { SessionRecording, type RecordingTick } from './session-recording.ts';
import { TranscriptRecorder } from './transcript-recorder.ts';

/** Ticks kept while the recording file opens (10 s); a slower disk loses the excess, not the call. */
const MAX_EARLY_TICKS = 500;
/** How long a call's end waits for its voice app to report its last (cut) turn before the transcript is final. */
const VOICE_APP_SETTLE_MS = 1000;

/**
 * Builds the voice application of a call. The third argument is the call's AgentObserver
 * (src/voice/agent/observer.ts): the agent reports its turns, tool calls and latency to it.
 * The fourth is what the agent's call tools may do to the call (a transfer: SIP REFER, or a
 * bridge Habla dials itself); the fifth the call's trace, where the agent adds its turn, LLM,
 * TTS and tool spans.
 */
export type SessionVoiceApps = (context: VoiceCallContext, endCall: EndCall, observer: AgentObserver, callControl: CallControl, tracer: AgentTracer) => VoiceApp;

export interface SessionDeps {
  calls: CallRepository;
  callLogs: CallLogRepository;
  recordings: RecordingStorage;
  /** Where recordings are written while the call lasts. */
  recordingTempDir: string;
  voiceApps: SessionVoiceApps;
  /** The transcript and latency the voice agent reports (TranscriptRecorder). */
  messages: MessageRepository;
  callAnalysis: CallAnalysisRepository;
  /** Post-call analysis (src/analysis/): told about each finished call in which the caller spoke. */
  analysis?: { schedule(callId: string): void };
  maxDurationMs: number;
  logger: Logger;
  /** Follows the call's media for the process-wide RTP metrics (packets, loss, send jitter). */
  rtpMetrics?: MediaMetricsSink;
  /** Process-wide call outcomes and setup times (habla_calls_ended_total, habla_call_setup_seconds). */
  callMetrics?: CallMetrics;
  /** One trace per call (docs/traces.md); absent: calls are not traced. */
  tracing?: CallTracing;
}

export interface SessionCall {
  id: string;
  projectId: string;
  voice: VoiceCallContext;
  /** When the call began for us (epoch ms): an inbound INVITE's arrival; default now. */
  startedAt?: number;
  /** Dials a transfer target through the phone's trunk; absent when the phone has none (no INVITE fallback). */
  transferDialer?: TransferDialer;
}

interface Leg extends TransferableLeg {
  hangup(reason: string, by: HangupSide): Promise<void>;
}

export class CallSession implements LegListener<CallMedia> {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private leg?: Leg;
  /** A hang-up asked for before the leg existed (shutdown while the INVITE was being built). */
  private pendingHangup?: { reason: string; by: HangupSide };
  private recording?: Promise<SessionRecording | undefined>;
  private readonly app = new AbortController();
  private maxDurationTimer?: NodeJS.Timeout;
  private untrackMedia?: () => void;
  private writes: Promise<unknown> = Promise.resolve();
  /** Settles when the voice application's run() does. */
  private appDone: Promise<void> = Promise.resolve();
  /** The call's transcript writer; exists from the answer on. */
  private transcript?: TranscriptRecorder;
  /** The customer's media, from the answer on. */
  private media?: CallMedia;
  /** The transfer Habla is dialing or bridging; a failed one is dropped (the agent may try again). */
  private transfer?: InviteTransfer;
  /** Settles when the transfer target's side was told the call ended (CANCEL or BYE answered). */
  private transferDone: Promise<void> = Promise.resolve();
  private ended = false;
  /** Epoch ms where setup time starts: the first INVITE sent (outbound), the INVITE received (inbound). */
  private setupStartedAt?: number;
  /** The call's trace: the voice application adds its turn, LLM, TTS and tool spans here. */
  readonly trace: CallTrace;
  private readonly spans: CallLifecycleSpans;

  constructor(
    readonly call: SessionCall,
    private readonly deps: SessionDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    const direction = call.voice.direction;
    this.trace = deps.tracing?.startCall({ callId: call.id, projectId: call.projectId, direction, startTime: call.startedAt }) ?? NOOP_CALL_TRACE;
    this.spans = new CallLifecycleSpans(this.trace, direction, call.startedAt);
    if (direction === 'inbound') this.setupStartedAt = call.startedAt ?? Date.now();
  }

  attach(leg: Leg): void {
    this.leg = leg;
    if (this.pendingHangup) void leg.hangup(this.pendingHangup.reason, this.pendingHangup.by);
  }

  /** Ends the call from our side; resolves when the peer was told. */
  async hangup(reason: EndReason, by: HangupSide): Promise<void> {
    if (this.ended) return;
    if (!this.leg) {
      this.pendingHangup = { reason, by };
      return;
    }
    if (this.transfer) this.transferDone = this.transfer.end(reason, by);
    await Promise.all([this.transferDone, this.leg.hangup(reason, by)]);
  }

  log(event: string, data?: Record<string, unknown>, level: 'INFO' | 'WARNING' | 'ERROR' | 'DEBUG' = 'INFO'): void {
    const entry = { ...callLogEntry(event, data, level), traceId: this.trace.traceId };
    this.enqueue(`log ${event}`, () => this.deps.callLogs.append(this.call.projectId, this.call.id, entry));
  }

  onEvent(event: LegEvent): void {
    // Keys the customer presses to the person they were transferred to are relayed, not logged.
    const relayed = event.event === 'dtmf_received' && this.transfer?.wasBridged;
    this.log(event.event, relayed ? { via: event.data?.via, relayed: true } : event.data, event.level);
    this.spans.onLegEvent(event.event, event.data);
    this.measureSetup(event.event);
  }

  /** Setup ends at the answer (inbound: our 200 OK sent); a digest retry's INVITE does not restart it. */
  private measureSetup(event: string): void {
    if (event === 'invite_sent') this.setupStartedAt ??= Date.now();
    if (event !== 'answered' || this.setupStartedAt === undefined) return;
    this.deps.callMetrics?.setupSeconds.observe({ direction: this.call.voice.direction }, (Date.now() - this.setupStartedAt) / 1000);
  }

  /** A key the customer pressed (RFC 4733 or SIP INFO): the agent has its own listener; a bridge relays it. */
  onDtmf(digit: string): void {
    this.transfer?.digitFromCustomer(digit);
  }

  onAnswered(media: CallMedia): void {
    this.media = media;
    this.spans.mediaStarted();
    const answeredAt = new Date().toISOString();
    this.enqueue('mark answered', () => this.deps.calls.markAnswered(this.call.id, answeredAt));
    this.untrackMedia = this.deps.rtpMetrics?.track(media);
    this.recording = this.startRecording(media);
    this.maxDurationTimer = setTimeout(() => {
      this.log('max_duration_reached', { max_duration_s: Math.round(this.deps.maxDurationMs / 1000) }, 'WARNING');
      void this.hangup('max_duration_reached', 'system');
    }, this.deps.maxDurationMs);
    this.maxDurationTimer.unref();
    this.runVoiceApp(media);
  }

  onEnded(end: LegEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.maxDurationTimer);
    this.untrackMedia?.();
    this.app.abort();
    if (this.transfer) this.transferDone = this.transfer.end(end.reason, end.by);
    const { status, reason } = this.transfer?.wasBridged
      ? bridgedCallEnd(end)
      : { status: terminalStatusFor(end.reason as EndReason, end.answered), reason: end.reason };
    const endedAt = new Date().toISOString();
    this.log('call_ended', { status, end_reason: reason, by: end.by, sip_status: end.sipStatus ?? null });
    this.spans.callEnded({ status, endReason: reason, by: end.by, sipStatus: end.sipStatus });
    this.enqueue('finish', async () => {
      // Counted once the store took the end: a call already ended elsewhere is not counted twice.
      const changed = await this.deps.calls.finish(this.call.id, status, reason, endedAt);
      if (changed) this.deps.callMetrics?.ended.inc({ status, end_reason: reason });
    });
    this.enqueue('save recording', () => this.saveRecording());
    // The agent may report its last, cut-off turn as it stops; the transcript is final after that.
    // A shutdown closes the SIP socket after `finished`: the target's BYE must have been answered.
    const settled = Promise.all([settleWithin(this.appDone, VOICE_APP_SETTLE_MS), this.transferDone]);
    void settled.then(() => this.writes).then(() => {
      if (this.transcript?.hasCallerTurn) this.deps.analysis?.schedule(this.call.id);
      this.spans.finish();
      this.resolveFinished();
    });
  }

  private async startRecording(media: CallMedia): Promise<SessionRecording | undefined> {
    // Ticks arrive from the answer on; until the file is open they wait here (copied: the
    // media session may reuse its frame buffers), so the recording misses nothing.
    let recording: SessionRecording | undefined;
    const early: RecordingTick[] = [];
    media.onTick((tick) => {
      if (recording) recording.write(tick);
      else if (early.length < MAX_EARLY_TICKS) early.push({ caller: tick.caller?.slice() ?? null, agent: tick.agent?.slice() ?? null });
    });
    try {
      const opened = await SessionRecording.start(this.deps.recordingTempDir, this.call.id);
      if (this.ended && early.length === 0) {
        await opened.discard();
        return undefined;
      }
      for (const tick of early.splice(0)) opened.write(tick);
      recording = opened;
      return opened;
    } catch (error) {
      this.deps.logger.error({ err: error, call_id: this.call.id }, 'recording could not start');
      this.log('recording_failed', { stage: 'start' }, 'ERROR');
      return undefined;
    }
  }

  private async saveRecording(): Promise<void> {
    const recording = await this.recording;
    if (!recording) return;
    const span = this.spans.recordingSaveStarted();
    try {
      const key = await recording.save(this.deps.recordings, this.call.projectId, this.call.id);
      span.end({ attributes: { 'recording.saved': key !== undefined } });
      if (!key) return;
      await this.deps.calls.setRecordingKey(this.call.id, key);
      this.log('recording_saved');
    } catch (error) {
      span.end({ error });
      this.deps.logger.error({ err: error, call_id: this.call.id }, 'recording could not be saved');
      this.log('recording_failed', { stage: 'save' }, 'ERROR');
    }
  }

  private runVoiceApp(media: CallMedia): void {
    this.transcript = new TranscriptRecorder({ id: this.call.id, projectId: this.call.projectId }, Date.now(), {
      messages: this.deps.messages,
      analysis: this.deps.callAnalysis,
      enqueue: (what, write) => this.enqueue(what, write),
      latencyMetrics: this.deps.callMetrics?.turnLatency,
    });
    const callControl = new SipCallControl({
      leg: () => (this.ended ? undefined : this.leg),
      bridgeTo: this.call.transferDialer ? (target) => this.bridgeTo(target) : undefined,
      log: (event, data, level) => this.log(event, data, level),
    });
    const app = this.deps.voiceApps(this.call.voice, (reason) => void this.hangup(reason, 'agent'), this.transcript, callControl, this.trace);
    const audio = agentAudio(media, () => this.transfer?.wasBridged === true);
    this.appDone = app.run(audio, this.app.signal).catch((error: unknown) => {
      this.deps.logger.error({ err: error, call_id: this.call.id }, 'voice application failed');
      this.log('agent_error', undefined, 'ERROR');
    });
  }

  /** The REFER was refused: dial the target through the trunk and bridge it in (invite-transfer.ts). */
  private async bridgeTo(target: string): Promise<TransferResult> {
    const dialer = this.call.transferDialer;
    if (this.ended || !this.media || !dialer) return { ok: false, reason: 'call_not_active' };
    if (this.transfer) return { ok: false, reason: 'transfer_in_progress' };
    const transfer = new InviteTransfer({
      customer: this.media,
      log: (event, data, level) => this.log(event, data, level),
      trackMedia: (media) => this.deps.rtpMetrics?.track(media),
      onBridged: () => this.handOverToBridge(),
      onTargetEnded: (end) => void this.leg?.hangup(end.reason, end.by),
    });
    this.transfer = transfer;
    const result = await transfer.dial(dialer, target);
    if (!result.ok && this.transfer === transfer) this.transfer = undefined;
    return result;
  }

  /**
   * The two people are connected: the agent's queued words go, and its run (VAD, STT, LLM)
   * stops — after this tick, so the transfer tool's success is recorded in the transcript first.
   */
  private handOverToBridge(): void {
    this.media?.clearPlayout();
    setImmediate(() => this.app.abort());
  }

  /** Store writes run one after another, in the order the call produced them; a failure is logged and the queue goes on. */
  private enqueue(what: string, write: () => Promise<unknown>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.deps.logger.error({ err: error, call_id: this.call.id, write: what }, 'call store write failed');
    });
  }
}

function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined, () => undefined), deadline]).finally(() => clearTimeout(timer));
}
