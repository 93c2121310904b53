// The narrow LLM contract the voice pipeline depends on. Vendor adapters live in
// src/voice/providers/<vendor>/; retries, timeouts and fallbacks are layered on top by
// ResilientLlm, so an adapter only has to speak its wire protocol.

/** A function the model may call, described by a JSON Schema for its arguments. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object; `{ type: 'object', properties: {} }` for none. */
  parameters: Record<string, unknown>;
}

/** A call the model asked for, with its arguments parsed. */
export interface ToolCall {
  /** The vendor's id (`call_…`), echoed back in the matching `tool` message. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** The conversation so far, as the OpenAI chat-completions API models it. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface LlmRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** `stop`, `length`, `tool_calls`, `content_filter`, or whatever else a server reports. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | (string & {});

export type LlmChunk =
  /** A text delta, surfaced as soon as it arrives. */
  | { type: 'text'; text: string }
  /**
   * A complete tool call. `rawArguments` is the JSON text the model produced; when it is not a
   * JSON object, `arguments` is `{}` and `argumentsError` says why (the agent can tell the model).
   */
  | { type: 'tool_call'; id: string; name: string; arguments: Record<string, unknown>; rawArguments: string; argumentsError?: string }
  /** Always the last chunk of a successful stream. */
  | { type: 'done'; finishReason: FinishReason; usage?: LlmUsage };

export interface LlmProvider {
  /** For logs and metrics: vendor and model, never a credential. */
  readonly name: string;
  /**
   * Streams one completion. Aborting `signal` cancels the request at once; the iterator then
   * throws LlmError('aborted'). Breaking out of the loop also cancels the request.
   */
  stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmChunk>;
}
