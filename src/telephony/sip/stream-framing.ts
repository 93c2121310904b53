/**
 * Cuts a SIP byte stream (TCP) into messages, RFC 3261 §18.3: each message ends where its
 * Content-Length says (mandatory on streams); line ends between messages are allowed, and a
 * double CRLF is an RFC 5626 keep-alive ping. A message that cannot be parsed leaves no way to
 * find where the next one starts, so the stream is invalid from there on.
 */
import type { StreamFrame } from '../transport/stream-transport.ts';
import { DEFAULT_LIMITS, parseMessage } from './parser.ts';

const CR = 0x0d;
const LF = 0x0a;

export function frameSipStream(buffer: Buffer, maxMessageBytes: number = DEFAULT_LIMITS.maxMessageBytes): StreamFrame {
  let newlines = 0;
  while (newlines < buffer.length && (buffer[newlines] === CR || buffer[newlines] === LF)) newlines++;
  if (newlines >= 4 && buffer[0] === CR && buffer[1] === LF && buffer[2] === CR && buffer[3] === LF) return { kind: 'ping', length: 4 };
  if (newlines === buffer.length) return newlines >= 4 ? { kind: 'skip', length: newlines } : { kind: 'incomplete' };
  // A lone CRLF before a message: a pong, or a peer's habit. Only the line ends go.
  if (newlines > 0) return { kind: 'skip', length: newlines };
  const parsed = parseMessage(buffer, { transport: 'stream', maxMessageBytes });
  if (parsed.ok) return { kind: 'message', length: parsed.consumed };
  if (parsed.error.code === 'incomplete') return { kind: 'incomplete' };
  return { kind: 'invalid', reason: parsed.error.code };
}
