import type { App, AppDeps } from '../../deps.ts';

// Prometheus scrape endpoint (Habla extension, no key: aggregate counts only; restrict it at
// the network edge if it must not be public). Also counts every answered HTTP request.

export async function registerMetrics(app: App, deps: AppDeps): Promise<void> {
  const metrics = deps.metrics;
  if (!metrics) return;

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    schema: { operationId: 'habla_metrics', tags: ['Operations'], 'x-habla-extension': true },
  }, async (_request, reply) => {
    await refreshActiveCalls(deps);
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

async function refreshActiveCalls(deps: AppDeps): Promise<void> {
  const rows = await deps.store.db
    .selectFrom('calls')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .where('status', 'in', ['dialing', 'in_progress'])
    .groupBy('status')
    .execute();
  const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
  for (const status of ['dialing', 'in_progress']) deps.metrics!.activeCalls.set({ status }, counts.get(status) ?? 0);
}
