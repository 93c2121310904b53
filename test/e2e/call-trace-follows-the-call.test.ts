// A call's trace follows the call. A real outbound call to sipp (answers, plays speech, hangs up
// after 3 s): GET /v1/trace/call/{id} serves the root `call` span lasting the call's lifetime,
// `sip.setup` before `media`, `media` as long as the call's `duration`, `recording.save` after
// it, consistent parent/child ids and span_count. The same spans reach an OTLP collector (a
// local HTTP server standing in for one) and survive a restart of the server. A trunk's digest
// challenge shows as `sip.auth` under `sip.setup`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { espeakToUlaw } from '../helpers/audio-fixtures.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import type { SpanNode } from '../../src/http/routes/traces/trace-tree.ts';
import {
  callLog, callThroughTrunk, createPublishedAgent, explainSippFailure, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi,
} from '../helpers/telephony.ts';

const SERVICE = 'habla-trace-e2e';
const CALLEE = '+34600123456';
const CALLER = '+34910000071';

let habla: HablaProcess;
let api: HablaApi;
let collector: Collector;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-trace-'));
const serverEnv = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
  OTEL_SERVICE_NAME: SERVICE,
  // The batch exporter's standard delay is 5 s; the test need not wait that long.
  OTEL_BSP_SCHEDULE_DELAY: '200',
});

before(async () => {
  collector = await startCollector();
  ({ habla, api } = await startTelephonyServer(serverEnv()));
});
after(async () => {
  await habla?.stop();
  await collector?.close();
  if (habla) fs.rmSync(habla.dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

type Span = SpanNode;

const startOf = (s: Span) => Date.parse(s.start_time);
const endOf = (s: Span) => Date.parse(s.start_time) + s.duration_ms;

function flatten(spans: Span[]): Span[] {
  return spans.flatMap((s) => [s, ...flatten(s.children ?? [])]);
}

/** The trace once its root `call` span is stored (the root ends last, after the recording). */
async function completeTrace(callId: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const response = await api.raw('GET', `/v1/trace/call/${callId}`);
    last = { status: response.status, body: await response.json() };
    if (response.status === 200 && last.body.spans.some((s: Span) => s.operation_name === 'call')) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no complete trace for ${callId} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

let answeredCallId: string;
let answeredTrace: any;

test('an answered call’s trace: call ⊃ sip.setup → media → recording.save, with the call’s timings', async () => {
  const speech = await espeakToUlaw('Hola, quería preguntar por mi pedido.', 'es', work);
  const callee = await startSipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${speech},1,0` }, vars: { hangup_after_ms: 3000 }, timeoutMs: 20_000 });
  try {
    await explainSippFailure(callee, habla, async () => {
      const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
      await importNumber(api, { number: CALLER, terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
      const placed = await api('POST', '/v1/call/', { from_number: CALLER, to_number: CALLEE });
      answeredCallId = placed.id;
      const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 20_000);
      await assertSippPassed(callee, 'callee');
      assert.equal(call.end_reason, 'customer_hangup');

      const trace = await completeTrace(placed.id);
      answeredTrace = trace;
      assert.match(trace.id, /^[0-9a-f]{32}$/);
      assert.equal(trace.call_id, placed.id);
      assert.equal(trace.root_service, SERVICE);

      // One root; its children in time order; ids consistent; span_count counts the tree.
      assert.equal(trace.spans.length, 1, JSON.stringify(trace.spans.map((s: Span) => s.operation_name)));
      const [root] = trace.spans as Span[];
      assert.equal(root.operation_name, 'call');
      assert.equal(root.parent_span_id, null);
      assert.deepEqual(root.children.map((s) => s.operation_name), ['sip.setup', 'media', 'recording.save']);
      const all = flatten(trace.spans);
      assert.equal(trace.span_count, all.length);
      assert.equal(all.length, 4);
      assert.equal(new Set(all.map((s) => s.id)).size, 4, 'span ids are unique');
      for (const child of root.children) {
        assert.equal(child.parent_span_id, root.id, `${child.operation_name} is the root's child`);
        assert.equal(child.service_name, SERVICE);
        assert.equal(child.status, 'OK', `${child.operation_name}: ${child.status}`);
        assert.ok(startOf(child) >= startOf(root) && endOf(child) <= endOf(root) + 1, `${child.operation_name} lies within the call`);
      }

      // The root: the call's attributes, no personal data, lasting the call's lifetime.
      assert.equal(root.status, 'OK');
      assert.deepEqual(
        { ...root.tags },
        { 'call.id': placed.id, 'call.direction': 'outbound', 'call.status': 'completed', 'call.end_reason': 'customer_hangup', 'call.ended_by': 'customer' },
      );
      const json = JSON.stringify(trace);
      for (const number of [CALLEE, CALLER, CALLEE.slice(3), CALLER.slice(3)]) assert.ok(!json.includes(number), `no phone number in the trace (${number})`);
      const created = Date.parse(call.created_date);
      const ended = Date.parse(call.end_time);
      const lifetimeMs = ended - created;
      assert.ok(startOf(root) >= created - 5 && startOf(root) - created < 1000, `root starts as the call is placed (+${startOf(root) - created} ms)`);
      assert.ok(endOf(root) >= ended - 5 && endOf(root) - ended < 2000, `root ends once the call is stored (+${endOf(root) - ended} ms after end_time)`);
      assert.ok(Math.abs(root.duration_ms - lifetimeMs) < 2000, `root ${root.duration_ms} ms vs call lifetime ${lifetimeMs} ms`);
      assert.equal(trace.start_time, root.start_time);
      assert.ok(Math.abs(trace.duration_ms - root.duration_ms) < 1, `trace duration ${trace.duration_ms} = root ${root.duration_ms}`);

      const [setup, media, recording] = root.children;
      // SIP setup: INVITE sent → 200 OK (180 Ringing in between), then media.
      assert.equal(setup.tags['sip.direction'], 'outbound');
      assert.equal(setup.tags['sip.status_code'], 200);
      assert.ok(setup.duration_ms > 0 && setup.duration_ms < 2000, `setup took ${setup.duration_ms} ms`);
      assert.ok(endOf(setup) <= startOf(media) + 1, `sip.setup (ends ${setup.start_time}+${setup.duration_ms}) before media (${media.start_time})`);

      // Media: the answer to the hang-up, as long as the call's duration (whole seconds).
      const talkedMs = Date.parse(call.end_time) - Date.parse(call.start_time);
      assert.ok(Math.abs(startOf(media) - Date.parse(call.start_time)) < 100, `media starts at the answer (${media.start_time} vs ${call.start_time})`);
      assert.ok(Math.abs(media.duration_ms - talkedMs) < 100, `media ${media.duration_ms} ms vs answered ${talkedMs} ms`);
      assert.ok(Math.abs(media.duration_ms - call.duration * 1000) <= 500, `media ${media.duration_ms} ms vs duration ${call.duration} s`);
      assert.ok(media.duration_ms > 2500 && media.duration_ms < 5000, `the callee hung up after ~3 s: ${media.duration_ms} ms`);
      assert.equal(media.tags['media.codec'], 'PCMU');
      assert.equal(media.tags['call.ended_by'], 'customer');

      // Then the recording is saved.
      assert.ok(startOf(recording) >= endOf(media) - 1, 'recording.save after media');
      assert.equal(recording.tags['recording.saved'], true);

      // The call log entries point at the trace.
      const log = await callLog(api, placed.id);
      assert.ok(log.length > 5);
      for (const entry of log) assert.equal((entry as any).trace_id, trace.id, `${entry.event} carries the trace id`);
      console.log(`trace figures: lifetime ${lifetimeMs} ms, root ${root.duration_ms} ms, setup ${setup.duration_ms} ms, media ${media.duration_ms} ms (duration ${call.duration} s), recording.save ${recording.duration_ms} ms`);
    });
  } finally {
    await callee.cleanup();
  }
});

test('the same spans reach the OTLP collector as OTLP/HTTP JSON', async () => {
  assert.ok(answeredTrace, 'the answered call ran');
  const apiSpans = flatten(answeredTrace.spans);
  const exported = await collector.waitForSpans(answeredTrace.id, apiSpans.length, 10_000);
  assert.equal(collector.requests[0]!.path, '/v1/traces');
  assert.match(collector.requests[0]!.contentType, /^application\/json/);
  const resource = exported[0]!.resource;
  assert.equal(resource['service.name'], SERVICE);
  const byId = new Map(exported.map((s) => [s.spanId, s]));
  for (const span of apiSpans) {
    const otlp = byId.get(span.id);
    assert.ok(otlp, `span ${span.operation_name} exported`);
    assert.equal(otlp.name, span.operation_name);
    assert.equal(otlp.parentSpanId || null, span.parent_span_id);
    assert.equal(otlp.attributes['call.id'], answeredCallId);
    const durationMs = Number(BigInt(otlp.endTimeUnixNano) - BigInt(otlp.startTimeUnixNano)) / 1e6;
    assert.ok(Math.abs(durationMs - span.duration_ms) < 0.01, `${span.operation_name}: exported ${durationMs} ms, stored ${span.duration_ms} ms`);
  }
});

test('a digest challenge shows as sip.auth inside sip.setup', async () => {
  const trunk = await startSipp({
    scenario: 'uas-401-then-answer', keys: { auth_user: 'trace-user', auth_password: 'Tr4ce-s3cret-55' }, vars: { hangup_after_ms: 1000 }, timeoutMs: 15_000,
  });
  try {
    await explainSippFailure(trunk, habla, async () => {
      const { agentId } = await createPublishedAgent(api, { greeting: 'Hola.' });
      const callId = await callThroughTrunk(api, trunk, { number: '+34910000072', agentId, username: 'trace-user', password: 'Tr4ce-s3cret-55' });
      const call = await waitForCall(api, callId, (c) => c.status === 'completed' && c.recording_url, 15_000);
      await assertSippPassed(trunk, 'trunk challenging then answering');
      assert.equal(call.status, 'completed');
      const trace = await completeTrace(callId);
      const [root] = trace.spans as Span[];
      const setup = root.children.find((s) => s.operation_name === 'sip.setup')!;
      assert.ok(setup, 'sip.setup present');
      assert.equal(setup.children.length, 1, JSON.stringify(setup.children));
      const [auth] = setup.children;
      assert.equal(auth.operation_name, 'sip.auth');
      assert.equal(auth.parent_span_id, setup.id);
      assert.equal(auth.tags['sip.challenge_status_code'], 401);
      assert.equal(auth.status, 'OK');
      assert.ok(startOf(auth) >= startOf(setup) && endOf(auth) <= endOf(setup) + 1, 'the authenticated INVITE lies within the setup');
      assert.equal(trace.span_count, 5);
      assert.ok(!JSON.stringify(trace).includes('Tr4ce-s3cret-55'), 'no password in the trace');
    });
  } finally {
    await trunk.cleanup();
  }
});

test('an inbound call’s trace: sip.setup from the INVITE to our 200 OK; hold and resume are events of media', async () => {
  const agent = await createPublishedAgent(api, { greeting: 'Hola, dígame.' });
  await importNumber(api, { number: '+34910000073', inboundAgentId: agent.agentId });
  const caller = await startSipp({ scenario: 'uac-call-hold-unhold-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: '0034910000073' });
  try {
    await explainSippFailure(caller, habla, async () => {
      await assertSippPassed(caller, 'caller holding and resuming');
      const inbound = await waitForCallWhere(api, 'type=inbound');
      const call = await waitForCall(api, inbound.id);
      assert.equal(call.status, 'completed');
      const trace = await completeTrace(call.id);
      const [root] = trace.spans as Span[];
      assert.equal(root.tags['call.direction'], 'inbound');
      assert.equal(root.tags['call.end_reason'], 'customer_hangup');
      const [setup, media] = root.children;
      assert.deepEqual([setup?.operation_name, media?.operation_name], ['sip.setup', 'media']);
      assert.equal(setup!.tags['sip.direction'], 'inbound');
      assert.ok(startOf(setup!) - startOf(root) < 1 && startOf(setup!) >= startOf(root), 'the setup starts with the call, at the INVITE');
      assert.ok(startOf(setup!) <= Date.parse(call.created_date), 'the INVITE arrived before the call row was written');
      assert.ok(endOf(setup!) <= startOf(media!) + 1);
      assert.ok(Math.abs(startOf(media!) - Date.parse(call.start_time)) < 100, 'media starts at the answer');
      const exported = await collector.waitForSpans(trace.id, flatten(trace.spans).length, 10_000);
      const otlpMedia = exported.find((s) => s.name === 'media')!;
      assert.deepEqual(otlpMedia.events.map((e) => e.name).filter((n) => n === 'hold' || n === 'unhold'), ['hold', 'unhold']);
      assert.ok(!JSON.stringify(exported.filter((s) => s.traceId === trace.id)).includes('600333444'), 'the caller number is in no exported span');
    });
  } finally {
    await caller.cleanup();
  }
});

test('traces survive a restart of the server', async () => {
  assert.ok(answeredTrace, 'the answered call ran');
  const { dataDir, adminKey } = habla;
  await habla.stop();
  ({ habla, api } = await startTelephonyServer(serverEnv(), { dataDir, adminKey }));
  const again = await api('GET', `/v1/trace/call/${answeredCallId}`);
  assert.deepEqual(again, answeredTrace);
});

// --- a minimal OTLP/HTTP collector --------------------------------------------------------------

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: { name: string }[];
  resource: Record<string, unknown>;
}

interface Collector {
  port: number;
  requests: { path: string; contentType: string }[];
  spans: ExportedSpan[];
  waitForSpans(traceId: string, count: number, timeoutMs: number): Promise<ExportedSpan[]>;
  close(): Promise<void>;
}

/** Accepts POST /v1/traces (JSON ExportTraceServiceRequest) and keeps the spans, attributes flattened. */
async function startCollector(): Promise<Collector> {
  const requests: Collector['requests'] = [];
  const spans: ExportedSpan[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', contentType: String(request.headers['content-type'] ?? '') });
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          const resource = flatAttributes(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) spans.push({ ...s, attributes: flatAttributes(s.attributes), events: s.events ?? [], resource });
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    spans,
    async waitForSpans(traceId, count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans.filter((s) => s.traceId === traceId);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`collector has ${found.length}/${count} spans of ${traceId}; requests: ${requests.length}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function flatAttributes(list: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = Object.values(value)[0];
  return out;
}
