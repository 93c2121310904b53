import { sql } from 'kysely';
import { Type } from 'typebox';
import type { App, AppDeps, ReadinessCheck } from '../../deps.ts';

// Probes for orchestrators and load balancers (Habla extensions, no API key needed):
//   /healthz  the process is up and serving HTTP;
//   /readyz   it should get traffic: the database answers, and every check main.ts adds
//             (SIP bound, not draining) passes. 503 otherwise, naming what failed.

const TAGS = ['Operations'];

const HealthResponse = Type.Object({ status: Type.String() });
const ReadinessResponse = Type.Object({
  status: Type.String(),
  checks: Type.Record(Type.String(), Type.String()),
});

export async function registerHealthRoutes(app: App, deps: AppDeps): Promise<void> {
  const database: ReadinessCheck = {
    name: 'database',
    check: async () => {
      await sql`select 1`.execute(deps.store.db);
    },
  };
  const checks = [database, ...(deps.readiness ?? [])];

  app.get('/healthz', {
    schema: { operationId: 'habla_healthz', tags: TAGS, 'x-habla-extension': true, response: { 200: HealthResponse } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      operationId: 'habla_readyz', tags: TAGS, 'x-habla-extension': true,
      response: { 200: ReadinessResponse, 503: ReadinessResponse },
    },
  }, async (_request, reply) => {
    const results = await Promise.all(checks.map(async ({ name, check }) => [name, await outcome(check)] as const));
    const ready = results.every(([, result]) => result === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
  });
}

/** 'ok', or why not: the message only (no stack traces to the network). */
async function outcome(check: ReadinessCheck['check']): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : 'failed';
  }
}
