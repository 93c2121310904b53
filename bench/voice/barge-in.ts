import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bargeInServerEnv, runBargeInCall, scriptBargeInLlm } from '../../test/helpers/barge-in.ts';
import { startMockOpenAi } from '../../test/helpers/mock-openai-server.ts';
import { startTelephonyServer } from '../../test/helpers/telephony.ts';
import { fmt, summary } from './stats.ts';

/** The target: the agent's audio stops within this long of the caller's speech onset. */
export const BARGE_IN_TARGET_MS = 100;

export interface BargeInFigures {
  stopLagsMs: number[];
  intoReplyMs: number[];
  /** Calls where the recording did not show a cut reply (the callee spoke outside it). */
  missed: number;
}

/**
 * `calls` barge-in calls one after another through `habla serve` (real SIP and RTP with a SIPp
 * callee, real Silero VAD, espeak-ng voice, scripted STT and LLM), each measured on its
 * recording as the e2e test does: callee speech onset → last sound on the agent channel.
 */
export async function measureBargeIn(calls: number): Promise<BargeInFigures> {
  const llm = await startMockOpenAi();
  scriptBargeInLlm(llm);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-bench-barge-in-'));
  const { habla, api } = await startTelephonyServer(bargeInServerEnv(llm));
  const figures: BargeInFigures = { stopLagsMs: [], intoReplyMs: [], missed: 0 };
  try {
    for (let i = 0; i < calls; i++) {
      const result = await runBargeInCall(api, work, `+3491000${String(1000 + i).padStart(4, '0')}`);
      if (result.stopLagMs === undefined || result.intoReplyMs === undefined) figures.missed += 1;
      else {
        figures.stopLagsMs.push(result.stopLagMs);
        figures.intoReplyMs.push(result.intoReplyMs);
      }
    }
  } finally {
    await habla.stop();
    await llm.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return figures;
}

export function printBargeIn(figures: BargeInFigures): void {
  const lags = summary(figures.stopLagsMs);
  const into = summary(figures.intoReplyMs);
  console.log(`   callee onset ${fmt(into.min, 0)}–${fmt(into.max, 0)} ms into the reply; ${figures.missed} call(s) without a measurable cut`);
  console.log(`   agent audio stopped after the callee's onset: p50 ${fmt(lags.p50, 0)} ms, max ${fmt(lags.max, 0)} ms (each: ${figures.stopLagsMs.map((v) => fmt(v, 0)).join(', ')})`);
  const met = figures.missed === 0 && figures.stopLagsMs.length > 0 && lags.max <= BARGE_IN_TARGET_MS;
  console.log(`   target: every call ≤ ${BARGE_IN_TARGET_MS} ms → ${met ? 'PASS' : 'NOT MET'}`);
}
