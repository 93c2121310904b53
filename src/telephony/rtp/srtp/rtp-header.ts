/**
 * The few RTP (RFC 3550 §5.1) and RTCP header facts SRTP needs, read straight from the bytes
 * so this module stands alone. SRTP leaves the whole RTP header (CSRCs and extension included)
 * in the clear and authenticated, so all it needs is where the payload starts.
 */
export interface RtpHeaderInfo {
  seq: number;
  ssrc: number;
  headerLength: number;
}

export function readRtpHeader(packet: Buffer): RtpHeaderInfo | undefined {
  if (packet.length < 12 || packet[0] >> 6 !== 2) return undefined;
  const csrcCount = packet[0] & 0x0f;
  let headerLength = 12 + 4 * csrcCount;
  if (packet[0] & 0x10) {
    if (packet.length < headerLength + 4) return undefined;
    headerLength += 4 + 4 * packet.readUInt16BE(headerLength + 2);
  }
  if (headerLength > packet.length) return undefined;
  return { seq: packet.readUInt16BE(2), ssrc: packet.readUInt32BE(8), headerLength };
}

/** RTCP: the sender SSRC of the first packet in a compound keys the SRTCP context. */
export function readRtcpSenderSsrc(packet: Buffer): number | undefined {
  if (packet.length < 8 || packet[0] >> 6 !== 2) return undefined;
  return packet.readUInt32BE(4);
}
