import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScriptedLlm } from '../providers/scripted/llm.ts';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import type { CallControl, TransferRequest } from '../tools/call-control.ts';
import { createVadProvider, type VadProvider } from '../vad/index.ts';
import { AgentHarness } from './agent-harness.ts';
import { ToneTts } from './test-support.ts';

let vads: VadProvider;
before(async () => {
  vads = await createVadProvider({ kind: 'silero' });
  assert.equal(vads.kind, 'silero');
});
after(() => vads.close());

const afterTool = (c: { lastMessage?: { role: string } }) => c.lastMessage?.role === 'tool';

describe('VoiceAgentApp tools (real VAD and caller speech, scripted STT/LLM, tone TTS)', () => {
  test('transfer_call waits for the agent to finish speaking; a failure goes back to the model, a success ends the conversation', async () => {
    const asked: Array<{ request: TransferRequest; pendingMs: number }> = [];
    let agent!: AgentHarness;
    const outcomes = [{ status: 'failed' as const, reason: 'REFER rejected' }, { status: 'transferred' as const }];
    const callControl: CallControl = {
      transfer: async (request) => {
        asked.push({ request, pendingMs: agent.audio.agentPendingMs });
        return outcomes.shift()!;
      },
    };
    const llm = new ScriptedLlm([
      { when: afterTool, once: true, text: 'Lo siento, no ha sido posible.' },
      { text: 'Le paso con ventas.', toolCalls: [{ name: 'ventas' }] },
      { text: 'Lo intento de nuevo.', toolCalls: [{ name: 'ventas' }] },
    ]);
    agent = new AgentHarness({
      vads, llm, callControl, tts: new ToneTts(),
      stt: new ScriptedStt(['Páseme con ventas.', 'Inténtelo otra vez.']),
      context: {
        callTools: [{ type: 'transfer_call', name: 'ventas', target_number: '+34910000000', description: 'si piden ventas' }],
        reminders: { frequencyMs: 1000, maxCount: 1, messages: ['¿Sigue ahí?'] },
      },
    });
    try {
      await agent.say('Páseme con ventas.');
      await agent.untilTurns(3);
      await agent.say('Inténtelo otra vez.');
      await agent.audio.until(() => asked.length === 2 && agent.tools.length === 2);
      await new Promise((r) => setTimeout(r, 2500)); // past reminder + hang-up time: a transferred call gets neither
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(asked.map((a) => a.request), [{ target: '+34910000000', mode: 'transfer' }, { target: '+34910000000', mode: 'transfer' }]);
    // Each transfer started only after the sentence announcing it had played out.
    const agentTurns = agent.turns.filter((t) => t.role === 'assistant');
    assert.deepEqual(agentTurns.map((t) => t.text), ['Le paso con ventas.', 'Lo siento, no ha sido posible.', 'Lo intento de nuevo.']);
    assert.deepEqual(asked.map((a) => a.pendingMs), [0, 0], 'no agent audio left to play when transferring');
    assert.ok(agent.tools[0].atMs >= agentTurns[0].endMs && agent.tools[1].atMs >= agentTurns[2].endMs);
    assert.deepEqual(agent.tools.map((t) => [t.kind, t.status]), [['transfer_call', 'error'], ['transfer_call', 'success']]);
    assert.match(agent.tools[0].result, /REFER rejected/);
    // The model was told the failure and spoke about it; after the success nothing more happened.
    assert.deepEqual(llm.requests[1].messages.at(-1), { role: 'tool', toolCallId: 'call_scripted_0_0', content: agent.tools[0].result });
    assert.equal(llm.requests.length, 3);
    assert.equal(agent.hangups.length, 0, 'a transferred call is ended by the engine, not hung up by the agent');
    assert.equal(agent.turns.length, 5);
  });

  test('send_dtmf on an outbound call: keys sent after the agent finished speaking, then the model continues', async () => {
    let agent!: AgentHarness;
    const sentAt: number[] = [];
    const llm = new ScriptedLlm([
      { when: afterTool, text: 'Ya he marcado.' },
      { text: 'Marco la opción uno.', toolCalls: [{ name: 'send_dtmf', arguments: { digits: '1' } }] },
    ]);
    agent = new AgentHarness({ vads, llm, tts: new ToneTts(), stt: new ScriptedStt(['Pulse uno para ventas.']), context: { direction: 'outbound' } });
    const send = agent.audio.sendDtmf.bind(agent.audio);
    agent.audio.sendDtmf = async (digits) => {
      sentAt.push(agent.audio.agentPendingMs);
      return send(digits);
    };
    try {
      await agent.say('Pulse uno para ventas.');
      await agent.untilTurns(3);
    } finally {
      await agent.hangUp();
    }
    assert.deepEqual(agent.audio.dtmfSent, ['1']);
    assert.deepEqual(sentAt, [0], 'no agent audio was queued when the keys went out');
    assert.deepEqual(llm.requests[0].tools?.map((t) => t.name), ['send_dtmf']);
    assert.deepEqual(agent.turns.map((t) => t.text), ['Pulse uno para ventas.', 'Marco la opción uno.', 'Ya he marcado.']);
    assert.deepEqual(agent.tools.map((t) => [t.kind, t.status, t.payload]), [['send_dtmf', 'success', { digits: '1' }]]);
  });

  test('inbound calls get no keypad tool by default', async () => {
    const llm = new ScriptedLlm([{ text: 'Hola.' }]);
    const agent = new AgentHarness({ vads, llm, tts: new ToneTts(), stt: new ScriptedStt(['Hola.']) });
    try {
      await agent.say('Hola.');
      await agent.untilTurns(2);
    } finally {
      await agent.hangUp();
    }
    assert.equal(llm.requests[0].tools, undefined);
  });
});
