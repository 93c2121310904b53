// What the caller actually heard of an agent utterance, from how much of each sentence's audio
// went out on the wire. The transcript and the conversation history keep only that, so the
// model does not believe it said what barge-in cut off.

export interface SentencePlayout {
  text: string;
  /** Audio synthesised for the sentence, in ms. */
  audioMs: number;
  /** Of that, what was sent before playout stopped. */
  playedMs: number;
  /** Synthesis finished: audioMs is the sentence's whole length. False if it was cut mid-stream. */
  complete: boolean;
  /** Synthesis failed: nothing of it was ever queued, the sentences after it still count. */
  failed?: boolean;
}

/** Speech rate assumed for a sentence whose synthesis was cut before its length was known. */
const DEFAULT_MS_PER_CHAR = 65;

/**
 * The played text of each sentence: whole when its audio played to the end; for the sentence
 * being spoken when playout stopped, the share of its characters equal to the share of its
 * audio that played, cut back to a whole word; '' for the sentences after.
 */
export function playedSentences(sentences: readonly SentencePlayout[]): string[] {
  const rate = msPerChar(sentences);
  const out: string[] = [];
  let stopped = false;
  for (const sentence of sentences) {
    if (stopped || sentence.failed) {
      out.push('');
      continue;
    }
    const whole = sentence.complete && sentence.playedMs >= sentence.audioMs - 0.5;
    if (whole) {
      out.push(sentence.text);
      continue;
    }
    stopped = true;
    const totalMs = sentence.complete ? sentence.audioMs : Math.max(sentence.audioMs, sentence.text.length * rate);
    out.push(prefixByShare(sentence.text, totalMs > 0 ? sentence.playedMs / totalMs : 0));
  }
  return out;
}

/** The sentences' played parts joined as one text. */
export function playedText(sentences: readonly SentencePlayout[]): string {
  return playedSentences(sentences).filter(Boolean).join(' ');
}

/** The first `share` (0–1) of `text` by characters, ending on a whole word. */
export function prefixByShare(text: string, share: number): string {
  if (share <= 0) return '';
  if (share >= 1) return text;
  const cut = Math.round(text.length * share);
  // A word counts as heard once the cut passed its end: a half-spoken word is not in the transcript.
  const head = text.slice(0, cut);
  const nextIsBoundary = cut >= text.length || /\s/.test(text[cut]);
  const prefix = nextIsBoundary ? head : head.slice(0, Math.max(0, head.search(/\s\S*$/)));
  return prefix.trim();
}

/** ms of audio per character over the sentences fully synthesised so far (a speech-rate estimate). */
function msPerChar(sentences: readonly SentencePlayout[]): number {
  let ms = 0;
  let chars = 0;
  for (const s of sentences) {
    if (!s.complete || s.failed) continue;
    ms += s.audioMs;
    chars += s.text.length;
  }
  return chars > 0 ? ms / chars : DEFAULT_MS_PER_CHAR;
}
