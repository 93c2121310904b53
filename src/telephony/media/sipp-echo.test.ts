/**
 * Against a real, independent RTP peer: SIPp's built-in UAS with -rtp_echo sends every RTP
 * packet it gets back to where it came from. A few hand-written SIP messages set the call up
 * (the SIP stack is not this module's business); the media session then has to interoperate:
 * pacing SIPp accepts, latching onto its echo, and G.711 that survives the round trip exactly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { MediaClock } from './media-clock.ts';
import { RtpSession } from './rtp-session.ts';
import { concat, g711RoundTrip, mediaTo, sine, sleep, testAllocator, waitFor } from './test-support.ts';

const allocator = testAllocator(10);
const sipPort = 30000 + Math.floor(Math.random() * 5000);
const echoPort = 2 * Math.floor((35000 + Math.random() * 4000) / 2);
let sipp: ChildProcess;
let sipSocket: dgram.Socket;

before(async () => {
  sipp = spawn('sipp', ['-sn', 'uas', '-rtp_echo', '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(echoPort), '-m', '1', '-nostdin'], { stdio: 'ignore' });
  sipSocket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sipSocket.bind(0, '127.0.0.1', () => resolve()));
});

after(() => {
  sipSocket.close();
  sipp.kill(); // SIPp may linger after -m 1
});

function request(method: string, cseq: number, toTag: string, body = ''): string {
  const local = sipSocket.address().port;
  return [
    `${method} sip:echo@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-${method}-${cseq}`,
    'From: <sip:test@127.0.0.1>;tag=media-test',
    `To: <sip:echo@127.0.0.1>${toTag ? `;tag=${toTag}` : ''}`,
    'Call-ID: media-echo-test@127.0.0.1',
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:test@127.0.0.1:${local}>`,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Sends INVITE until SIPp (still starting) answers 200; returns the response. */
async function invite(sdp: string): Promise<string> {
  let answer: string | undefined;
  sipSocket.on('message', (m) => {
    const text = m.toString();
    if (text.startsWith('SIP/2.0 200') && text.includes('INVITE')) answer = text;
  });
  for (let attempt = 0; attempt < 20 && !answer; attempt++) {
    sipSocket.send(request('INVITE', 1, '', sdp), sipPort, '127.0.0.1');
    await sleep(150);
  }
  assert.ok(answer, 'SIPp answered the INVITE');
  return answer;
}

test('a real peer (SIPp -rtp_echo) echoes our stream back bit-exact', async () => {
  const sockets = await allocator.allocate();
  const clock = new MediaClock();
  const offer = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${sockets.port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
  const answer = await invite(offer);
  const remotePort = Number(/^m=audio (\d+)/m.exec(answer)?.[1]);
  const toTag = /^To:.*;tag=([^;\r\n]+)/im.exec(answer)?.[1] ?? '';
  assert.equal(remotePort, echoPort);
  sipSocket.send(request('ACK', 1, toTag), sipPort, '127.0.0.1');
  const media = mediaTo(remotePort, { codec: 'PCMU', payloadType: 0, dtmfPayloadType: null, rtcpMux: false, remoteRtcpPort: remotePort + 1 });
  const session = new RtpSession({ sockets, clock, media });
  try {
    const heard: Int16Array[] = [];
    session.onAudio((pcm) => heard.push(pcm));
    const tone = concat([sine(800, 300, 9000), sine(350, 300, 4000)]);
    await session.play(tone).done;
    const expected = g711RoundTrip('PCMU', tone);
    await waitFor('the echo', () => heard.length >= 30 + 3);
    const start = heard.findIndex((f) => f.every((x, i) => x === expected[i]));
    assert.ok(start >= 0, 'the echoed tone came back');
    assert.deepEqual(concat(heard.slice(start, start + 30)), expected);
    const stats = session.stats();
    assert.equal(stats.packetsLost, 0);
    assert.deepEqual(stats.remote, { host: '127.0.0.1', port: echoPort, latched: true });
  } finally {
    await session.close();
    clock.stop();
    sipSocket.send(request('BYE', 2, toTag), sipPort, '127.0.0.1');
  }
});
