// Server-sent events parser (WHATWG HTML §9.2), sans-I/O: feed it bytes as they arrive, get
// back the events they complete. Handles events split anywhere across chunks (even inside a
// UTF-8 sequence or between the CR and LF of a line break), CRLF/CR/LF line ends, comments
// (keep-alives such as `: ping`) and multi-line data.

export interface SseEvent {
  /** `message` unless the server named it with `event:`. */
  event: string;
  data: string;
  id: string | undefined;
}

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  /** A chunk ended in CR: a LF starting the next chunk belongs to the same line break. */
  #skipLeadingLf = false;
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #lastId: string | undefined;

  /** Bytes (or already-decoded text) in; events completed by them out. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    if (text.length === 0) return [];
    this.#skipLeadingLf = text.endsWith('\r');
    this.#buffer += text;
    return this.#drainLines();
  }

  /** The stream ended: an event not terminated by a blank line is discarded, as the spec says. */
  end(): SseEvent[] {
    const rest = this.#decoder.decode();
    if (rest) this.#buffer += rest;
    this.#buffer = '';
    this.#data = [];
    this.#event = '';
    return [];
  }

  #drainLines(): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lineEnd = findLineEnd(this.#buffer, start);
      if (lineEnd === -1) break;
      const line = this.#buffer.slice(start, lineEnd);
      const breakLength = this.#buffer[lineEnd] === '\r' && this.#buffer[lineEnd + 1] === '\n' ? 2 : 1;
      start = lineEnd + breakLength;
      const event = this.#line(line);
      if (event) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    // `retry` only matters to reconnecting EventSource clients; unknown fields are ignored.
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    if (this.#id !== undefined) this.#lastId = this.#id;
    this.#id = undefined;
    if (this.#data.length === 0) {
      this.#event = '';
      return undefined;
    }
    const event = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#lastId };
    this.#data = [];
    this.#event = '';
    return event;
  }
}

/** Index of the next CR or LF at or after `from`, or -1. A CR as the very last character
 * still ends a line: the LF that may follow in the next chunk is dropped by push(). */
function findLineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}
