import type { Config } from '../config/index.ts';
import { PERMISSIONS } from '../domain/permissions.ts';
import { migrateToLatest, openStore, type Store } from '../store/database.ts';
import { ApiKeyRepository } from '../store/repositories/api-keys.ts';
import { ProjectRepository } from '../store/repositories/projects.ts';

type Options = Record<string, string | true>;

// Operator access to API keys, for when no key is at hand (lost admin key, automation).
export async function runKeys(config: Config, args: string[], options: Options): Promise<number> {
  const [action, ...rest] = args;
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store);
    const target = await resolveProject(store, stringOption(options.project));
    if (!target) return fail('project not found (run `habla serve` once to create the default project)');
    const keys = new ApiKeyRepository(store.db);
    switch (action) {
      case 'create':
        return await createKey(keys, target, options);
      case 'list':
        return await listKeys(keys, target.projectId);
      case 'revoke':
        if (!rest[0]) return fail('usage: habla keys revoke <key-id>');
        if (!(await keys.delete(target.projectId, rest[0]))) return fail(`no key ${rest[0]} in project ${target.projectId}`);
        process.stdout.write(`revoked ${rest[0]}\n`);
        return 0;
      default:
        return fail('usage: habla keys create|list|revoke');
    }
  } finally {
    await store.close();
  }
}

async function createKey(keys: ApiKeyRepository, target: ProjectTarget, options: Options): Promise<number> {
  const permissions = stringOption(options.permissions)?.split(',').map((p) => p.trim()).filter(Boolean) ?? null;
  const unknown = permissions?.filter((p) => !(PERMISSIONS as readonly string[]).includes(p)) ?? [];
  if (unknown.length > 0) return fail(`unknown permissions: ${unknown.join(', ')}`);
  const expires = stringOption(options.expires);
  if (expires !== undefined && Number.isNaN(Date.parse(expires))) return fail('--expires must be an ISO date');
  const { record, value } = await keys.create({
    projectId: target.projectId,
    creatorId: target.profileId,
    name: stringOption(options.name) ?? 'CLI key',
    restricted: permissions !== null,
    permissions,
    expiryDate: expires === undefined ? null : new Date(expires).toISOString(),
  });
  process.stdout.write(`id:      ${record.id}\nproject: ${record.projectId}\nkey:     ${value}\n(the key is shown only this once)\n`);
  return 0;
}

async function listKeys(keys: ApiKeyRepository, projectId: string): Promise<number> {
  let after: string | undefined;
  process.stdout.write('id                                    last4  restricted  expires                   name\n');
  for (;;) {
    const page = await keys.list(projectId, { limit: 100, order: 'asc', after });
    for (const k of page.data) {
      const expires = (k.expiryDate ?? 'never').padEnd(24);
      process.stdout.write(`${k.id}  ${k.lastFourDigits}   ${String(k.restricted).padEnd(10)}  ${expires}  ${k.name}\n`);
    }
    if (!page.has_more || !page.last_id) return 0;
    after = page.last_id;
  }
}

interface ProjectTarget {
  projectId: string;
  profileId: string;
}

async function resolveProject(store: Store, projectId: string | undefined): Promise<ProjectTarget | undefined> {
  const projects = new ProjectRepository(store.db);
  return projectId === undefined ? projects.findDefault() : projects.findAdmin(projectId);
}

function stringOption(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function fail(message: string): number {
  process.stderr.write(`habla keys: ${message}\n`);
  return 1;
}
