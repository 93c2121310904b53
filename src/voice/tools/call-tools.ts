// The agent version's built-in call tools (Diga `call_tools`) as functions the LLM can call,
// plus a keypad tool for phone menus. Only specs and lookup here; running them is run-tool.ts.

import type { CallTool } from '../../domain/agent.ts';
import type { ToolSpec } from '../llm/types.ts';

export type CallToolKind = 'hang_up' | 'transfer_call' | 'detect_answering_machine' | 'send_dtmf';

export interface AgentTool {
  kind: CallToolKind;
  /** The function name the model sees (the configured name, made valid for function calling). */
  name: string;
  spec: ToolSpec;
  /** The agent version's entry (absent for send_dtmf, which has no configuration). */
  config?: CallTool;
}

export interface AgentToolSet {
  readonly tools: readonly AgentTool[];
  readonly specs: ToolSpec[];
  find(name: string): AgentTool | undefined;
}

export interface AgentToolOptions {
  /** Offer `send_dtmf` (navigating phone menus; Diga has no such call tool, so it is Habla's). */
  dtmf: boolean;
}

const NO_ARGUMENTS = { type: 'object', properties: {}, additionalProperties: false };

const BASE_DESCRIPTIONS: Record<CallToolKind, string> = {
  hang_up: 'End the call. Say goodbye in the same reply, before calling this; the call ends once you have finished speaking.',
  transfer_call:
    'Transfer the caller to a human at another number. Tell the caller first that you are transferring them; the transfer starts once you have finished speaking.',
  detect_answering_machine:
    'Call this as soon as you realise you reached an answering machine, a voicemail greeting or a recorded message instead of a person. It ends the call without leaving a message.',
  send_dtmf: 'Press keys on the phone keypad (DTMF tones), to navigate an automated phone menu that asks you to press a key.',
};

const DTMF_PARAMETERS = {
  type: 'object',
  properties: {
    digits: { type: 'string', pattern: '^[0-9*#A-Da-d]{1,32}$', description: 'The keys to press, in order: 0-9, * and #.' },
  },
  required: ['digits'],
  additionalProperties: false,
};

export function buildAgentTools(callTools: readonly CallTool[] | null | undefined, options: AgentToolOptions): AgentToolSet {
  const tools: AgentTool[] = [];
  const taken = new Set<string>();
  const add = (kind: CallToolKind, wanted: string, config?: CallTool) => {
    const name = uniqueName(toFunctionName(wanted) || kind, taken);
    const own = config && 'description' in config ? config.description?.trim() : undefined;
    const description = own ? `${BASE_DESCRIPTIONS[kind]} When to use it: ${own}` : BASE_DESCRIPTIONS[kind];
    const parameters = kind === 'send_dtmf' ? DTMF_PARAMETERS : NO_ARGUMENTS;
    tools.push({ kind, name, config, spec: { name, description, parameters } });
  };
  for (const tool of callTools ?? []) {
    // A transfer tool without a number cannot work: offering it would only make the model promise one.
    if (tool.type === 'transfer_call' && !tool.target_number?.trim()) continue;
    add(tool.type, tool.name, tool);
  }
  if (options.dtmf) add('send_dtmf', 'send_dtmf');
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return { tools, specs: tools.map((tool) => tool.spec), find: (name) => byName.get(name) };
}

/**
 * Function names must match ^[a-zA-Z0-9_-]{1,64}$ (OpenAI and the servers that copy it).
 * Diga normalises tool names the same way: "Transferir a dueño" → "Transferir_a_dueno".
 */
export function toFunctionName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name.slice(0, 60)}_${n}`;
  taken.add(candidate);
  return candidate;
}
