/**
 * Call tracing for a running server: an OpenTelemetry tracer provider whose finished spans go
 * to the database (always: GET /v1/trace/call/{call_id} serves them) and, when an OTLP
 * endpoint is configured, to a collector too. The provider is handed to the call engine
 * explicitly; nothing is registered globally.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { startCallTrace, type CallTrace, type CallTraceStart } from './call-trace.ts';
import { SpanStoreProcessor, type CallSpanSink } from './span-store-processor.ts';

/** What the call engine needs: one trace per call. */
export interface CallTracing {
  startCall(start: CallTraceStart): CallTrace;
}

export interface TracingOptions {
  /** `service.name` of every span (OTEL_SERVICE_NAME). */
  serviceName: string;
  /** `service.instance.id`: which Habla process drove the call. */
  instanceId?: string;
  /** Where finished call spans are stored (CallSpanRepository). */
  spanSink: CallSpanSink;
  /** OTLP/HTTP JSON traces URL (…/v1/traces); unset: no export. */
  otlpTracesUrl?: string;
  logger: Logger;
  /** How often buffered spans are written to the database; default 1000 ms. */
  storeFlushIntervalMs?: number;
}

const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

export class Tracing implements CallTracing {
  private constructor(
    private readonly provider: BasicTracerProvider,
    private readonly tracer: Tracer,
  ) {}

  static create(options: TracingOptions): Tracing {
    const processors: SpanProcessor[] = [
      new SpanStoreProcessor({ sink: options.spanSink, logger: options.logger, flushIntervalMs: options.storeFlushIntervalMs }),
    ];
    if (options.otlpTracesUrl) {
      const exporter = new OTLPTraceExporter({ url: options.otlpTracesUrl });
      processors.push(new BatchSpanProcessor(new LoggedExporter(exporter, options.logger)));
      options.logger.info({ url: options.otlpTracesUrl }, 'exporting call traces over OTLP/HTTP');
    }
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.serviceName,
        ...(options.instanceId ? { 'service.instance.id': options.instanceId } : {}),
      }),
      // Every call has a trace: the API serves it, so sampling (OTEL_TRACES_SAMPLER) is not offered.
      sampler: new AlwaysOnSampler(),
      spanProcessors: processors,
    });
    return new Tracing(provider, provider.getTracer('habla'));
  }

  startCall(start: CallTraceStart): CallTrace {
    return startCallTrace(this.tracer, start);
  }

  /** Writes and exports every span ended so far. */
  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes, then stops; call after the call engine has closed and before the store does. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/**
 * The OTLP exporter reports failures only through OpenTelemetry's global diagnostic logger;
 * this says in our log, at most once a minute, that the collector is not taking spans.
 */
class LoggedExporter implements SpanExporter {
  private lastLoggedAt = 0;
  private failures = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
  ) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      if (result.code !== 0) this.noteFailure(spans.length, result.error);
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private noteFailure(spans: number, error: Error | undefined): void {
    this.failures += spans;
    const now = Date.now();
    if (now - this.lastLoggedAt < EXPORT_FAILURE_LOG_INTERVAL_MS) return;
    this.logger.warn({ err: error, spans: this.failures }, 'OTLP trace export failed');
    this.lastLoggedAt = now;
    this.failures = 0;
  }
}
