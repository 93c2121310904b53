import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SentenceChunker } from './sentence-chunker.ts';

/** Feeds `deltas` one by one; returns each sentence with the delta index that released it. */
function run(deltas: string[], maxChars?: number): Array<[number, string]> {
  const chunker = new SentenceChunker({ maxChars });
  const out: Array<[number, string]> = [];
  deltas.forEach((delta, i) => chunker.push(delta).forEach((s) => out.push([i, s])));
  chunker.flush().forEach((s) => out.push([deltas.length, s]));
  return out;
}

/** Word-sized deltas as an LLM streams them. */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

describe('SentenceChunker', () => {
  test('a sentence is released by the whitespace that follows its terminator, not at the end of the stream', () => {
    const out = run(words('Hola, buenos días. ¿En qué puedo ayudarle? Dígame.'));
    assert.deepEqual(out, [
      [3, 'Hola, buenos días.'], // released by " ¿En"
      [7, '¿En qué puedo ayudarle?'], // released by " Dígame."
      [8, 'Dígame.'], // the rest, at flush
    ]);
  });

  test('Spanish ¿…? and ¡…! questions and exclamations, with closers and ellipses', () => {
    assert.deepEqual(run(['¡Perfecto! ', '¿Le ', 'viene bien el martes? ', 'Bueno... ', 'ya veremos; ', '"Gracias." Adiós']).map(([, s]) => s), [
      '¡Perfecto!', '¿Le viene bien el martes?', 'Bueno...', 'ya veremos;', '"Gracias."', 'Adiós',
    ]);
    // "¿Verdad?, preguntó": the comma keeps the clause in the sentence.
    assert.deepEqual(run(['¿Verdad?, preguntó él. Sí.']).map(([, s]) => s), ['¿Verdad?, preguntó él.', 'Sí.']);
  });

  test('decimals, abbreviations and initials do not end a sentence; "No." does', () => {
    assert.deepEqual(run(['Cuesta 3.5 euros. El Sr. García y la Dra. Pérez, ', 'J. López. No. Gracias.']).map(([, s]) => s), [
      'Cuesta 3.5 euros.', 'El Sr. García y la Dra. Pérez, J. López.', 'No.', 'Gracias.',
    ]);
  });

  test('a terminator split across deltas: "..." arriving as "." then ".."', () => {
    assert.deepEqual(run(['Pues', '.', '.. ', 'vale']).map(([, s]) => s), ['Pues...', 'vale']);
  });

  test('newlines end sentences (lists), empty lines are skipped', () => {
    assert.deepEqual(run(['Opciones:\n\n- uno\n- dos']).map(([, s]) => s), ['Opciones:', '- uno', '- dos']);
  });

  test('a run-on sentence is cut at the length cap, at a comma in the second half', () => {
    const long = 'Le cuento que el pedido salió ayer del almacén de Zaragoza, llegará mañana por la tarde y lo lleva la agencia de siempre sin coste';
    const out = run(words(long), 80).map(([, s]) => s);
    assert.equal(out[0], 'Le cuento que el pedido salió ayer del almacén de Zaragoza,');
    assert.ok(out.every((s) => s.length <= 80), JSON.stringify(out));
    assert.equal(out.join(' '), long);
  });

  test('the cut never leaves ¿ or ¡ dangling and keeps a late question whole', () => {
    const text = 'Vale entonces lo dejamos anotado para el próximo jueves a las diez ¿le parece bien a usted esa hora o prefiere otra?';
    const out = run([text], 80).map(([, s]) => s);
    assert.equal(out[0], 'Vale entonces lo dejamos anotado para el próximo jueves a las diez');
    assert.equal(out[1], '¿le parece bien a usted esa hora o prefiere otra?');
    for (const s of out) assert.ok(!/[¿¡]$/.test(s), s);
  });

  test('a word longer than the cap is cut hard rather than held forever', () => {
    const out = run(['x'.repeat(50)], 20).map(([, s]) => s);
    assert.deepEqual(out, ['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);
  });

  test('flush returns nothing for whitespace, and the chunker is reusable after it', () => {
    const chunker = new SentenceChunker();
    assert.deepEqual(chunker.push('  '), []);
    assert.deepEqual(chunker.flush(), []);
    assert.deepEqual(chunker.push('Otra vez. '), ['Otra vez.']);
  });
});
