import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { playedSentences, playedText, prefixByShare } from './played-text.ts';

describe('played text', () => {
  test('fully played sentences are kept whole, the cut one proportionally, later ones dropped', () => {
    const sentences = [
      { text: 'Claro, se lo explico.', audioMs: 1000, playedMs: 1000, complete: true },
      { text: 'El plan básico cuesta diez euros al mes.', audioMs: 2000, playedMs: 1000, complete: true },
      { text: 'El avanzado, veinte.', audioMs: 900, playedMs: 0, complete: true },
    ];
    // 20 of 40 characters played: the cut falls inside "cuesta", which is not counted.
    assert.deepEqual(playedSentences(sentences), ['Claro, se lo explico.', 'El plan básico', '']);
    assert.equal(playedText(sentences), 'Claro, se lo explico. El plan básico');
  });

  test('a word cut in the middle is not counted as heard', () => {
    assert.equal(prefixByShare('uno dos tres cuatro', 0.5), 'uno dos'); // cut inside "tres"
    assert.equal(prefixByShare('uno dos tres cuatro', 12 / 19), 'uno dos tres'); // cut right after "tres"
    assert.equal(prefixByShare('uno dos', 0.2), '');
    assert.equal(prefixByShare('uno dos', 1), 'uno dos');
  });

  test('a sentence cut during synthesis is measured against its estimated length', () => {
    // 20 chars per 1000 ms in the first sentence → the 40-char second one is ~2000 ms long.
    const sentences = [
      { text: 'Veinte letras justas', audioMs: 1000, playedMs: 1000, complete: true },
      { text: 'Cuarenta caracteres en total aquí, vale', audioMs: 600, playedMs: 500, complete: false },
    ];
    assert.deepEqual(playedSentences(sentences)[1], 'Cuarenta');
  });

  test('a sentence whose synthesis failed is skipped without hiding the ones after it', () => {
    const sentences = [
      { text: 'Uno.', audioMs: 0, playedMs: 0, complete: false, failed: true },
      { text: 'Dos.', audioMs: 300, playedMs: 300, complete: true },
    ];
    assert.equal(playedText(sentences), 'Dos.');
  });

  test('nothing played: empty', () => {
    assert.equal(playedText([{ text: 'Hola.', audioMs: 500, playedMs: 0, complete: true }]), '');
    assert.equal(playedText([]), '');
  });
});
