import type { App, AppDeps } from '../deps.ts';
import { registerAgentsRoutes } from './agents/index.ts';
import { registerApiKeysRoutes } from './api-keys/index.ts';
import { registerCallsRoutes } from './calls/index.ts';
import { registerLogsRoutes } from './logs/index.ts';
import { registerPhonesRoutes } from './phones/index.ts';
import { registerProjectsRoutes } from './projects/index.ts';
import { registerRecordingsRoutes } from './recordings/index.ts';
import { registerTracesRoutes } from './traces/index.ts';
import { registerVoicesRoutes } from './voices/index.ts';
import { registerWebhookRoutes } from './webhooks/index.ts';

export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  await registerAgentsRoutes(app, deps);
  await registerApiKeysRoutes(app, deps);
  await registerCallsRoutes(app, deps);
  await registerLogsRoutes(app, deps);
  await registerPhonesRoutes(app, deps);
  await registerProjectsRoutes(app, deps);
  await registerRecordingsRoutes(app, deps);
  await registerTracesRoutes(app, deps);
  await registerVoicesRoutes(app, deps);
  await registerWebhookRoutes(app, deps);
}
