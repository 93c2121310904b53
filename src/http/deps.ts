import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CallEngine } from '../engine/call-engine.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { Store } from '../store/database.ts';
import type { VoiceCatalog } from '../voice/catalog.ts';

/** Everything the HTTP layer is given by main.ts (or by a test). */
export interface AppDeps {
  store: Store;
  secretBox: SecretBox;
  callEngine: CallEngine;
  voices: VoiceCatalog;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
