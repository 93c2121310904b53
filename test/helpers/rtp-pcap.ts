// A minimal pcap writer for one RTP stream, in the shape sipp's play_pcap_audio reads
// (libpcap file, link type Ethernet, IPv4, UDP): sipp takes each UDP packet, rewrites its ports
// (offset from the lowest destination port in the file) and sends it from [media_port] to the
// far end's SDP address, pacing packets by their capture timestamps.

export type RtpSegment =
  | { kind: 'audio'; /** raw µ-law bytes, sent as PCMU in 20 ms packets */ ulaw: Buffer }
  | { kind: 'silence'; ms: number }
  | { kind: 'digit'; digit: string; ms: number; volume?: number };

export interface RtpStream {
  pcap: Buffer;
  packets: number;
  durationMs: number;
}

const PTIME_MS = 20;
const SAMPLES_PER_PACKET = 160;
const ULAW_SILENCE = 0xff;
const PCMU = 0;
const SRC_PORT = 40000;
const DST_PORT = 40002;

/** RFC 4733 §3.2 event codes. */
export function dtmfEventCode(digit: string): number {
  const d = digit.toUpperCase();
  if (/^[0-9]$/.test(d)) return Number(d);
  const code = { '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15 }[d];
  if (code === undefined) throw new Error(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return code;
}

interface RtpPacket {
  atMs: number;
  payloadType: number;
  marker: boolean;
  timestamp: number;
  payload: Buffer;
}

/** Lays the segments out as RTP packets of one SSRC with continuous timestamps. */
function packetize(segments: RtpSegment[], eventPayloadType: number): RtpPacket[] {
  const packets: RtpPacket[] = [];
  let clockMs = 0;
  let timestamp = 0x1000;
  let first = true;
  const audio = (frame: Buffer) => {
    packets.push({ atMs: clockMs, payloadType: PCMU, marker: first, timestamp, payload: frame });
    first = false;
    clockMs += PTIME_MS;
    timestamp += SAMPLES_PER_PACKET;
  };
  for (const segment of segments) {
    if (segment.kind === 'audio') {
      for (let at = 0; at < segment.ulaw.length; at += SAMPLES_PER_PACKET) {
        const frame = Buffer.alloc(SAMPLES_PER_PACKET, ULAW_SILENCE);
        segment.ulaw.copy(frame, 0, at, Math.min(at + SAMPLES_PER_PACKET, segment.ulaw.length));
        audio(frame);
      }
    } else if (segment.kind === 'silence') {
      for (let ms = 0; ms < segment.ms; ms += PTIME_MS) audio(Buffer.alloc(SAMPLES_PER_PACKET, ULAW_SILENCE));
    } else {
      // RFC 4733 §2.5: every packet of an event carries the event's start timestamp and the
      // duration so far; the first has the marker bit; the final one (E bit) is sent three
      // times, 20 ms apart, like the updates. The media clock runs on meanwhile.
      const event = dtmfEventCode(segment.digit);
      const volume = segment.volume ?? 10;
      const steps = Math.max(1, Math.round(segment.ms / PTIME_MS));
      const startMs = clockMs;
      for (let step = 1; step <= steps + 2; step++) {
        const isEnd = step >= steps;
        const payload = Buffer.alloc(4);
        payload[0] = event;
        payload[1] = (isEnd ? 0x80 : 0) | (volume & 0x3f);
        payload.writeUInt16BE(Math.min(step, steps) * SAMPLES_PER_PACKET, 2);
        packets.push({ atMs: clockMs, payloadType: eventPayloadType, marker: step === 1, timestamp, payload });
        clockMs += PTIME_MS;
      }
      timestamp += ((clockMs - startMs) / PTIME_MS) * SAMPLES_PER_PACKET;
    }
  }
  return packets;
}

function rtpBytes(packet: RtpPacket, sequence: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2, no padding, no extension, no CSRC
  header[1] = (packet.marker ? 0x80 : 0) | packet.payloadType;
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(packet.timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, packet.payload]);
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4 + UDP around one RTP packet, 127.0.0.1 → 127.0.0.1. */
function frame(rtp: Buffer, id: number): Buffer {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  const udpLength = 8 + rtp.length;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udpLength, 2);
  ip.writeUInt16BE(id & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64;
  ip[9] = 17; // UDP
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(SRC_PORT, 0);
  udp.writeUInt16BE(DST_PORT, 2);
  udp.writeUInt16BE(udpLength, 4); // checksum 0: sipp computes it when it sends
  return Buffer.concat([ethernet, ip, udp, rtp]);
}

export function buildRtpStream(segments: RtpSegment[], opts: { eventPayloadType?: number; ssrc?: number } = {}): RtpStream {
  const packets = packetize(segments, opts.eventPayloadType ?? 101);
  const ssrc = opts.ssrc ?? 0x5157a7e5;
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, little-endian
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = packets.map((packet, i) => {
    const data = frame(rtpBytes(packet, 1000 + i, ssrc), i);
    const record = Buffer.alloc(16);
    const atUs = Math.round(packet.atMs * 1000);
    record.writeUInt32LE(1_700_000_000 + Math.floor(atUs / 1e6), 0);
    record.writeUInt32LE(atUs % 1e6, 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    return Buffer.concat([record, data]);
  });
  const last = packets.at(-1);
  return { pcap: Buffer.concat([global, ...records]), packets: packets.length, durationMs: last ? last.atMs + PTIME_MS : 0 };
}
