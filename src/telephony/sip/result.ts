/**
 * Every parser in this module returns a Result instead of throwing: input arrives from the
 * network, and a hostile datagram must never become an exception on the receive path.
 */

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

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SipError };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: SipErrorCode, message: string): { ok: false; error: SipError } {
  return { ok: false, error: { code, message } };
}
