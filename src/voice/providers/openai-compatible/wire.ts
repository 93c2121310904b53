// The chat-completions wire format: our request → the JSON body, and the shapes of what comes
// back (streamed chunks and the non-streamed completion some servers answer with anyway).

import type { ChatMessage, LlmRequest, LlmUsage, ToolSpec } from '../../llm/types.ts';
import type { ToolCallDelta } from './tool-calls.ts';

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface WireError {
  message?: string;
  type?: string;
  code?: string | number | null;
}

/** One `data:` payload of the stream. */
export interface WireChunk {
  choices?: Array<{
    index?: number;
    delta?: { role?: string; content?: string | null; tool_calls?: ToolCallDelta[] };
    finish_reason?: string | null;
  }>;
  usage?: WireUsage | null;
  error?: WireError;
}

/** A non-streamed `chat.completion`. */
export interface WireCompletion {
  choices?: Array<{
    message?: { content?: string | null; tool_calls?: ToolCallDelta[] };
    finish_reason?: string | null;
  }>;
  usage?: WireUsage | null;
  error?: WireError;
}

export interface BodyOptions {
  model: string;
  /** Ask for a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

export function requestBody(request: LlmRequest, options: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: options.model,
    messages: request.messages.map(wireMessage),
    stream: true,
  };
  if (options.includeUsage) body.stream_options = { include_usage: true };
  if (request.tools && request.tools.length > 0) body.tools = request.tools.map(wireTool);
  if (request.temperature !== undefined) body.temperature = request.temperature;
  // max_tokens rather than max_completion_tokens: every compatible server (vLLM, Ollama,
  // llama.cpp, Groq) accepts it; only OpenAI's reasoning models insist on the newer name.
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  return body;
}

function wireMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      if (!message.toolCalls || message.toolCalls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        // '' rather than null: some self-hosted chat templates fail on a null content.
        content: message.content ?? '',
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
    }
  }
}

function wireTool(tool: ToolSpec): Record<string, unknown> {
  const fn: Record<string, unknown> = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) fn.description = tool.description;
  return { type: 'function', function: fn };
}

export function usageFrom(usage: WireUsage | null | undefined): LlmUsage | undefined {
  if (!usage) return undefined;
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.total_tokens ?? promptTokens + completionTokens };
}
