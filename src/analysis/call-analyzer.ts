/**
 * Post-call analysis, off every call's path: a small queue (1–2 at a time) that takes finished
 * calls in which the caller spoke, asks the configured LLM for a summary, a sentiment and a
 * success flag, and stores them with their `call_analyzed` webhook event. The work list is the
 * database (analysis_status), not memory: calls that ended while the process was down, or
 * whose analyser died, are found again by `resumePending()` at start.
 */
import type { AgentRepository } from '../store/repositories/agents.ts';
import type { CallAnalysisRepository } from '../store/repositories/call-analysis.ts';
import type { MessageRepository } from '../store/repositories/messages.ts';
import type { LlmProvider } from '../voice/llm/types.ts';
import { analyzeTranscript } from './analyze.ts';

export interface AnalyzerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface CallAnalyzerDeps {
  llm: LlmProvider;
  analyses: CallAnalysisRepository;
  messages: Pick<MessageRepository, 'transcriptOf'>;
  agents: Pick<AgentRepository, 'findVersion'>;
  logger: AnalyzerLogger;
  /** Analyses running at once (default 2): enough to keep up, never a burst on the LLM. */
  concurrency?: number;
  /** A `running` claim older than this belongs to an analyser that died (default 10 minutes). */
  staleClaimMs?: number;
  now?: () => number;
}

const DEFAULT_STALE_CLAIM_MS = 10 * 60_000;
/** Calls read per query by resumePending. */
const PAGE = 100;

export class CallAnalyzer {
  private readonly queue: string[] = [];
  /** Queued or running: a call is never analysed twice at once by this process. */
  private readonly known = new Set<string>();
  private running = 0;
  private readonly stopping = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(private readonly deps: CallAnalyzerDeps) {
    this.concurrency = Math.max(1, deps.concurrency ?? 2);
    this.now = deps.now ?? Date.now;
  }

  /** Analyse this finished call soon. Calls not due (no caller turn, analysed already) are skipped. */
  schedule(callId: string): void {
    if (this.stopping.signal.aborted || this.known.has(callId)) return;
    this.known.add(callId);
    this.queue.push(callId);
    this.pump();
  }

  /** Queues every ended call still waiting for its analysis; returns how many. */
  async resumePending(): Promise<number> {
    const seen = new Set<string>();
    // Pages until one brings nothing new: a call queued here stays `pending` until it is claimed.
    for (;;) {
      const due = await this.deps.analyses.listDue(this.staleBefore(), PAGE + seen.size);
      const fresh = due.filter((id) => !seen.has(id));
      if (fresh.length === 0 || this.stopping.signal.aborted) return seen.size;
      for (const id of fresh) {
        seen.add(id);
        this.schedule(id);
      }
      if (due.length < PAGE + seen.size - fresh.length) return seen.size;
    }
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work and aborts what runs; interrupted calls stay due for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.queue.length = 0;
    await this.idle();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const callId = this.queue.shift()!;
      this.running++;
      void this.analyse(callId)
        .catch((error: unknown) => this.deps.logger.error({ err: error, call_id: callId }, 'call analysis failed unexpectedly'))
        .finally(() => {
          this.running--;
          this.known.delete(callId);
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        });
    }
  }

  private async analyse(callId: string): Promise<void> {
    const call = await this.deps.analyses.claim(callId, this.staleBefore(), new Date(this.now()).toISOString());
    if (!call) return;
    const turns = await this.deps.messages.transcriptOf(callId);
    if (!turns.some((turn) => turn.role === 'user')) {
      await this.deps.analyses.fail(callId);
      this.deps.logger.warn({ call_id: callId }, 'call analysis skipped: the transcript has no caller turn');
      return;
    }
    const version = call.agent_version_id ? await this.deps.agents.findVersion(call.project_id, call.agent_version_id) : undefined;
    const input = { turns, language: version?.settings.language ?? 'es', agentPrompt: version?.settings.prompt ?? null };
    let outcome;
    try {
      outcome = await analyzeTranscript(this.deps.llm, input, this.stopping.signal);
    } catch (error) {
      if (!this.stopping.signal.aborted) throw error;
      await this.deps.analyses.release(callId);
      return;
    }
    if (outcome.ok) {
      const stored = await this.deps.analyses.complete(callId, outcome.analysis);
      this.deps.logger.info({ call_id: callId, attempts: outcome.attempts, stored, sentiment: outcome.analysis.sentiment }, 'call analysed');
      return;
    }
    await this.deps.analyses.fail(callId);
    this.deps.logger.warn({ call_id: callId, problems: outcome.problems, llm: this.deps.llm.name }, 'call analysis failed');
  }

  private staleBefore(): string {
    return new Date(this.now() - (this.deps.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS)).toISOString();
  }
}
