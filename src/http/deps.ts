import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CallEngine } from '../engine/call-engine.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { RecordingStorage } from '../storage/recording-storage.ts';
import type { RecordingUrlSigner } from '../storage/recording-url.ts';
import type { Store } from '../store/database.ts';
import type { VoiceCatalog } from '../voice/catalog.ts';

/** Everything the HTTP layer is given by main.ts (or by a test). */
export interface AppDeps {
  store: Store;
  secretBox: SecretBox;
  callEngine: CallEngine;
  voices: VoiceCatalog;
  /** Call recordings (audio), addressed by `calls.recording_key`. */
  recordings: RecordingStorage;
  /** Signs and checks the expiring links in `recording_url`. */
  recordingUrls: RecordingUrlSigner;
  /** Prometheus metrics; `/metrics` is served when present. */
  metrics?: Metrics;
  /** Extra conditions for `/readyz` beyond the database (SIP bound, not draining). */
  readiness?: ReadinessCheck[];
}

export interface ReadinessCheck {
  name: string;
  /** Resolves when ready; throws (with a short reason) when not. */
  check(): Promise<void> | void;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
