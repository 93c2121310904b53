/** SipMessage → wire bytes. Content-Length is always written from the body actually sent. */
import { compactHeaderName, headerKey } from './header-names.ts';
import type { SipMessage } from './message.ts';
import { isToken } from './syntax.ts';

export interface SerializeOptions {
  /** Use compact header names (`v`, `f`, `i`…) to keep UDP datagrams under the MTU. */
  readonly compact?: boolean;
}

/** Thrown when a message we are about to send would be malformed (a bug or unsanitised input upstream). */
export class SipSerializeError extends Error {
  override readonly name = 'SipSerializeError';
}

// CR and LF would end the line early (header injection). NUL is legal inside quoted strings (RFC 4475 intmeth).
const UNSAFE = /[\r\n]/;

function check(text: string, what: string): string {
  if (UNSAFE.test(text)) throw new SipSerializeError(`${what} contains CR or LF`);
  return text;
}

function startLine(message: SipMessage): string {
  if (message.kind === 'request') {
    if (!isToken(message.method)) throw new SipSerializeError('method is not a token');
    if (/\s/.test(message.uri)) throw new SipSerializeError('Request-URI contains whitespace');
    return `${message.method} ${message.uri} SIP/2.0`;
  }
  if (!Number.isInteger(message.status) || message.status < 100 || message.status > 699) {
    throw new SipSerializeError('status code out of range');
  }
  return `SIP/2.0 ${message.status} ${check(message.reason, 'reason phrase')}`;
}

/**
 * Writes each header entry on its own line, in order (list headers therefore appear as
 * repeated lines, which RFC 3261 §7.3.1 makes equivalent to one comma-separated line).
 */
export function serializeMessage(message: SipMessage, options: SerializeOptions = {}): Buffer {
  const lines = [startLine(message)];
  for (const { name, value } of message.headers) {
    if (headerKey(name) === 'content-length') continue;
    const wireName = (options.compact ? compactHeaderName(name) : undefined) ?? name;
    if (!isToken(wireName)) throw new SipSerializeError(`header name ${JSON.stringify(wireName)} is not a token`);
    lines.push(`${wireName}: ${check(value, `header ${name}`)}`);
  }
  lines.push(`${options.compact ? 'l' : 'Content-Length'}: ${message.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}
