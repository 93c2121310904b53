import type { AgentLanguage, BackgroundAudio, CallTool } from '../agent.ts';
import { AppError } from '../errors.ts';

// Agent templates: ready-made agents whose texts carry `<<name>>` placeholders. Copying one
// substitutes the placeholders and yields agent settings (diga-features §1.6).

/** The agent a template describes: every setting but the voice, which is chosen at copy time. */
export interface TemplateAgent {
  name: string;
  description: string | null;
  prompt: string;
  greeting: string | null;
  language: AgentLanguage;
  time_before_start: number | null;
  volume: number;
  max_reminder_count: number;
  reminder_frequency_ms: number;
  reminder_messages: string[];
  call_tools: CallTool[];
  dynamic_variables: Record<string, unknown>;
  background_audio: BackgroundAudio | null;
}

/** A resource (knowledge base, workflow, integration) the template recommends setting up. */
export interface ResourcePlaceholder {
  template_id: string;
  type: 'knowledge_base' | 'workflow' | 'integration';
  name: string;
  description: string;
  required: boolean;
}

export interface AgentTemplate {
  id: string;
  name: string;
  language: string;
  description: string;
  setup_guide_url: string | null;
  template: TemplateAgent;
  resource_placeholders: ResourcePlaceholder[];
}

const PLACEHOLDER = /<<([A-Za-z_][A-Za-z0-9_]*)>>/g;

/** The distinct placeholder names of the template, in order of first appearance. */
export function templateVariables(template: TemplateAgent): string[] {
  const names = new Set<string>();
  visitStrings(template, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]);
    return text;
  });
  return [...names];
}

/**
 * Without `values` the placeholders stay literally in the texts, as the dashboard leaves them
 * for the user to fill. With `values`, every placeholder needs a non-empty scalar value and no
 * unknown name may appear (AGENT_TEMPLATE_INVALID).
 */
export function fillTemplate(template: TemplateAgent, values: Record<string, unknown> | null | undefined): TemplateAgent {
  if (values === null || values === undefined) return structuredClone(template);
  const expected = templateVariables(template);
  const unknown = Object.keys(values).filter((k) => !expected.includes(k));
  if (unknown.length > 0) throw invalid(`Unknown template variables: ${unknown.join(', ')}`);
  const missing = expected.filter((k) => !isFilled(values[k]));
  if (missing.length > 0) throw invalid(`Missing variable values: ${missing.join(', ')}`);
  return visitStrings(structuredClone(template), (text) => text.replace(PLACEHOLDER, (_, name: string) => String(values[name])));
}

function isFilled(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() !== '';
  return typeof value === 'number' || typeof value === 'boolean';
}

function invalid(message: string): AppError {
  return new AppError('AGENT_TEMPLATE_INVALID', message);
}

/** Applies `map` to every string inside `value` (object values and array items, not keys). */
function visitStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((v) => visitStrings(v, map)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visitStrings(v, map)])) as T;
  }
  return value;
}
