import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAgentTools, toFunctionName } from './call-tools.ts';
import { runTool } from './run-tool.ts';
import type { CallControl, TransferRequest } from './call-control.ts';

const never = new AbortController().signal;

describe('call tools', () => {
  test('configured call tools become function specs with valid, unique names and the configured description', () => {
    const set = buildAgentTools(
      [
        { type: 'hang_up', name: 'colgar', description: 'cuando el cliente se despida' },
        { type: 'transfer_call', name: 'Transferir a dueño', target_number: '+34910000000' },
        { type: 'transfer_call', name: 'sin número', target_number: null },
        { type: 'detect_answering_machine', name: 'amd' },
        { type: 'hang_up', name: 'colgar' },
      ],
      { dtmf: true },
    );
    assert.deepEqual(set.tools.map((t) => [t.kind, t.name]), [
      ['hang_up', 'colgar'], ['transfer_call', 'Transferir_a_dueno'], ['detect_answering_machine', 'amd'], ['hang_up', 'colgar_2'], ['send_dtmf', 'send_dtmf'],
    ]);
    assert.match(set.find('colgar')!.spec.description!, /When to use it: cuando el cliente se despida$/);
    assert.deepEqual(set.find('send_dtmf')!.spec.parameters.required, ['digits']);
    assert.equal(set.specs.length, 5);
    assert.equal(buildAgentTools(null, { dtmf: false }).specs.length, 0);
    assert.equal(toFunctionName('¿Pasar con ventas?'), 'Pasar_con_ventas');
  });

  test('hang_up and detect_answering_machine end the call; an unknown tool is an error the model reads', async () => {
    const set = buildAgentTools([{ type: 'hang_up', name: 'hang_up' }, { type: 'detect_answering_machine', name: 'amd' }], { dtmf: false });
    const audio = { sendDtmf: async () => {} };
    const hang = await runTool(set.find('hang_up'), { id: '1', name: 'hang_up', arguments: {} }, { audio, signal: never });
    assert.equal(hang.ends, 'hang_up');
    const amd = await runTool(set.find('amd'), { id: '2', name: 'amd', arguments: {} }, { audio, signal: never });
    assert.deepEqual([amd.ends, amd.payload], ['hang_up', { answered_by: 'answering_machine' }]);
    const unknown = await runTool(set.find('nope'), { id: '3', name: 'nope', arguments: {} }, { audio, signal: never });
    assert.equal(unknown.status, 'error');
  });

  test('transfer_call asks CallControl for the configured target and reports either outcome', async () => {
    const set = buildAgentTools([{ type: 'transfer_call', name: 'ventas', target_number: '+34910000000#12', transfer_type: 'invite' }], { dtmf: false });
    const asked: TransferRequest[] = [];
    let answer: Awaited<ReturnType<CallControl['transfer']>> = { status: 'transferred' };
    const callControl: CallControl = { transfer: async (request) => (asked.push(request), answer) };
    const call = { id: '1', name: 'ventas', arguments: {} };
    const ok = await runTool(set.find('ventas'), call, { audio: { sendDtmf: async () => {} }, callControl, signal: never });
    assert.deepEqual(asked, [{ target: '+34910000000#12', mode: 'invite' }]);
    assert.deepEqual([ok.status, ok.ends], ['success', 'transferred']);
    answer = { status: 'failed', reason: 'REFER rejected' };
    const failed = await runTool(set.find('ventas'), call, { audio: { sendDtmf: async () => {} }, callControl, signal: never });
    assert.deepEqual([failed.status, failed.ends], ['error', undefined]);
    assert.match(failed.result, /REFER rejected/);
    const none = await runTool(set.find('ventas'), call, { audio: { sendDtmf: async () => {} }, signal: never });
    assert.match(none.result, /not available/);
  });

  test('send_dtmf validates the keys and sends them through the call audio', async () => {
    const sent: string[] = [];
    const audio = { sendDtmf: async (digits: string) => void sent.push(digits) };
    const set = buildAgentTools([], { dtmf: true });
    const ok = await runTool(set.find('send_dtmf'), { id: '1', name: 'send_dtmf', arguments: { digits: '1, 3#' } }, { audio, signal: never });
    assert.deepEqual([ok.status, sent], ['success', ['13#']]);
    const bad = await runTool(set.find('send_dtmf'), { id: '2', name: 'send_dtmf', arguments: { digits: 'x' } }, { audio, signal: never });
    assert.deepEqual([bad.status, sent.length], ['error', 1]);
  });
});
