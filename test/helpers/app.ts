import { after, before, describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallEngine, HangupOutcome, OutboundCallOrder } from '../../src/engine/call-engine.ts';
import type { App, AppDeps } from '../../src/http/deps.ts';
import { buildApp } from '../../src/http/server.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { LocalRecordingStorage } from '../../src/storage/recording-storage.ts';
import { createRecordingUrlSigner } from '../../src/storage/recording-url.ts';
import { bootstrap } from '../../src/store/bootstrap.ts';
import type { Store } from '../../src/store/database.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { ApiKeyRepository } from '../../src/store/repositories/api-keys.ts';
import { createVoiceCatalog } from '../../src/voice/espeak-catalog.ts';
import { TEST_DATABASES, type TestDatabase } from './databases.ts';

/** Records the calls handed to it; the test decides what happens to them. */
export class RecordingCallEngine implements CallEngine {
  readonly instanceId = 'test-engine';
  readonly orders: OutboundCallOrder[] = [];
  readonly hangups: string[] = [];
  /** What hangup answers; a test that wants a live call sets it and ends the call itself. */
  hangupOutcome: HangupOutcome = 'not_live';
  async hangup(callId: string): Promise<HangupOutcome> {
    this.hangups.push(callId);
    return this.hangupOutcome;
  }
  async placeOutboundCall(order: OutboundCallOrder): Promise<void> {
    this.orders.push(order);
  }
  async close(): Promise<void> {}
}

export interface TestApi {
  app: App;
  store: Store;
  deps: AppDeps;
  engine: RecordingCallEngine;
  /** Admin key of the bootstrapped default project. */
  adminKey: string;
  projectId: string;
  profileId: string;
  /** A second project (other tenant) with its own admin key. */
  other: { projectId: string; key: string };
  request(method: string, url: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<TestResponse>;
  /** A key of the default project carrying only these permissions. */
  restrictedKey(permissions: string[]): Promise<string>;
}

export interface TestResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
  raw: string;
}

/**
 * Declares `suite` once per database engine. Each engine gets a fresh app with a
 * bootstrapped project, shared by the tests of that engine.
 */
export function describeEachDatabase(title: string, suite: (api: () => TestApi, db: TestDatabase) => void): void {
  for (const database of TEST_DATABASES) {
    describe(`${title} [${database.name}]`, () => {
      let api: TestApi;
      before(async () => {
        api = await createTestApi(database);
      });
      after(async () => {
        await api.app.close();
        await api.store.close();
      });
      suite(() => api, database);
    });
  }
}

export async function createTestApi(database: TestDatabase, overrides: Partial<AppDeps> = {}): Promise<TestApi> {
  const store = await database.open();
  const adminKey = `hbl_test_${randomBytes(16).toString('hex')}`;
  await bootstrap(store, adminKey);
  const projects = new ProjectRepository(store.db);
  const target = (await projects.findDefault())!;
  const engine = new RecordingCallEngine();
  const deps: AppDeps = {
    store,
    secretBox: createSecretBox(randomBytes(32)),
    callEngine: engine,
    voices: createVoiceCatalog(),
    recordings: new LocalRecordingStorage(fs.mkdtempSync(path.join(testRecordingsRoot(), 'api-'))),
    recordingUrls: createRecordingUrlSigner(randomBytes(32)),
    ...overrides,
  };
  const app = await buildApp(deps);
  const apiKeys = new ApiKeyRepository(store.db);
  const otherProfile = await projects.createProfile('Other tenant');
  const otherProject = await projects.create(otherProfile, 'Other project', null);
  const otherKey = await apiKeys.create({
    projectId: otherProject.id, creatorId: otherProfile, name: 'other', restricted: false, permissions: null, expiryDate: null,
  });

  const request: TestApi['request'] = async (method, url, options = {}) => {
    const key = options.key === undefined ? adminKey : options.key;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const response = await app.inject({
      method: method as any,
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as any } : {}),
    });
    let body: any = undefined;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body, headers: response.headers, raw: response.body };
  };

  return {
    app, store, deps, engine, adminKey,
    projectId: target.projectId,
    profileId: target.profileId,
    other: { projectId: otherProject.id, key: otherKey.value },
    request,
    async restrictedKey(permissions) {
      const created = await apiKeys.create({
        projectId: target.projectId, creatorId: target.profileId, name: 'restricted', restricted: true, permissions, expiryDate: null,
      });
      return created.value;
    },
  };
}

let recordingsRoot: string | undefined;

/** One temporary folder per test process for recordings, removed when the process exits. */
function testRecordingsRoot(): string {
  if (recordingsRoot === undefined) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-test-recordings-'));
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    recordingsRoot = root;
  }
  return recordingsRoot;
}
