/**
 * A span processor that files the finished spans of calls in the database, where
 * GET /v1/trace/call/{call_id} reads them. Ending a span only appends to a buffer: the writes
 * happen in batches (when a call's root span ends, every `flushIntervalMs`, or when a batch is
 * full), one at a time, off the path of the event that ended the span. SQLite writes block the
 * event loop the media clock runs on (500 spans ≈ 7 ms), so batches stay small (100 spans ≈
 * 1.2 ms) and the loop gets a turn between them. A failed batch is logged and dropped — a
 * trace is diagnostics, never a reason to hold memory or the call.
 */
import { SpanStatusCode, type Context, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import type { CallSpanRecord } from '../store/repositories/call-spans.ts';
import { CALL_ID_ATTRIBUTE, PROJECT_ID_ATTRIBUTE } from './call-trace.ts';

export interface CallSpanSink {
  insertMany(spans: readonly CallSpanRecord[]): Promise<unknown>;
}

export interface SpanStoreOptions {
  sink: CallSpanSink;
  logger: Logger;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Spans per write (one transaction); a full batch is written at once. Default 100. */
  maxBatch?: number;
  /** Spans waiting beyond this (the database is down or slow) are dropped; default 20,000. */
  maxQueue?: number;
}

export class SpanStoreProcessor implements SpanProcessor {
  private pending: CallSpanRecord[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;

  constructor(private readonly options: SpanStoreOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBatch = options.maxBatch ?? 100;
    this.maxQueue = options.maxQueue ?? 20_000;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const record = toRecord(span);
    if (!record) return;
    if (this.pending.length >= this.maxQueue) {
      this.dropped += 1;
      return;
    }
    this.pending.push(record);
    // The end of a call's root span: its trace is complete, store it now rather than in a second.
    if (record.parent_span_id === null || this.pending.length >= this.maxBatch) this.flushSoon(0);
    else this.flushSoon(this.flushIntervalMs);
  }

  /** Resolves when every span ended so far is written (or its batch failed). */
  forceFlush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped > 0) this.options.logger.warn({ spans: dropped }, 'call spans dropped: the database is not keeping up');
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      for (let i = 0; i < batch.length; i += this.maxBatch) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const part = batch.slice(i, i + this.maxBatch);
        try {
          await this.options.sink.insertMany(part);
        } catch (error) {
          this.options.logger.error({ err: error, spans: part.length }, 'call spans could not be stored');
        }
      }
    });
    return this.writing;
  }
}

/** The stored form of a span of a call; undefined for spans that belong to no call. */
export function toRecord(span: ReadableSpan): CallSpanRecord | undefined {
  const callId = span.attributes[CALL_ID_ATTRIBUTE];
  const projectId = span.attributes[PROJECT_ID_ATTRIBUTE];
  if (typeof callId !== 'string' || typeof projectId !== 'string') return undefined;
  const { [PROJECT_ID_ATTRIBUTE]: _project, ...attributes } = span.attributes;
  const context = span.spanContext();
  const startMs = hrTimeToMilliseconds(span.startTime);
  const durationMs = hrTimeToMilliseconds(span.duration);
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    call_id: callId,
    project_id: projectId,
    name: span.name,
    service_name: String(span.resource.attributes['service.name'] ?? 'habla'),
    start_time: new Date(startMs).toISOString(),
    end_time: new Date(startMs + durationMs).toISOString(),
    duration_ms: Math.round(durationMs * 1000) / 1000,
    status: STATUS[span.status.code],
    status_message: span.status.message ?? null,
    attributes,
  };
}

function hrTimeToMilliseconds([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}

const STATUS: Record<SpanStatusCode, string | null> = {
  [SpanStatusCode.UNSET]: null,
  [SpanStatusCode.OK]: 'OK',
  [SpanStatusCode.ERROR]: 'ERROR',
};
