// Cuts streamed LLM text into sentences so each can go to TTS the moment it is complete: the
// first sentence is spoken while the model is still writing the rest. Pure: feed deltas, get
// sentences back.

export interface SentenceChunkerOptions {
  /**
   * A sentence longer than this is cut without waiting for its end (at a comma, colon or
   * space), so a run-on reply does not hold the voice back. Default 200 characters.
   */
  maxChars?: number;
}

const DEFAULT_MAX_CHARS = 200;

/** Characters that end a sentence when whitespace follows (… is one character, ... three dots). */
const TERMINATORS = new Set(['.', '?', '!', ';', '…']);
/** Closers that belong to the sentence they follow: `"¡Hola!"` ends after the quote. */
const CLOSERS = new Set(['"', "'", ')', ']', '»', '”', '’']);
/** Spanish opening marks: a cut must never leave one dangling at the end of a chunk. */
const OPENERS = new Set(['¿', '¡']);

/**
 * Words that take a period without ending the sentence (Spanish and English forms a phone
 * agent says). "No." is deliberately absent: in Spanish it is a whole sentence.
 */
const ABBREVIATIONS = new Set([
  'sr', 'sra', 'srta', 'sres', 'dr', 'dra', 'd', 'dña', 'ud', 'uds', 'vd', 'vds', 'av', 'avda', 'c', 'pza', 'pl',
  'núm', 'nº', 'tel', 'telf', 'pág', 'aprox', 'ej', 'p', 'vs', 'mr', 'mrs', 'ms', 'st', 'jr', 'inc', 'ltd', 'e', 'g', 'i',
]);

export class SentenceChunker {
  #buffer = '';
  readonly #maxChars: number;

  constructor(options: SentenceChunkerOptions = {}) {
    this.#maxChars = Math.max(20, options.maxChars ?? DEFAULT_MAX_CHARS);
  }

  /** Adds a text delta; returns the sentences it completed, in order (trimmed, never empty). */
  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    for (;;) {
      const end = findSentenceEnd(this.#buffer);
      if (end !== -1) {
        this.#emit(end, out);
        continue;
      }
      if (this.#buffer.trim().length <= this.#maxChars) break;
      this.#emit(findCut(this.#buffer, this.#maxChars), out);
    }
    return out;
  }

  /** The text is complete: whatever is left is the last sentence. */
  flush(): string[] {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest ? [rest] : [];
  }

  #emit(end: number, out: string[]): void {
    const sentence = this.#buffer.slice(0, end).trim();
    this.#buffer = this.#buffer.slice(end).replace(/^\s+/, '');
    if (sentence) out.push(sentence);
  }
}

/**
 * The index just past the first complete sentence, or -1. A terminator (plus any closers)
 * ends a sentence only once the whitespace after it has arrived: "3.5" and "Sr. García" must
 * not be cut, and the next delta may still turn "." into "...". A newline always ends one.
 */
function findSentenceEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      if (text.slice(0, i).trim()) return i + 1;
      continue;
    }
    if (!TERMINATORS.has(ch)) continue;
    let end = i + 1;
    while (end < text.length && (TERMINATORS.has(text[end]) || CLOSERS.has(text[end]))) end++;
    if (end >= text.length) return -1; // the next delta decides
    if (!/\s/.test(text[end])) {
      i = end - 1;
      continue;
    }
    if (ch === '.' && end === i + 1 && isAbbreviation(text, i)) continue;
    return end;
  }
  return -1;
}

/** Whether the word before the period at `dot` is an abbreviation or an initial ("J. García"). */
function isAbbreviation(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && /[\p{L}º]/u.test(text[start - 1])) start--;
  const word = text.slice(start, dot);
  if (!word) return false;
  if (word.length === 1 && word === word.toUpperCase() && word !== word.toLowerCase()) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

/**
 * Where to cut an over-long run: the last comma/colon/dash break in the second half of the
 * window, else the last space, else a hard cut. Never just after ¿ or ¡, and before an
 * unclosed ¿…/¡… clause when one opens late in the window, so a question stays whole.
 */
function findCut(text: string, maxChars: number): number {
  const start = text.length - text.trimStart().length;
  const window = text.slice(0, start + maxChars);
  const half = start + Math.floor(maxChars / 2);
  const opener = lastUnclosedOpener(window);
  if (opener > half) return opener;
  const soft = Math.max(window.lastIndexOf(', '), window.lastIndexOf(': '), window.lastIndexOf(' — '), window.lastIndexOf(' - '));
  if (soft > half) return soft + 1;
  let space = window.lastIndexOf(' ');
  while (space > start && OPENERS.has(window[space - 1])) space = window.lastIndexOf(' ', space - 1);
  if (space > start) return space;
  return window.length;
}

function lastUnclosedOpener(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '?' || ch === '!') return -1;
    if (OPENERS.has(ch)) return i;
  }
  return -1;
}
