import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { analyseWav, espeakToUlaw, espeakToWav, silenceWav, writeDtmfPcap } from '../helpers/audio-fixtures.ts';

// The audio fixtures themselves: what the peers play must be what the tests think it is.

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-harness-audio-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface ParsedRtp {
  atUs: number;
  udpDestination: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Reads back a pcap the way sipp does: Ethernet, IPv4, UDP, and the RTP inside. */
function readPcap(file: string): ParsedRtp[] {
  const data = fs.readFileSync(file);
  assert.equal(data.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(data.readUInt32LE(20), 1, 'link type Ethernet');
  const packets: ParsedRtp[] = [];
  for (let pos = 24; pos < data.length;) {
    const length = data.readUInt32LE(pos + 8);
    assert.equal(data.readUInt32LE(pos + 12), length, 'not truncated (sipp refuses truncated packets)');
    const frame = data.subarray(pos + 16, pos + 16 + length);
    assert.equal(frame.readUInt16BE(12), 0x0800);
    const ip = frame.subarray(14);
    assert.equal(ip[9], 17);
    const udp = ip.subarray((ip[0] & 0x0f) * 4);
    const rtp = udp.subarray(8, udp.readUInt16BE(4));
    packets.push({
      atUs: data.readUInt32LE(pos) * 1e6 + data.readUInt32LE(pos + 4), udpDestination: udp.readUInt16BE(2),
      marker: (rtp[1] & 0x80) !== 0, payloadType: rtp[1] & 0x7f, sequence: rtp.readUInt16BE(2),
      timestamp: rtp.readUInt32BE(4), ssrc: rtp.readUInt32BE(8), payload: rtp.subarray(12),
    });
    pos += 16 + length;
  }
  return packets;
}

test('writeDtmfPcap: one RTP stream, 20 ms PCMU then RFC 4733 events with marker, growing duration and 3 end packets', () => {
  const audio = Buffer.alloc(800, 0x10); // 100 ms of µ-law
  const info = writeDtmfPcap(path.join(dir, 'd.pcap'), '7*', { leadingAudio: audio, leadingSilenceMs: 40, digitMs: 60, gapMs: 40, trailingSilenceMs: 40 });
  const packets = readPcap(info.path);
  assert.equal(packets.length, info.packets);
  assert.equal(new Set(packets.map((p) => p.ssrc)).size, 1, 'one SSRC');
  packets.forEach((p, i) => {
    if (i === 0) return;
    assert.equal(p.sequence, (packets[i - 1].sequence + 1) & 0xffff, 'sequence numbers without gaps');
    assert.equal(p.atUs - packets[i - 1].atUs, 20_000, 'one packet every 20 ms');
  });
  const audioPackets = packets.filter((p) => p.payloadType === 0);
  assert.ok(audioPackets.every((p) => p.payload.length === 160));
  assert.equal(audioPackets.filter((p) => p.payload[0] === 0x10).length, 5, '100 ms of the given audio');

  const events = packets.filter((p) => p.payloadType === 101);
  const seven = events.filter((p) => p.payload[0] === 7);
  const star = events.filter((p) => p.payload[0] === 10);
  assert.equal(seven.length, 3 + 2, '60 ms of updates (3) + 2 more copies of the end packet');
  assert.deepEqual(seven.map((p) => p.marker), [true, false, false, false, false]);
  assert.deepEqual(seven.map((p) => p.payload.readUInt16BE(2)), [160, 320, 480, 480, 480]);
  assert.deepEqual(seven.map((p) => (p.payload[1] & 0x80) !== 0), [false, false, true, true, true]);
  assert.ok(seven.every((p) => p.timestamp === seven[0].timestamp), 'an event keeps its start timestamp');
  assert.equal(star.length, 5);

  // The media clock keeps running through the event: the next audio packet is 5 packets later.
  const afterSeven = packets[packets.indexOf(seven.at(-1)!) + 1];
  assert.equal(afterSeven.payloadType, 0);
  assert.equal(afterSeven.timestamp - seven[0].timestamp, 5 * 160);
  assert.equal(info.durationMs, packets.length * 20);
  assert.equal(new Set(packets.map((p) => p.udpDestination)).size, 1, 'one destination port: sipp maps it to the SDP port');
});

test('writeDtmfPcap refuses a key that DTMF does not have', () => {
  assert.throws(() => writeDtmfPcap(path.join(dir, 'x.pcap'), '12x'), /not a DTMF digit/);
});

test('espeakToUlaw is headerless 8 kHz µ-law speech; espeakToWav is 8 kHz 16-bit speech', async () => {
  const ulaw = await espeakToUlaw('Uno, dos, tres.', 'es', dir);
  const bytes = fs.readFileSync(ulaw);
  assert.notEqual(bytes.toString('ascii', 0, 4), 'RIFF', 'no WAV header: sipp would send it as audio');
  assert.ok(bytes.length > 8000 * 0.8 && bytes.length < 8000 * 4, `${bytes.length} bytes ≈ ${bytes.length / 8} ms`);
  assert.equal(await espeakToUlaw('Uno, dos, tres.', 'es', dir), ulaw, 'cached by text and voice');
  const wav = analyseWav(await espeakToWav('Uno, dos, tres.', 'es', dir));
  assert.ok(wav.activeMs > 500 && wav.durationMs < 4000, JSON.stringify(wav));
  const silence = analyseWav(await silenceWav(path.join(dir, 's.wav'), 500));
  assert.deepEqual([silence.durationMs, silence.activeMs], [500, 0]);
});
