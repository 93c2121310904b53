import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createMetrics } from '../../src/lib/metrics.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { createTestApi, type TestApi } from '../helpers/app.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';

for (const database of TEST_DATABASES) {
  describe(`Prometheus metrics [${database.name}]`, () => {
    let api: TestApi;
    before(async () => {
      api = await createTestApi(database, { metrics: createMetrics({ processMetrics: false }) });
    });
    after(async () => {
      await api.app.close();
      await api.store.close();
    });

    async function scrape() {
      const response = await api.request('GET', '/metrics', { key: null });
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      return parsePrometheusTextFormat(response.raw);
    }

    function sample(families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string>) {
      const family = families.find((f) => f.name === name);
      return family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    }

    it('counts requests by route pattern and status, and the counters move', async () => {
      await api.request('GET', '/v1/webhook/');
      const first = Number(sample(await scrape(), 'habla_http_requests_total', { route: '/v1/webhook/', status: '200' })?.value);
      await api.request('GET', '/v1/webhook/');
      await api.request('GET', '/v1/webhook/', { key: null });
      const families = await scrape();
      assert.equal(Number(sample(families, 'habla_http_requests_total', { route: '/v1/webhook/', status: '200' })?.value), first + 1);
      assert.equal(Number(sample(families, 'habla_http_requests_total', { route: '/v1/webhook/', status: '401' })?.value), 1);
      const duration = families.find((f) => f.name === 'habla_http_request_duration_seconds');
      assert.equal(duration?.type, 'HISTOGRAM');
      // Ids never become labels: routes are patterns.
      assert.ok(families.every((f) => f.metrics.every((m) => !/[0-9a-f]{8}-[0-9a-f]{4}/.test(m.labels?.route ?? ''))));
    });

    it('reports calls not yet ended by status', async () => {
      const contact = await new ContactRepository(api.store.db).findOrCreate(api.projectId, 'call', '+34600000009');
      const calls = new CallRepository(api.store.db);
      const base = {
        projectId: api.projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id,
        type: 'outbound' as const, status: 'dialing' as const, fromNumber: null, toNumber: '+34600000009', dynamicVariables: null,
      };
      await calls.create(base);
      const answered = await calls.create(base);
      await calls.markAnswered(answered.id);
      const ended = await calls.create(base);
      await calls.finish(ended.id, 'no_answer', 'busy');
      const families = await scrape();
      assert.equal(Number(sample(families, 'habla_calls_active', { status: 'dialing' })?.value), 1);
      assert.equal(Number(sample(families, 'habla_calls_active', { status: 'in_progress' })?.value), 1);
    });
  });
}
