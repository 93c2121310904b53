import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAnalysis } from './parse.ts';
import { analysisRequest, summaryLanguage } from './prompt.ts';

describe('parseAnalysis', () => {
  test('accepts exactly the three fields, trimming the summary', () => {
    const parsed = parseAnalysis('{"summary": " Cita cambiada al jueves. ", "sentiment": "positive", "success": true}');
    assert.deepEqual(parsed, { ok: true, analysis: { summary: 'Cita cambiada al jueves.', sentiment: 'positive', success: true } });
  });

  test('tolerates a Markdown code fence around the object, nothing else around it', () => {
    assert.equal(parseAnalysis('```json\n{"summary":"x","sentiment":"neutral","success":false}\n```').ok, true);
    assert.equal(parseAnalysis('```\n{"summary":"x","sentiment":"neutral","success":false}\n```').ok, true);
    assert.equal(parseAnalysis('Aquí tiene: {"summary":"x","sentiment":"neutral","success":false}').ok, false);
  });

  test('names what is wrong with a malformed answer', () => {
    const cases: [string, RegExp][] = [
      ['La llamada fue bien.', /not valid JSON/],
      ['["a"]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['{"summary":"x","sentiment":"neutral","success":true,"score":3}', /unexpected keys "score"/],
      ['{"summary":"","sentiment":"neutral","success":true}', /summary/],
      ['{"summary":"x","sentiment":"happy","success":true}', /sentiment/],
      ['{"summary":"x","sentiment":"Positive","success":true}', /sentiment/],
      ['{"summary":"x","sentiment":"neutral","success":"yes"}', /success/],
      ['{"summary":"x","sentiment":"neutral"}', /success/],
      [`{"summary":"${'x'.repeat(2001)}","sentiment":"neutral","success":true}`, /longer than/],
    ];
    for (const [answer, problem] of cases) {
      const parsed = parseAnalysis(answer);
      assert.equal(parsed.ok, false, answer);
      if (!parsed.ok) assert.match(parsed.problem, problem, answer);
    }
  });
});

describe('analysisRequest', () => {
  const turns = [
    { role: 'assistant' as const, content: 'Hola, ¿en qué puedo ayudarle?', start_ms: 0, end_ms: 2000, interrupted: false },
    { role: 'user' as const, content: 'Quiero anular mi cita.', start_ms: 2500, end_ms: 4000, interrupted: false },
    { role: 'assistant' as const, content: 'Claro, ¿me dice su', start_ms: 4500, end_ms: 5200, interrupted: true },
  ];

  test('asks for the summary in Spanish for es agents and English for en agents', () => {
    assert.equal(summaryLanguage('es'), 'Spanish');
    assert.equal(summaryLanguage('es-ES'), 'Spanish');
    assert.equal(summaryLanguage('en'), 'English');
    const es = analysisRequest({ turns, language: 'es', agentPrompt: null });
    assert.match(es.messages[0]!.content as string, /in Spanish/);
    const en = analysisRequest({ turns, language: 'en-US', agentPrompt: null });
    assert.match(en.messages[0]!.content as string, /in English/);
  });

  test('gives the model the transcript, the cut turns and the agent instructions', () => {
    const request = analysisRequest({ turns, language: 'es', agentPrompt: 'Gestiona las citas de la Clínica Sol.' });
    const user = request.messages[1]!.content as string;
    assert.match(user, /Caller: Quiero anular mi cita\./);
    assert.match(user, /Agent: Claro, ¿me dice su \[cut off\]/);
    assert.match(user, /Gestiona las citas de la Clínica Sol\./);
    assert.equal(request.tools, undefined, 'no tools: the answer is text');
    assert.equal(request.temperature, 0);
  });
});
