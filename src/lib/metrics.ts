import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// One registry per process (main.ts builds it; tests build their own). Metric names follow
// Prometheus conventions: base units (seconds), `_total` for counters.

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  webhookDeliveries: Counter<'outcome'>;
  /** Set at scrape time by whoever knows (the store): calls not yet ended, by status. */
  activeCalls: Gauge<'status'>;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'habla_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'habla_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'habla_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'habla_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered, retry, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    activeCalls: new Gauge({
      name: 'habla_calls_active',
      help: 'Calls not yet ended, by status (dialing, in_progress)',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}
