import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultAgentSettings } from '../domain/agent.ts';
import type { AgentVersionRecord } from '../store/repositories/agents.ts';
import type { Voice } from '../voice/catalog.ts';
import { buildVoiceContext } from './voice-context.ts';

const elevenVoice: Voice = { id: 'v-1', name: 'Lucía', provider: 'elevenlabs', provider_voice_id: 'abc', preview_urls: null, gender: null, language: 'es' };
const voices = { list: () => [elevenVoice], get: (id: string) => (id === elevenVoice.id ? elevenVoice : undefined) };

function version(settings: Partial<AgentVersionRecord['settings']>): AgentVersionRecord {
  return {
    id: 'ver', agent_id: 'agent', project_id: 'p', version_number: 1, version_name: null, is_draft: false, is_published: true,
    settings: { ...defaultAgentSettings(elevenVoice.id, 'es'), name: 'Ana', ...settings }, created_at: '', modified_at: '',
  };
}

describe('buildVoiceContext: the voice agent settings', () => {
  test('prompt and reminder messages rendered with call, default and system variables; tools, reminders and voice passed on', () => {
    const context = buildVoiceContext({
      callId: 'c', direction: 'outbound', customerNumber: '+34600111222', now: new Date('2025-01-10T14:30:00Z'),
      callVariables: { nombre: 'Marta' },
      version: version({
        prompt: 'Eres {{agent_name}}. Llamas a {{nombre}} ({{user_phone_number}}) de {{empresa}}.',
        dynamic_variables: { empresa: 'Clínica Sol', nombre: 'X' },
        reminder_messages: ['¿Sigue ahí, {{nombre}}?'], reminder_frequency_ms: 5000, max_reminder_count: 2,
        call_tools: [{ type: 'hang_up', name: 'colgar' }],
      }),
    }, voices);
    assert.equal(context.prompt, 'Eres Ana. Llamas a Marta (+34600111222) de Clínica Sol.');
    assert.deepEqual(context.reminders, { frequencyMs: 5000, maxCount: 2, messages: ['¿Sigue ahí, Marta?'] });
    assert.deepEqual(context.callTools, [{ type: 'hang_up', name: 'colgar' }]);
    assert.equal(context.voice, elevenVoice);
  });

  test('without an agent version: no prompt, no tools, no reminders, the espeak default voice', () => {
    const context = buildVoiceContext({ callId: 'c', direction: 'inbound', customerNumber: null, now: new Date(), callVariables: null, version: undefined }, voices);
    assert.deepEqual([context.prompt, context.callTools, context.reminders, context.voice, context.espeakVoice], [null, [], undefined, undefined, 'es']);
  });
});
