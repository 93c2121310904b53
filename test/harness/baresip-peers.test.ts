import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analyseWav, espeakToUlaw, espeakToWav, writeDtmfPcap } from '../helpers/audio-fixtures.ts';
import { startBaresip, type Baresip } from '../helpers/baresip.ts';
import { assertSippPassed, startSipp, type SippRun } from '../helpers/sipp.ts';

// baresip as a test softphone, proven against sipp and against another baresip (never Habla):
// it dials and is dialled, sends and records real audio, sends and detects RFC 4733 DTMF, and
// negotiates SDES-SRTP.

let dir: string;
let speechUlaw: string;
let speechWav: string;
const cleanups: (() => Promise<void>)[] = [];

async function phone(opts: Parameters<typeof startBaresip>[0] = {}): Promise<Baresip> {
  const b = await startBaresip(opts);
  cleanups.push(() => b.stop());
  return b;
}

async function sipp(opts: Parameters<typeof startSipp>[0]): Promise<SippRun> {
  const run = await startSipp(opts);
  cleanups.push(() => run.cleanup());
  return run;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-harness-baresip-'));
  speechUlaw = await espeakToUlaw('Buenos días, le atiende el servicio de pruebas.', 'es', dir);
  speechWav = await espeakToWav('Hola, esto es una llamada de prueba cifrada.', 'es', dir);
});

after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('baresip against sipp', { concurrency: true }, () => {
  test('dials sipp -sn uas, the call is established, baresip hangs up and sipp sees a normal call', async () => {
    const callee = await sipp({ scenario: 'uas', timeoutMs: 10_000 });
    const b = await phone();
    await b.dial(`sip:alice@127.0.0.1:${callee.sipPort}`);
    await b.waitFor('CALL_ESTABLISHED');
    await b.hangup();
    await b.waitFor('CALL_CLOSED');
    await assertSippPassed(callee, 'sipp -sn uas');
  });

  test('dials uas-answer-play-hangup: hears the played speech, then the callee hangs up', async () => {
    const callee = await sipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${speechUlaw},1,0` }, vars: { hangup_after_ms: 3600 }, timeoutMs: 15_000 });
    const b = await phone();
    await b.dial(`sip:34910000010@127.0.0.1:${callee.sipPort}`);
    await b.waitFor('CALL_RINGING');
    await b.waitFor('CALL_ESTABLISHED');
    const closed = await b.waitFor('CALL_CLOSED', 10_000);
    assert.match(closed.param ?? '', /Connection reset by peer/, 'the far end hung up');
    await assertSippPassed(callee, 'callee');
    const heard = analyseWav(b.recordings()[0].received);
    assert.ok(heard.activeMs > 1500, `heard ${heard.activeMs} ms of speech`);
  });

  test('dials uas-answer-play-wait-bye: hears the played speech, hangs up itself, sipp answers the BYE', async () => {
    const callee = await sipp({ scenario: 'uas-answer-play-wait-bye', keys: { play: `${speechUlaw},1,0` }, timeoutMs: 15_000 });
    const b = await phone();
    await b.dial(`sip:34910000014@127.0.0.1:${callee.sipPort}`);
    await b.waitFor('CALL_ESTABLISHED');
    await new Promise((resolve) => setTimeout(resolve, 3200));
    await b.hangup();
    await assertSippPassed(callee, 'callee');
    const heard = analyseWav(b.recordings()[0].received);
    assert.ok(heard.activeMs > 1500, `heard ${heard.activeMs} ms of speech`);
  });

  test('dials uas-answer-echo-wait-bye (-rtp_echo): its own speech comes back', async () => {
    const callee = await sipp({ scenario: 'uas-answer-echo-wait-bye', rtpEcho: true, timeoutMs: 15_000 });
    const b = await phone({ audioSource: speechWav });
    await b.dial(`sip:34910000011@127.0.0.1:${callee.sipPort}`);
    await b.waitFor('CALL_ESTABLISHED');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await b.hangup();
    await assertSippPassed(callee, 'callee');
    const echoed = analyseWav(b.recordings()[0].received);
    const sent = analyseWav(b.recordings()[0].sent);
    assert.ok(sent.activeMs > 1500, `sent ${sent.activeMs} ms of speech`);
    assert.ok(echoed.activeMs > sent.activeMs * 0.7, `echo carried ${echoed.activeMs} of ${sent.activeMs} ms of speech`);
  });

  test('dials uas-busy: the call closes with 486 Busy Here', async () => {
    const callee = await sipp({ scenario: 'uas-busy', timeoutMs: 10_000 });
    const b = await phone();
    await b.dial(`sip:34910000012@127.0.0.1:${callee.sipPort}`);
    const closed = await b.waitFor('CALL_CLOSED');
    assert.match(closed.param ?? '', /486 Busy Here/);
    await assertSippPassed(callee, 'callee');
  });

  test('dials uas-ring-forever and hangs up while ringing: CANCEL, 487, ACK', async () => {
    const callee = await sipp({ scenario: 'uas-ring-forever', timeoutMs: 10_000 });
    const b = await phone();
    await b.dial(`sip:34910000013@127.0.0.1:${callee.sipPort}`);
    await b.waitFor('CALL_RINGING');
    await b.hangup();
    const result = await assertSippPassed(callee, 'callee');
    assert.match(result.messages, /^CANCEL sip:34910000013@/m);
    assert.match(result.messages, /^ACK sip:34910000013@/m);
  });

  test('answers uac-call-dtmf-hangup by itself: hears the speech and detects the RFC 4733 digits', async () => {
    const b = await phone({ user: 'agent' });
    const pcap = writeDtmfPcap(path.join(dir, 'speech-then-keys.pcap'), '159#', { leadingAudio: speechUlaw });
    const caller = await sipp({
      scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${b.sipPort}`, service: 'agent',
      keys: { pcap: pcap.path }, vars: { hangup_after_ms: pcap.durationMs + 300 }, timeoutMs: 15_000,
    });
    await assertSippPassed(caller, 'caller');
    await b.waitFor('CALL_CLOSED');
    assert.equal(b.receivedDtmf(), '159#');
    const heard = analyseWav(b.recordings()[0].received);
    assert.ok(heard.activeMs > 1500, `heard ${heard.activeMs} ms of speech`);
  });
});

describe('baresip against baresip', { concurrency: true }, () => {
  test('SDES-SRTP call (mediaenc=srtp-mand) carries speech and DTMF; hangup reaches the other side', async () => {
    const callee = await phone({ user: 'bob', srtp: true, audioSource: speechWav });
    const caller = await phone({ user: 'alice', srtp: true });
    await caller.dial(callee.uri);
    await caller.waitFor('CALL_ESTABLISHED');
    await callee.waitFor('CALL_ESTABLISHED');
    await caller.waitFor('CALL_RTPESTAB');
    await caller.sendDtmf('42');
    await new Promise((resolve) => setTimeout(resolve, 2600));
    await caller.hangup();
    const closed = await callee.waitFor('CALL_CLOSED');
    assert.match(closed.param ?? '', /Connection reset by peer/);
    assert.equal(callee.receivedDtmf(), '42');
    assert.match(caller.output(), /m=audio \d+ RTP\/SAVP /, 'the offer is RTP/SAVP');
    assert.match(caller.output(), /a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/);
    const heard = analyseWav(caller.recordings()[0].received);
    assert.ok(heard.activeMs > 1500, `the caller heard ${heard.activeMs} ms of speech through SRTP`);
  });

  test('manual answer mode rings until answer(); PCMA only; play() mid-call, hanging up when it ends', async () => {
    const callee = await phone({ user: 'carol', answerMode: 'manual', codecs: ['PCMA'] });
    const caller = await phone({ user: 'dave' });
    await caller.dial(callee.uri);
    await callee.waitFor('CALL_INCOMING');
    await caller.waitFor('CALL_RINGING');
    assert.equal(caller.events.some((e) => e.type === 'CALL_ESTABLISHED'), false);
    await callee.answer();
    await caller.waitFor('CALL_ESTABLISHED');
    assert.match(caller.output(), /audio: Set audio encoder: PCMA 8000Hz/);
    const rtpPort = Number(/m=audio (\d+) RTP\/AVP/.exec(caller.output())?.[1]);
    assert.ok(rtpPort >= 21000 && rtpPort <= 29999, `RTP port ${rtpPort} is outside Habla's default 10000-20000`);
    await callee.play(speechWav, { hangupWhenAudioEnds: true });
    const closed = await caller.waitFor('CALL_CLOSED', 10_000);
    assert.match(closed.param ?? '', /Connection reset by peer/, 'the callee hung up when its audio ended');
    const heard = analyseWav(caller.recordings()[0].received);
    assert.ok(heard.activeMs > 1500, `the caller heard ${heard.activeMs} ms of speech`);
  });
});
