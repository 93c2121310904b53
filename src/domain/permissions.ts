// The contract's Permission enum, and what each role may do (diga-features §10).

export const PERMISSIONS = [
  'companies.delete', 'companies.update',
  'calls.create', 'calls.delete', 'calls.update', 'calls.view',
  'messages.view',
  'agents.view', 'agents.create', 'agents.update', 'agents.delete',
  'phones.view', 'phones.purchase', 'phones.delete', 'phones.update', 'phones.import',
  'tools.view', 'tools.create', 'tools.delete', 'tools.update',
  'contacts.view', 'contacts.delete',
  'conversational_paths.view', 'conversational_paths.create', 'conversational_paths.delete',
  'conversational_paths.update',
  'knowledge_bases.view', 'knowledge_bases.create', 'knowledge_bases.delete', 'knowledge_bases.update',
  'webhooks.view', 'webhooks.create', 'webhooks.delete', 'webhooks.update',
  'members.view', 'members.create', 'members.delete', 'members.update',
  'billing.view', 'billing.update',
  'api_keys.view', 'api_keys.create', 'api_keys.delete', 'api_keys.update',
  'voices.view',
  'transcriptions.view', 'recordings.view', 'stats.view',
  'verifications.create', 'verifications.view',
  'notifications.view', 'notifications.update',
  'logs.view',
  'integrations.view', 'integrations.create', 'integrations.update', 'integrations.delete',
  'workflows.view', 'workflows.create', 'workflows.update', 'workflows.delete',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'member', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The permissions a key carries. An unrestricted key acts with every permission;
 * a restricted key only with the ones it lists.
 */
export function effectivePermissions(restricted: boolean, listed: readonly string[] | null): ReadonlySet<string> {
  return restricted ? new Set(listed ?? []) : ALL_PERMISSIONS;
}

// Shared by every unrestricted key (most requests): built once, never mutated.
const ALL_PERMISSIONS: ReadonlySet<string> = new Set(PERMISSIONS);
