/**
 * Shared steps of the telephony end-to-end tests: a real `habla serve` with SIP on loopback,
 * an API client, and provisioning (an agent with a greeting, a number on a trunk).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startHablaProcess, type HablaProcess, type HablaStartOptions } from './server-process.ts';
import type { SippRun } from './sipp.ts';

export interface HablaApi {
  (method: string, path: string, body?: unknown): Promise<any>;
  /** The raw response, for status-code assertions. */
  raw(method: string, path: string, body?: unknown): Promise<Response>;
}

export function apiClient(habla: HablaProcess): HablaApi {
  const raw = (method: string, path: string, body?: unknown) =>
    fetch(habla.url + path, {
      method,
      headers: { authorization: `Bearer ${habla.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (async (method: string, path: string, body?: unknown) => {
    const response = await raw(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }) as HablaApi;
  api.raw = raw;
  return api;
}

let rtpBase = 30_000 + (process.pid % 50) * 200;

/**
 * Starts Habla with SIP on 127.0.0.1 (OS-picked port) and its own RTP port range. A restart:
 * `options` = the previous run's { dataDir, adminKey }.
 */
export async function startTelephonyServer(env: Record<string, string> = {}, options: HablaStartOptions = {}): Promise<{ habla: HablaProcess; api: HablaApi }> {
  const min = rtpBase;
  rtpBase += 200;
  const serverEnv = { HABLA_RTP_PORT_MIN: String(min), HABLA_RTP_PORT_MAX: String(min + 199), HABLA_SIP_PUBLIC_HOST: '127.0.0.1', ...env };
  const habla = await startHablaProcess(serverEnv, undefined, options);
  return { habla, api: apiClient(habla) };
}

export interface AgentOptions {
  greeting?: string;
  timeBeforeStartS?: number;
  language?: 'es' | 'en';
  dynamicVariables?: Record<string, unknown>;
  /** Speak with this catalogue voice (provider and provider_voice_id) instead of espeak-ng's. */
  voice?: { provider: string; providerVoiceId: string };
}

/** Creates and publishes an agent speaking with the espeak-ng voice of its language (or `voice`). */
export async function createPublishedAgent(api: HablaApi, options: AgentOptions = {}): Promise<{ agentId: string; versionId: string }> {
  const language = options.language ?? 'es';
  const search = language === 'es' ? 'Spanish' : 'English';
  const wanted = options.voice ?? { provider: 'espeak', providerVoiceId: language === 'es' ? 'es' : 'en-us' };
  const voices = await api('GET', options.voice ? `/v1/voice/?limit=50&search=${encodeURIComponent(options.voice.providerVoiceId)}` : `/v1/voice/?limit=50&search=${search}`);
  const voice = voices.data.find((v: any) => v.provider_voice_id === wanted.providerVoiceId && (!options.voice || v.provider === wanted.provider));
  assert.ok(voice, `the ${wanted.provider} voice ${wanted.providerVoiceId} is in the catalogue`);
  const agent = await api('POST', '/v1/agent/', {
    name: 'Recepción',
    voice_id: voice.id,
    language,
    greeting: options.greeting ?? null,
    time_before_start: options.timeBeforeStartS ?? 0,
    dynamic_variables: options.dynamicVariables ?? {},
  });
  const versions = await api('GET', `/v1/agent/${agent.agent_id}/version`);
  const launched = versions.data.find((v: any) => !v.is_draft);
  await api('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { version_id: launched.version_id });
  return { agentId: agent.agent_id, versionId: launched.version_id };
}

export interface TrunkOptions {
  number: string;
  /** host:port of the far end (sipp as the carrier). */
  terminationUri?: string;
  username?: string;
  password?: string;
  outboundEncryption?: 'disable' | 'allow' | 'require';
  inboundEncryption?: 'disable' | 'allow' | 'require';
  allowedAddresses?: string[];
  inboundAgentId?: string;
  outboundAgentId?: string;
}

export async function importNumber(api: HablaApi, options: TrunkOptions): Promise<any> {
  const phone = await api('POST', '/v1/phone/import', {
    phone_number: options.number,
    ...(options.terminationUri
      ? { outbound_config: { termination_uri: options.terminationUri, username: options.username ?? null, password: options.password ?? null, media_encryption: options.outboundEncryption ?? 'disable' } }
      : {}),
    inbound_config: { allowed_addresses: options.allowedAddresses ?? [], media_encryption: options.inboundEncryption ?? 'allow' },
  });
  for (const [direction, agentId] of [['inbound', options.inboundAgentId], ['outbound', options.outboundAgentId]] as const) {
    if (!agentId) continue;
    const versions = await api('GET', `/v1/agent/${agentId}/version`);
    const published = versions.data.find((v: any) => !v.is_draft);
    await api('PATCH', `/v1/agent/${agentId}/published_version`, { version_id: published.version_id, [`${direction}_phone_number_id`]: phone.id });
  }
  return phone;
}

const TERMINAL = new Set(['completed', 'failed', 'no_answer', 'transferred']);

/** Polls the call until `done` says so (default: terminal status). */
export async function waitForCall(api: HablaApi, callId: string, done: (call: any) => boolean = (c) => TERMINAL.has(c.status), timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let call: any;
  while (Date.now() < deadline) {
    call = await api('GET', `/v1/call/${callId}`);
    if (done(call)) return call;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`call ${callId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(call)}`);
}

/** The call's log events in time order. */
export async function callLog(api: HablaApi, callId: string): Promise<{ event: string; data: any; level: string; category: string }[]> {
  const page = await api('GET', `/v1/log/call/${callId}?order=asc&limit=1000`);
  return page.data;
}

/** The call with the given filter, waiting until one exists (inbound calls are created by SIP). */
export async function waitForCallWhere(api: HablaApi, query: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const page = await api('GET', `/v1/call/?${query}`);
    if (page.data.length > 0) return page.data[0];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no call matching ${query} within ${timeoutMs} ms`);
}

/** Downloads the call's recording through its signed URL. */
export async function downloadRecording(call: any): Promise<Buffer> {
  assert.ok(call.recording_url, 'the call has a recording_url');
  const response = await fetch(call.recording_url);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

/** Runs `work`; on failure prints what sipp saw on the wire and what Habla logged, then rethrows. */
export async function explainSippFailure<T>(peer: SippRun, habla: HablaProcess, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await peer.kill();
    const { report } = await peer.exited;
    console.error(`--- sipp ---\n${report}\n--- habla (tail) ---\n${habla.output().slice(-6000)}`);
    throw error;
  }
}

/** Imports `number` on a trunk pointing at `trunk` and places a call from it; returns the call id. */
export async function callThroughTrunk(
  api: HablaApi,
  trunk: SippRun,
  options: { number: string; agentId: string; username?: string; password?: string },
): Promise<string> {
  await importNumber(api, { number: options.number, terminationUri: `127.0.0.1:${trunk.sipPort}`, outboundAgentId: options.agentId, username: options.username, password: options.password });
  const placed = await api('POST', '/v1/call/', { from_number: options.number, to_number: '+34600123456' });
  assert.equal(placed.status, 'dialing');
  return placed.id;
}

export interface OutboundCalls {
  readonly habla: HablaProcess;
  readonly api: HablaApi;
  /** `explainSippFailure` against this file's server. */
  explainFailure<T>(peer: SippRun, work: () => Promise<T>): Promise<T>;
  /** A fresh number on a trunk pointing at `trunk` (with optional credentials), and an outbound call from it. */
  callThrough(trunk: SippRun, credentials?: { username?: string; password?: string }): Promise<string>;
}

/**
 * What the outbound e2e files share: one server for the file with a published agent that has a
 * short greeting, started before its tests and stopped after. Each call gets a new number
 * `numberPrefix` + NN, so a file's calls never share a phone.
 */
export function outboundCalls(numberPrefix: string): OutboundCalls {
  let server: { habla: HablaProcess; api: HablaApi } | undefined;
  let agentId = '';
  let suffix = 10;
  before(async () => {
    server = await startTelephonyServer();
    ({ agentId } = await createPublishedAgent(server.api, { greeting: 'Hola, le llamamos de la clínica.' }));
  });
  after(async () => server?.habla.stop());
  const started = () => {
    if (!server) throw new Error('outboundCalls: the server starts in before()');
    return server;
  };
  return {
    get habla() {
      return started().habla;
    },
    get api() {
      return started().api;
    },
    explainFailure: (peer, work) => explainSippFailure(peer, started().habla, work),
    callThrough: (trunk, credentials = {}) => callThroughTrunk(started().api, trunk, { number: `${numberPrefix}${suffix++}`, agentId, ...credentials }),
  };
}
