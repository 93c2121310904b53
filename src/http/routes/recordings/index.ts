import type { App, AppDeps } from '../../deps.ts';

// Scaffolding: the routes of this resource are being written.
export async function registerRecordingsRoutes(app: App, deps: AppDeps): Promise<void> {
  void app;
  void deps;
}
