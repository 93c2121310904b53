import type { App, AppDeps } from '../deps.ts';
import { registerAgentsRoutes } from './agents/index.ts';
import { registerApiKeysRoutes } from './api-keys/index.ts';
import { registerCallsRoutes } from './calls/index.ts';
import { registerPhonesRoutes } from './phones/index.ts';
import { registerProjectsRoutes } from './projects/index.ts';
import { registerRecordingsRoutes } from './recordings/index.ts';
import { registerVoicesRoutes } from './voices/index.ts';
import { registerWebhookRoutes } from './webhooks/index.ts';

export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  await registerAgentsRoutes(app, deps);
  await registerApiKeysRoutes(app, deps);
  await registerCallsRoutes(app, deps);
  await registerPhonesRoutes(app, deps);
  await registerProjectsRoutes(app, deps);
  await registerRecordingsRoutes(app, deps);
  await registerVoicesRoutes(app, deps);
  await registerWebhookRoutes(app, deps);
}
