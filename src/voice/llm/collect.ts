// For callers that want the whole reply rather than the stream (post-call summary, LLM-written
// reminders): drains a stream into text, tool calls and the finish reason.

import type { FinishReason, LlmChunk, LlmUsage } from './types.ts';

export interface CollectedReply {
  text: string;
  toolCalls: Array<Extract<LlmChunk, { type: 'tool_call' }>>;
  finishReason: FinishReason | undefined;
  usage: LlmUsage | undefined;
}

export async function collectReply(stream: AsyncIterable<LlmChunk>): Promise<CollectedReply> {
  const reply: CollectedReply = { text: '', toolCalls: [], finishReason: undefined, usage: undefined };
  for await (const chunk of stream) {
    if (chunk.type === 'text') reply.text += chunk.text;
    else if (chunk.type === 'tool_call') reply.toolCalls.push(chunk);
    else {
      reply.finishReason = chunk.finishReason;
      reply.usage = chunk.usage;
    }
  }
  return reply;
}
