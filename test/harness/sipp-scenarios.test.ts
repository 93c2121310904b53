import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { espeakToUlaw, writeDtmfPcap, type PcapInfo } from '../helpers/audio-fixtures.ts';
import { assertSippPassed, startSipp, type SippRun } from '../helpers/sipp.ts';

// The sipp scenarios in test/fixtures/sipp, each run against another real sipp (never against
// Habla): if one of these fails, an e2e failure would be the scenario's fault, not the engine's.

let dir: string;
let speech: string;
let dtmfPcap: PcapInfo;
const runs: SippRun[] = [];

async function sipp(...args: Parameters<typeof startSipp>): Promise<SippRun> {
  const run = await startSipp(...args);
  runs.push(run);
  return run;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-harness-sipp-'));
  speech = await espeakToUlaw('Hola, llamo por la factura de este mes.', 'es', dir);
  dtmfPcap = writeDtmfPcap(path.join(dir, 'speech-and-digits.pcap'), '12#', { leadingAudio: speech });
});

after(async () => {
  await Promise.all(runs.map((run) => run.cleanup()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sipp scenarios against sipp', { concurrency: true }, () => {
  test('uac-call-dtmf-hangup calls uas-answer-echo-wait-bye: speech and digits out, caller hangs up', async () => {
    const callee = await sipp({ scenario: 'uas-answer-echo-wait-bye', rtpEcho: true, timeoutMs: 15_000 });
    const caller = await sipp({
      scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${callee.sipPort}`, service: '34910000001',
      keys: { pcap: dtmfPcap.path }, vars: { hangup_after_ms: dtmfPcap.durationMs + 300 }, timeoutMs: 15_000,
    });
    const [calling, answering] = await Promise.all([assertSippPassed(caller, 'caller'), assertSippPassed(callee, 'callee')]);
    assert.match(calling.stderr, new RegExp(`npkts ${dtmfPcap.packets}\\b`), 'sipp loaded every packet of the pcap');
    assert.match(answering.messages, /INVITE sip:34910000001@127\.0\.0\.1/);
    assert.match(answering.messages, /m=audio \d+ RTP\/AVP 0 8 101/);
    assert.match(answering.messages, /^BYE /m);
  });

  test('uas-answer-play-hangup answers uac-call-wait-bye, plays audio and hangs up itself after hangup_after_ms', async () => {
    const callee = await sipp({
      scenario: 'uas-answer-play-hangup', keys: { play: `${speech},1,0` }, vars: { hangup_after_ms: 1500 }, timeoutMs: 15_000,
    });
    const started = Date.now();
    const caller = await sipp({
      scenario: 'uac-call-wait-bye', remote: `127.0.0.1:${callee.sipPort}`, service: '600',
      keys: { pcap: dtmfPcap.path }, timeoutMs: 15_000,
    });
    const [calling] = await Promise.all([assertSippPassed(caller, 'caller'), assertSippPassed(callee, 'callee')]);
    assert.ok(Date.now() - started >= 1400, 'the callee waited hangup_after_ms before its BYE');
    assert.match(calling.messages, /SIP\/2\.0 180 Ringing/);
    // The callee's BYE is addressed to the caller's Contact, with From/To of the callee's side.
    assert.match(calling.messages, /BYE sip:sipp@127\.0\.0\.1:\d+;transport=UDP SIP\/2\.0[\s\S]*?From: +<sip:600@/);
  });

  test('uas-401-then-answer challenges, accepts the right credentials, then hangs up', async () => {
    const callee = await sipp({
      scenario: 'uas-401-then-answer', keys: { auth_user: 'trunkuser', auth_password: 's3cret!' },
      vars: { hangup_after_ms: 1000 }, timeoutMs: 15_000,
    });
    const caller = await sipp({
      scenario: 'uac-call-wait-bye', remote: `127.0.0.1:${callee.sipPort}`, service: '34910000002',
      authUser: 'trunkuser', authPassword: 's3cret!', keys: { pcap: dtmfPcap.path }, timeoutMs: 15_000,
    });
    const [calling] = await Promise.all([assertSippPassed(caller, 'caller'), assertSippPassed(callee, 'callee')]);
    assert.match(calling.messages, /SIP\/2\.0 401 Unauthorized[\s\S]*WWW-Authenticate: Digest realm="sipp\.test"/);
    assert.match(calling.messages, /Authorization: Digest username="trunkuser"/);
    assert.match(calling.messages, /SIP\/2\.0 200 OK/);
  });

  test('uas-401-then-answer refuses wrong credentials with 403 and counts the call as failed', async () => {
    const callee = await sipp({
      scenario: 'uas-401-then-answer', keys: { auth_user: 'trunkuser', auth_password: 's3cret!' },
      vars: { hangup_after_ms: 1000 }, timeoutMs: 10_000,
    });
    const caller = await sipp({
      scenario: 'uac-call-wait-bye', remote: `127.0.0.1:${callee.sipPort}`, service: '34910000002',
      authUser: 'trunkuser', authPassword: 'wrong', keys: { pcap: dtmfPcap.path }, timeoutMs: 10_000,
    });
    const [calling, answering] = await Promise.all([caller.exited, callee.exited]);
    assert.equal(answering.code, 1, answering.report);
    assert.equal(answering.stats.failed, 1);
    assert.equal(answering.passed, false);
    assert.match(answering.messages, /SIP\/2\.0 403 Forbidden/);
    assert.equal(calling.passed, false, 'the caller expected 200 and got 403');
    assert.match(calling.report, /403 Forbidden/, 'the report shows the SIP exchange');
  });

  test('uas-ring-forever rings until uac-call-cancel cancels: 200 for the CANCEL, 487 for the INVITE', async () => {
    const callee = await sipp({ scenario: 'uas-ring-forever', timeoutMs: 10_000 });
    const caller = await sipp({
      scenario: 'uac-call-cancel', remote: `127.0.0.1:${callee.sipPort}`, service: '34910000003',
      vars: { cancel_after_ms: 300 }, timeoutMs: 10_000,
    });
    const [calling] = await Promise.all([assertSippPassed(caller, 'caller'), assertSippPassed(callee, 'callee')]);
    assert.match(calling.messages, /SIP\/2\.0 487 Request Terminated[\s\S]*CSeq: 1 INVITE/);
  });

  test('a scenario that does not go as written fails, and the report shows the SIP messages', async () => {
    const callee = await sipp({ scenario: 'uas-busy', timeoutMs: 10_000 });
    const caller = await sipp({
      scenario: 'uac-call-wait-bye', remote: `127.0.0.1:${callee.sipPort}`, service: '34910000004',
      keys: { pcap: dtmfPcap.path }, timeoutMs: 10_000,
    });
    const [calling, answering] = await Promise.all([caller.exited, callee.exited]);
    assert.ok(answering.passed, answering.report);
    assert.equal(calling.passed, false);
    assert.equal(calling.code, 1);
    assert.match(calling.report, /SIP\/2\.0 486 Busy Here/);
    assert.match(calling.report, /unexpected messages/);
  });

  test('a builtin scenario (-sn uas) and kill(): killed runs never count as passed', async () => {
    const callee = await sipp({ scenario: 'uas', timeoutMs: 10_000 });
    await callee.kill();
    const result = await callee.exited;
    assert.equal(result.killed, true);
    assert.equal(result.passed, false, 'sipp exits 0 when stopped before any call');
    assert.deepEqual(result.stats, { created: 0, successful: 0, failed: 0 });
  });

  test('a SIP port held by another process is an error, not a peer that looks ready', async () => {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', () => resolve()));
    try {
      await assert.rejects(sipp({ scenario: 'uas', localPort: squatter.address().port, timeoutMs: 5000 }), /could not bind[\s\S]*Address already in use/);
    } finally {
      squatter.close();
    }
  });
});
