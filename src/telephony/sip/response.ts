/** Building a response to a request, copying what RFC 3261 §8.2.6.2 requires. */
import { getHeaders, type SipHeader, type SipRequest, type SipResponse } from './message.ts';
import { parseNameAddr } from './typed-headers.ts';

export interface ResponseOptions {
  /** Added to To when it has no tag yet (every response but 100 Trying needs one). */
  readonly toTag?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Buffer;
}

/** True when a To value already carries a tag (a malformed To is checked loosely). */
function hasTag(value: string): boolean {
  const parsed = parseNameAddr(value);
  return parsed.ok ? parsed.value.tag !== undefined : /;\s*tag\s*=/i.test(value);
}

export function createResponse(request: SipRequest, status: number, reason: string, options: ResponseOptions = {}): SipResponse {
  const copied: SipHeader[] = [];
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    for (const value of getHeaders(request, name)) {
      const tagged = name === 'To' && options.toTag !== undefined && status > 100 && !hasTag(value);
      copied.push({ name, value: tagged ? `${value};tag=${options.toTag}` : value });
    }
  }
  return { kind: 'response', status, reason, headers: [...copied, ...(options.headers ?? [])], body: options.body ?? Buffer.alloc(0) };
}
