// Assembles streamed tool calls. OpenAI sends each call as index-keyed deltas: the first
// carries `id`, `type` and `function.name` (with `arguments: ""`), the following ones only
// `function.arguments` fragments. Some servers send a whole call in one delta, and some
// (older Ollama) omit `index`, so a delta without one continues the last call unless it
// brings a new id.

import type { LlmChunk } from '../../llm/types.ts';

export interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface PartialCall {
  id: string | undefined;
  name: string;
  arguments: string;
}

export type ToolCallChunk = Extract<LlmChunk, { type: 'tool_call' }>;

export class ToolCallAssembler {
  readonly #calls = new Map<number, PartialCall>();
  #lastIndex = -1;

  get pending(): boolean {
    return this.#calls.size > 0;
  }

  add(deltas: readonly ToolCallDelta[]): void {
    for (const delta of deltas) {
      const index = this.#indexOf(delta);
      let call = this.#calls.get(index);
      if (!call) {
        call = { id: undefined, name: '', arguments: '' };
        this.#calls.set(index, call);
      }
      this.#lastIndex = index;
      if (delta.id) call.id = delta.id;
      // Names arrive whole in practice; concatenating also covers a server that splits them.
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
    }
  }

  /** The calls assembled so far, in index order, as complete chunks; the assembler is emptied. */
  flush(): ToolCallChunk[] {
    const chunks = [...this.#calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => completeCall(index, call));
    this.#calls.clear();
    this.#lastIndex = -1;
    return chunks;
  }

  #indexOf(delta: ToolCallDelta): number {
    if (typeof delta.index === 'number') return delta.index;
    const last = this.#calls.get(this.#lastIndex);
    if (last && (!delta.id || delta.id === last.id)) return this.#lastIndex;
    return this.#lastIndex + 1;
  }
}

function completeCall(index: number, call: PartialCall): ToolCallChunk {
  const id = call.id ?? `call_${index}_${Math.random().toString(36).slice(2, 10)}`;
  const parsed = parseArguments(call.arguments);
  const chunk: ToolCallChunk = { type: 'tool_call', id, name: call.name, arguments: parsed.value, rawArguments: call.arguments };
  if (parsed.error) chunk.argumentsError = parsed.error;
  return chunk;
}

function parseArguments(raw: string): { value: Record<string, unknown>; error?: string } {
  // A function without parameters often streams no argument text at all.
  if (raw.trim() === '') return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { value: {}, error: `arguments are not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { value: {}, error: 'arguments are not a JSON object' };
  }
  return { value: value as Record<string, unknown> };
}
