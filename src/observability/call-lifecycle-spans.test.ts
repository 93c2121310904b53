import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CallLifecycleSpans } from './call-lifecycle-spans.ts';
import { startCallTrace } from './call-trace.ts';

function tracedCall(direction: 'inbound' | 'outbound', startedAt?: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const trace = startCallTrace(provider.getTracer('test'), { callId: 'call-1', projectId: 'project-1', direction, startTime: startedAt });
  const spans = new CallLifecycleSpans(trace, direction, startedAt);
  const finished = () => {
    const all = exporter.getFinishedSpans();
    const byName = (name: string) => all.find((s) => s.name === name);
    return { all, byName, names: all.map((s) => s.name) };
  };
  return { trace, spans, finished };
}

const ms = (span: ReadableSpan, field: 'startTime' | 'endTime') => span[field][0] * 1000 + span[field][1] / 1e6;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

test('inbound: setup from the INVITE’s arrival to the 200 OK, media to the end, root last', () => {
  const invitedAt = Date.now() - 250;
  const { trace, spans, finished } = tracedCall('inbound', invitedAt);
  spans.onLegEvent('answered', { codec: 'PCMA', srtp: true });
  spans.mediaStarted();
  spans.onLegEvent('dtmf_received', { digit: '7', via: 'rfc4733' });
  spans.onLegEvent('hold');
  spans.callEnded({ status: 'completed', endReason: 'customer_hangup', by: 'customer' });
  assert.deepEqual(finished().names, ['sip.setup', 'media'], 'the root waits for finish()');
  spans.finish();

  const { byName, names } = finished();
  assert.deepEqual(names, ['sip.setup', 'media', 'call']);
  const [setup, media, root] = [byName('sip.setup')!, byName('media')!, byName('call')!];
  assert.ok(Math.abs(ms(setup, 'startTime') - invitedAt) < 1, 'setup starts when the INVITE arrived');
  assert.ok(Math.abs(ms(root, 'startTime') - invitedAt) < 1, 'so does the call');
  assert.ok(ms(setup, 'endTime') - invitedAt >= 250);
  assert.equal(setup.attributes['sip.direction'], 'inbound');
  assert.equal(setup.status.code, SpanStatusCode.OK);
  assert.deepEqual([media.attributes['media.codec'], media.attributes['media.srtp']], ['PCMA', true]);
  assert.deepEqual(media.events.map((e) => [e.name, e.attributes]), [['dtmf_received', { via: 'rfc4733' }], ['hold', {}]], 'no DTMF digit');
  for (const child of [setup, media]) assert.equal(parentOf(child), root.spanContext().spanId);
  assert.equal(parentOf(root), undefined);
  assert.equal(root.attributes['call.id'], 'call-1');
  assert.deepEqual(
    [root.attributes['call.direction'], root.attributes['call.status'], root.attributes['call.end_reason'], root.attributes['call.ended_by']],
    ['inbound', 'completed', 'customer_hangup', 'customer'],
  );
  assert.equal(root.status.code, SpanStatusCode.OK);
  assert.equal(trace.traceId, root.spanContext().traceId);
});

test('outbound refused by the trunk: setup and call end ERROR with the SIP status, no media span', () => {
  const { spans, finished } = tracedCall('outbound');
  spans.onLegEvent('invite_sent', { trunk: '192.0.2.1:5060', authenticated: false });
  spans.onLegEvent('sip_error', { status_code: 503, reason: 'Service Unavailable' });
  spans.callEnded({ status: 'failed', endReason: 'sip_error_503', by: 'system', sipStatus: 503 });
  spans.finish();
  const { byName, names } = finished();
  assert.deepEqual(names, ['sip.setup', 'call']);
  const setup = byName('sip.setup')!;
  assert.deepEqual(setup.status, { code: SpanStatusCode.ERROR, message: 'sip_error_503' });
  assert.equal(setup.attributes['sip.status_code'], 503);
  assert.equal(setup.attributes['sip.direction'], 'outbound');
  assert.ok(!('trunk' in setup.attributes), 'the trunk address is not a tag');
  const root = byName('call')!;
  assert.equal(root.status.code, SpanStatusCode.ERROR);
  assert.equal(root.attributes['sip.status_code'], 503);
});

test('outbound not answered (busy) is not an error; a digest retry is sip.auth under sip.setup', () => {
  const { spans, finished } = tracedCall('outbound');
  spans.onLegEvent('invite_sent', { authenticated: false });
  spans.onLegEvent('auth_challenge', { status_code: 407 });
  spans.onLegEvent('invite_sent', { authenticated: true });
  spans.onLegEvent('ringing', { status_code: 180 });
  spans.onLegEvent('sip_error', { status_code: 486 });
  spans.callEnded({ status: 'no_answer', endReason: 'busy', by: 'customer', sipStatus: 486 });
  spans.finish();
  const { byName, all } = finished();
  const [setup, auth] = [byName('sip.setup')!, byName('sip.auth')!];
  assert.equal(all.filter((s) => s.name === 'sip.setup').length, 1, 'the retried INVITE does not open a second setup');
  assert.equal(parentOf(auth), setup.spanContext().spanId);
  assert.equal(auth.attributes['sip.challenge_status_code'], 407);
  assert.deepEqual(setup.events.map((e) => e.name), ['auth_challenge', 'ringing']);
  assert.equal(setup.status.code, SpanStatusCode.OK);
  assert.equal(setup.attributes['call.end_reason'], 'busy');
  assert.ok(ms(auth, 'endTime') <= ms(setup, 'endTime'));
});

test('a span left open by the voice agent ends with the call, before its parent', () => {
  const { trace, spans, finished } = tracedCall('outbound');
  spans.onLegEvent('invite_sent');
  spans.onLegEvent('answered', { codec: 'PCMU', srtp: false });
  spans.mediaStarted();
  const turn = trace.startSpan('turn.agent');
  trace.startSpan('tts', {}, { parent: turn });
  spans.callEnded({ status: 'completed', endReason: 'agent_hangup', by: 'agent' });
  spans.finish();
  const { names, byName } = finished();
  assert.deepEqual(names, ['sip.setup', 'media', 'tts', 'turn.agent', 'call']);
  assert.equal(byName('tts')!.attributes['habla.ended_with_call'], true);
  assert.equal(parentOf(byName('tts')!), byName('turn.agent')!.spanContext().spanId);
});
