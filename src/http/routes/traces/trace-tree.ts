/**
 * Shapes a call's stored spans as the contract's TraceResponse: one trace (the call's), its
 * spans as a tree under the root, siblings by start time. A span whose parent is not stored
 * (a live call whose root has not ended yet) is shown at the top level.
 */
import type { CallSpanRecord } from '../../../store/repositories/call-spans.ts';

export interface SpanNode {
  id: string;
  parent_span_id: string | null;
  operation_name: string;
  service_name: string;
  start_time: string;
  duration_ms: number;
  status: string | null;
  tags: Record<string, unknown>;
  children: SpanNode[];
}

export interface TraceView {
  id: string;
  call_id: string;
  root_service: string | null;
  start_time: string;
  end_time: string;
  duration_ms: number;
  span_count: number;
  spans: SpanNode[];
}

/**
 * `spans` are one call's, ordered by start time. A call has one trace; should a call ever hold
 * spans of several (one written by another tool), the one with the earliest span is shown.
 * `total` is how many spans the trace has when `spans` was capped.
 */
export function buildTrace(callId: string, spans: readonly CallSpanRecord[], total = spans.length): TraceView | undefined {
  if (spans.length === 0) return undefined;
  const traceId = spans[0]!.trace_id;
  const own = spans.filter((s) => s.trace_id === traceId);
  const nodes = new Map(own.map((s) => [s.span_id, toNode(s)]));
  const top: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_span_id === null ? undefined : nodes.get(node.parent_span_id);
    if (parent && parent !== node) parent.children.push(node);
    else top.push(node);
  }
  const start = Math.min(...own.map((s) => Date.parse(s.start_time)));
  const end = Math.max(...own.map((s) => Date.parse(s.start_time) + s.duration_ms));
  const root = own.find((s) => s.parent_span_id === null);
  return {
    id: traceId,
    call_id: callId,
    root_service: (root ?? own[0]!).service_name,
    start_time: new Date(start).toISOString(),
    end_time: new Date(end).toISOString(),
    duration_ms: round3(end - start),
    span_count: own.length === spans.length ? total : own.length,
    spans: top,
  };
}

function toNode(span: CallSpanRecord): SpanNode {
  return {
    id: span.span_id,
    parent_span_id: span.parent_span_id,
    operation_name: span.name,
    service_name: span.service_name,
    start_time: span.start_time,
    duration_ms: span.duration_ms,
    status: span.status,
    tags: span.attributes,
    children: [],
  };
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;
