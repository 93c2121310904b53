import { type ReportBlock, RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR, type RtcpPacket, type SdesChunk } from './types.ts';

/** A packet we cannot express on the wire: a bug in the caller, not bad network input. */
export class RtcpSerializeError extends Error {
  override name = 'RtcpSerializeError';
}

/** Serializes packets into one compound datagram (no padding; SRTCP needs none). */
export function serializeRtcp(packets: RtcpPacket[]): Buffer {
  return Buffer.concat(packets.map(serializeOne));
}

function serializeOne(packet: RtcpPacket): Buffer {
  switch (packet.type) {
    case 'sr': {
      const body = Buffer.alloc(24);
      body.writeUInt32BE(packet.ssrc >>> 0, 0);
      body.writeUInt32BE(packet.sender.ntpSeconds >>> 0, 4);
      body.writeUInt32BE(packet.sender.ntpFraction >>> 0, 8);
      body.writeUInt32BE(packet.sender.rtpTimestamp >>> 0, 12);
      body.writeUInt32BE(packet.sender.packetCount >>> 0, 16);
      body.writeUInt32BE(packet.sender.octetCount >>> 0, 20);
      return frame(RTCP_SR, countOf(packet.reports.length), Buffer.concat([body, ...packet.reports.map(writeBlock)]));
    }
    case 'rr': {
      const ssrc = Buffer.alloc(4);
      ssrc.writeUInt32BE(packet.ssrc >>> 0);
      return frame(RTCP_RR, countOf(packet.reports.length), Buffer.concat([ssrc, ...packet.reports.map(writeBlock)]));
    }
    case 'sdes':
      return frame(RTCP_SDES, countOf(packet.chunks.length), Buffer.concat(packet.chunks.map(writeChunk)));
    case 'bye':
      return frame(RTCP_BYE, countOf(packet.ssrcs.length), writeBye(packet.ssrcs, packet.reason));
    case 'other':
      if (packet.body.length % 4 !== 0) throw new RtcpSerializeError('RTCP body must be a multiple of 4 bytes');
      return frame(packet.packetType, countOf(packet.count), packet.body);
  }
}

function frame(packetType: number, count: number, body: Buffer): Buffer {
  const words = body.length / 4;
  if (words > 0xffff) throw new RtcpSerializeError('RTCP packet too long');
  const header = Buffer.alloc(4);
  header[0] = 0x80 | count;
  header[1] = packetType;
  header.writeUInt16BE(words, 2);
  return Buffer.concat([header, body]);
}

function countOf(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > 31) throw new RtcpSerializeError(`RTCP count ${count} outside 0..31`);
  return count;
}

function writeBlock(block: ReportBlock): Buffer {
  const out = Buffer.alloc(24);
  out.writeUInt32BE(block.ssrc >>> 0, 0);
  out[4] = Math.max(0, Math.min(255, Math.trunc(block.fractionLost)));
  out.writeIntBE(Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(block.cumulativeLost))), 5, 3);
  out.writeUInt32BE(block.highestSeq >>> 0, 8);
  out.writeUInt32BE(block.jitter >>> 0, 12);
  out.writeUInt32BE(block.lastSr >>> 0, 16);
  out.writeUInt32BE(block.delaySinceLastSr >>> 0, 20);
  return out;
}

function writeChunk(chunk: SdesChunk): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32BE(chunk.ssrc >>> 0);
  for (const item of chunk.items) {
    const text = Buffer.from(item.value, 'utf8');
    if (item.type < 1 || item.type > 255 || text.length > 255) {
      throw new RtcpSerializeError('SDES item type must be 1..255 and its text at most 255 bytes');
    }
    parts.push(Buffer.from([item.type, text.length]), text);
  }
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  parts.push(Buffer.alloc(4 - (length % 4))); // null item plus padding: at least one zero byte
  return Buffer.concat(parts);
}

function writeBye(ssrcs: number[], reason: string | undefined): Buffer {
  const parts = ssrcs.map((ssrc) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(ssrc >>> 0);
    return out;
  });
  if (reason !== undefined && reason !== '') {
    const text = Buffer.from(reason, 'utf8');
    if (text.length > 255) throw new RtcpSerializeError('BYE reason longer than 255 bytes');
    const length = 1 + text.length;
    parts.push(Buffer.from([text.length]), text, Buffer.alloc((4 - (length % 4)) % 4));
  }
  return Buffer.concat(parts);
}
