import { hashApiKey } from '../lib/api-key-value.ts';
import { ApiKeyRepository } from './repositories/api-keys.ts';
import { ProjectRepository } from './repositories/projects.ts';
import type { Store } from './database.ts';

export interface BootstrapResult {
  /** Set only when a random admin key was generated: it must be shown once, then it is gone. */
  generatedAdminKey?: string;
  createdProjectId?: string;
}

// On an empty database: a default project, its admin profile and an admin key.
// HABLA_ADMIN_API_KEY, when set, is that key, and is (re)added on every start so
// deployments and automated checks can rely on it.
export async function bootstrap(store: Store, adminApiKey: string | undefined): Promise<BootstrapResult> {
  const projects = new ProjectRepository(store.db);
  const apiKeys = new ApiKeyRepository(store.db);
  const result: BootstrapResult = {};
  let target = await projects.findDefault();
  if (!target) {
    const profileId = await projects.createProfile('Administrator');
    const project = await projects.create(profileId, 'Default project', null);
    target = { projectId: project.id, profileId };
    result.createdProjectId = project.id;
  }
  const known = adminApiKey && (await apiKeys.findActiveByHash(hashApiKey(adminApiKey), new Date().toISOString()));
  if (adminApiKey && !known) {
    await apiKeys.create({ ...adminKeyFields(target), value: adminApiKey });
  } else if (!adminApiKey && result.createdProjectId) {
    result.generatedAdminKey = (await apiKeys.create(adminKeyFields(target))).value;
  }
  return result;
}

function adminKeyFields(target: { projectId: string; profileId: string }) {
  return {
    projectId: target.projectId,
    creatorId: target.profileId,
    name: 'Admin key',
    restricted: false,
    permissions: null,
    expiryDate: null,
  };
}
