import {
  type ReportBlock,
  RTCP_BYE,
  RTCP_RR,
  RTCP_SDES,
  RTCP_SR,
  type RtcpPacket,
  type RtcpResult,
  type SdesChunk,
} from './types.ts';

const REPORT_BLOCK_LENGTH = 24;

/**
 * Parses a compound RTCP packet (RFC 3550 §6.1, validity checks of Appendix A.2): version 2,
 * lengths that tile the datagram exactly, padding only on the last packet. Unknown packet
 * types are kept as `other`. Returns an error result for anything malformed; never throws.
 */
export function parseRtcp(input: Uint8Array): RtcpResult<RtcpPacket[]> {
  const datagram = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const packets: RtcpPacket[] = [];
  let offset = 0;
  if (datagram.length < 4) return { ok: false, error: 'RTCP datagram shorter than a header' };
  while (offset < datagram.length) {
    if (datagram.length - offset < 4) return { ok: false, error: 'trailing bytes after the last RTCP packet' };
    const first = datagram[offset];
    if (first >> 6 !== 2) return { ok: false, error: `RTCP version ${first >> 6}` };
    const length = (datagram.readUInt16BE(offset + 2) + 1) * 4;
    const end = offset + length;
    if (end > datagram.length) return { ok: false, error: 'RTCP length runs past the datagram' };
    let bodyEnd = end;
    if (first & 0x20) {
      if (end !== datagram.length) return { ok: false, error: 'padding on an RTCP packet that is not last' };
      const padding = datagram[end - 1];
      if (padding === 0 || padding > length - 4) return { ok: false, error: 'bad RTCP padding count' };
      bodyEnd = end - padding;
    }
    const parsed = parseOne(first & 0x1f, datagram[offset + 1], datagram.subarray(offset + 4, bodyEnd));
    if (!parsed.ok) return parsed;
    packets.push(parsed.value);
    offset = end;
  }
  return { ok: true, value: packets };
}

function parseOne(count: number, packetType: number, body: Buffer): RtcpResult<RtcpPacket> {
  switch (packetType) {
    case RTCP_SR:
      return parseSenderReport(count, body);
    case RTCP_RR:
      return parseReceiverReport(count, body);
    case RTCP_SDES:
      return parseSdes(count, body);
    case RTCP_BYE:
      return parseBye(count, body);
    default:
      return { ok: true, value: { type: 'other', packetType, count, body: Buffer.from(body) } };
  }
}

function parseSenderReport(count: number, body: Buffer): RtcpResult<RtcpPacket> {
  if (body.length < 24 + count * REPORT_BLOCK_LENGTH) return { ok: false, error: 'SR too short for its report count' };
  const sender = {
    ntpSeconds: body.readUInt32BE(4),
    ntpFraction: body.readUInt32BE(8),
    rtpTimestamp: body.readUInt32BE(12),
    packetCount: body.readUInt32BE(16),
    octetCount: body.readUInt32BE(20),
  };
  // Bytes after the report blocks are profile-specific extensions (§6.4.1): ignored.
  return { ok: true, value: { type: 'sr', ssrc: body.readUInt32BE(0), sender, reports: readBlocks(body, 24, count) } };
}

function parseReceiverReport(count: number, body: Buffer): RtcpResult<RtcpPacket> {
  if (body.length < 4 + count * REPORT_BLOCK_LENGTH) return { ok: false, error: 'RR too short for its report count' };
  return { ok: true, value: { type: 'rr', ssrc: body.readUInt32BE(0), reports: readBlocks(body, 4, count) } };
}

function readBlocks(body: Buffer, start: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * REPORT_BLOCK_LENGTH;
    blocks.push({
      ssrc: body.readUInt32BE(at),
      fractionLost: body[at + 4],
      cumulativeLost: body.readIntBE(at + 5, 3),
      highestSeq: body.readUInt32BE(at + 8),
      jitter: body.readUInt32BE(at + 12),
      lastSr: body.readUInt32BE(at + 16),
      delaySinceLastSr: body.readUInt32BE(at + 20),
    });
  }
  return blocks;
}

/** Chunks: SSRC, items (type, length, UTF-8 text), a null item, zero padding to 32 bits. */
function parseSdes(count: number, body: Buffer): RtcpResult<RtcpPacket> {
  const chunks: SdesChunk[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (body.length - at < 4) return { ok: false, error: 'SDES chunk truncated' };
    const chunk: SdesChunk = { ssrc: body.readUInt32BE(at), items: [] };
    at += 4;
    for (;;) {
      if (at >= body.length) return { ok: false, error: 'SDES chunk without a terminating null item' };
      const itemType = body[at];
      if (itemType === 0) break;
      if (at + 2 > body.length || at + 2 + body[at + 1] > body.length) return { ok: false, error: 'SDES item truncated' };
      const length = body[at + 1];
      chunk.items.push({ type: itemType, value: body.toString('utf8', at + 2, at + 2 + length) });
      at += 2 + length;
    }
    at = (at + 4) & ~3; // skip the null item and the padding to the next 32-bit boundary
    chunks.push(chunk);
  }
  return { ok: true, value: { type: 'sdes', chunks } };
}

function parseBye(count: number, body: Buffer): RtcpResult<RtcpPacket> {
  if (body.length < count * 4) return { ok: false, error: 'BYE too short for its source count' };
  const ssrcs = Array.from({ length: count }, (_, i) => body.readUInt32BE(i * 4));
  const at = count * 4;
  if (at >= body.length || body[at] === 0) return { ok: true, value: { type: 'bye', ssrcs } };
  if (at + 1 + body[at] > body.length) return { ok: false, error: 'BYE reason truncated' };
  return { ok: true, value: { type: 'bye', ssrcs, reason: body.toString('utf8', at + 1, at + 1 + body[at]) } };
}
