import { ENGLISH_TEMPLATES } from './catalog-en.ts';
import { SPANISH_TEMPLATES } from './catalog-es.ts';
import type { AgentTemplate } from './template.ts';

export * from './template.ts';

/** The built-in catalogue, Spanish first; global to the installation. */
export const AGENT_TEMPLATES: readonly AgentTemplate[] = [...SPANISH_TEMPLATES, ...ENGLISH_TEMPLATES];

export function findAgentTemplate(id: string): AgentTemplate | undefined {
  return AGENT_TEMPLATES.find((t) => t.id === id);
}

export function agentTemplatesIn(language: string): AgentTemplate[] {
  return AGENT_TEMPLATES.filter((t) => t.language === language);
}
