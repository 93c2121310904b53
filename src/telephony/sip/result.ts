import type { Result as Outcome } from '../result.ts';

// Parsers in this module return a Result (see ../result.ts) whose error carries a code.

export type SipErrorCode =
  | 'empty' // only whitespace / CRLF keep-alives
  | 'too_large'
  | 'too_many_headers'
  | 'header_too_long'
  | 'truncated' // datagram ends inside the header section
  | 'incomplete' // stream: more bytes are needed (not a protocol error)
  | 'bad_start_line'
  | 'unsupported_version'
  | 'bad_header'
  | 'bad_content_length'
  | 'body_truncated' // Content-Length larger than the bytes received
  | 'missing_content_length' // stream transports require it
  | 'missing_header'
  | 'bad_value' // a header value that does not match its grammar
  | 'bad_uri'
  | 'mismatch' // e.g. CSeq method differs from the request method
  | 'unsupported_algorithm'
  | 'unsupported_qop'
  | 'internal'; // a bug: tests assert this code never appears

export interface SipError {
  readonly code: SipErrorCode;
  readonly message: string;
}

export type Result<T> = Outcome<T, SipError>;

export { ok } from '../result.ts';

export function fail(code: SipErrorCode, message: string): { ok: false; error: SipError } {
  return { ok: false, error: { code, message } };
}
