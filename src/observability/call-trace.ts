/**
 * The trace of one call, as the code that runs a call sees it: a root `call` span and a small
 * API to add child spans (SIP setup, media, recording, and the voice agent's turns, LLM, TTS
 * and tool calls). Built on the OpenTelemetry API; without tracing every method is a no-op,
 * so callers never check whether a call is traced. docs/traces.md documents the span names.
 */
import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanStatusCode, trace as otelTrace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

/** Span attribute values, as OpenTelemetry accepts them; undefined values are left out. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | number[] | boolean[] | undefined>;

/** Every span of a call carries the call's id (queryable in any OTLP backend). */
export const CALL_ID_ATTRIBUTE = 'call.id';
/** Every span of a call carries its project: the span store files the span under it. */
export const PROJECT_ID_ATTRIBUTE = 'habla.project_id';

export interface SpanEnd {
  /** Marks the span failed (status ERROR, with the message). */
  error?: unknown;
  /** Attributes known only at the end (outcome, sizes). */
  attributes?: SpanAttributes;
  /** When it ended (epoch ms); default now. */
  endTime?: number;
}

export interface TraceSpan {
  /** 16 hex digits; '' when the call is not traced. */
  readonly spanId: string;
  readonly ended: boolean;
  setAttributes(attributes: SpanAttributes): void;
  /** A point in time inside the span (e.g. `ringing`, `interrupted`). Exported to OTLP; not in the API's tags. */
  addEvent(name: string, attributes?: SpanAttributes): void;
  /** Ends the span, status OK unless `error` is given. Idempotent: later calls do nothing. */
  end(end?: SpanEnd): void;
}

export interface StartSpanOptions {
  /** Default: the root `call` span. */
  parent?: TraceSpan;
  /** When it started (epoch ms); default now. */
  startTime?: number;
}

export interface CallTrace {
  /** 32 hex digits; null when the call is not traced. */
  readonly traceId: string | null;
  /** The `call` span: from the call's start until it is stored (status, recording). */
  readonly root: TraceSpan;
  startSpan(name: string, attributes?: SpanAttributes, options?: StartSpanOptions): TraceSpan;
  /** Runs `work` in a span that ends when it settles: ERROR (and rethrown) when it throws. */
  inSpan<T>(name: string, attributes: SpanAttributes, work: (span: TraceSpan) => Promise<T> | T, options?: StartSpanOptions): Promise<T>;
  /**
   * Ends the trace: spans still open end now (attribute `habla.ended_with_call`), then the
   * root. Spans started afterwards are not recorded.
   */
  end(end?: SpanEnd): void;
}

export interface CallTraceStart {
  callId: string;
  projectId: string;
  direction: 'inbound' | 'outbound';
  /** Epoch ms; default now. */
  startTime?: number;
}

/** A call's trace on an OpenTelemetry tracer (see tracing.ts for the provider). */
export function startCallTrace(tracer: Tracer, start: CallTraceStart): CallTrace {
  return new OtelCallTrace(tracer, start);
}

/**
 * Epoch ms with sub-ms precision, anchored to the wall clock once per call. The SDK anchors each
 * span on its own Date.now() (1 ms steps), so a child could appear to end after its parent;
 * one anchor per call keeps its spans consistent with each other, and a call is too short for
 * the monotonic clock to drift from the wall clock.
 */
function callClock(): () => number {
  const offset = Date.now() - performance.now();
  return () => offset + performance.now();
}

class OtelSpan implements TraceSpan {
  ended = false;
  constructor(
    readonly span: Span,
    private readonly clock: () => number,
    private readonly onEnded: (span: OtelSpan) => void,
  ) {}

  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  setAttributes(attributes: SpanAttributes): void {
    if (!this.ended) this.span.setAttributes(clean(attributes));
  }

  addEvent(name: string, attributes?: SpanAttributes): void {
    if (!this.ended) this.span.addEvent(name, attributes ? clean(attributes) : undefined, this.clock());
  }

  end(end: SpanEnd = {}): void {
    if (this.ended) return;
    this.ended = true;
    if (end.attributes) this.span.setAttributes(clean(end.attributes));
    if (end.error !== undefined && end.error !== false) {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(end.error) });
    } else {
      this.span.setStatus({ code: SpanStatusCode.OK });
    }
    this.span.end(end.endTime ?? this.clock());
    this.onEnded(this);
  }
}

class OtelCallTrace implements CallTrace {
  readonly root: OtelSpan;
  private readonly open = new Set<OtelSpan>();
  private readonly common: Attributes;
  private readonly clock = callClock();

  constructor(
    private readonly tracer: Tracer,
    start: CallTraceStart,
  ) {
    this.common = { [CALL_ID_ATTRIBUTE]: start.callId, [PROJECT_ID_ATTRIBUTE]: start.projectId };
    const span = tracer.startSpan(
      'call',
      { root: true, startTime: start.startTime ?? this.clock(), attributes: { ...this.common, 'call.direction': start.direction } },
      ROOT_CONTEXT,
    );
    this.root = new OtelSpan(span, this.clock, () => {});
  }

  get traceId(): string {
    return this.root.span.spanContext().traceId;
  }

  startSpan(name: string, attributes: SpanAttributes = {}, options: StartSpanOptions = {}): TraceSpan {
    if (this.root.ended) return NOOP_SPAN;
    const parent = options.parent instanceof OtelSpan ? options.parent : this.root;
    const context = otelTrace.setSpan(ROOT_CONTEXT, parent.span);
    const span = this.tracer.startSpan(name, { startTime: options.startTime ?? this.clock(), attributes: { ...this.common, ...clean(attributes) } }, context);
    const traced = new OtelSpan(span, this.clock, (s) => this.open.delete(s));
    this.open.add(traced);
    return traced;
  }

  async inSpan<T>(name: string, attributes: SpanAttributes, work: (span: TraceSpan) => Promise<T> | T, options?: StartSpanOptions): Promise<T> {
    const span = this.startSpan(name, attributes, options);
    try {
      const result = await work(span);
      span.end();
      return result;
    } catch (error) {
      span.end({ error });
      throw error;
    }
  }

  end(end: SpanEnd = {}): void {
    if (this.root.ended) return;
    // Children first (latest first), so every span ends before its parent.
    for (const span of [...this.open].reverse()) span.end({ attributes: { 'habla.ended_with_call': true }, endTime: end.endTime });
    this.root.end(end);
  }
}

const NOOP_SPAN: TraceSpan = {
  spanId: '',
  ended: true,
  setAttributes: () => {},
  addEvent: () => {},
  end: () => {},
};

/** The trace of a call that is not traced (tests, tools): accepts everything, records nothing. */
export const NOOP_CALL_TRACE: CallTrace = {
  traceId: null,
  root: NOOP_SPAN,
  startSpan: () => NOOP_SPAN,
  inSpan: async (_name, _attributes, work) => work(NOOP_SPAN),
  end: () => {},
};

function clean(attributes: SpanAttributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'error';
}
