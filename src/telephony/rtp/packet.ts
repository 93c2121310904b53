/**
 * RTP fixed header, CSRC list, header extension and padding (RFC 3550 §5.1, §5.3.1).
 * Parsing is total: any byte string yields a packet or a reason, never an exception.
 * Parsed payloads are views into the input buffer (no copy on the receive hot path).
 */
import { err, ok, type Result } from '../result.ts';

export interface RtpHeaderExtension {
  /** The 16-bit profile-defined value ("defined by profile"), e.g. 0xBEDE for RFC 8285. */
  profile: number;
  /** Extension body, a multiple of 4 bytes. */
  data: Uint8Array;
}

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  csrcs: number[];
  extension?: RtpHeaderExtension;
  payload: Uint8Array;
  /** Padding bytes after the payload (0 when the P bit is clear). Serialised as zeros plus count. */
  paddingLength: number;
}

export const RTP_HEADER_LENGTH = 12;

/** RFC 5761 §4: first-byte-after-version values 64–95 are RTCP when RTP and RTCP share a port. */
export function looksLikeRtcp(data: Uint8Array): boolean {
  return data.length >= 2 && data[1] >= 192 && data[1] <= 223;
}

function u16(d: Uint8Array, at: number): number {
  return (d[at] << 8) | d[at + 1];
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}

export function parseRtpPacket(data: Uint8Array): Result<RtpPacket> {
  if (!(data instanceof Uint8Array)) return err('not a byte array');
  if (data.length < RTP_HEADER_LENGTH) return err('shorter than the 12-byte RTP header');
  const b0 = data[0];
  if (b0 >> 6 !== 2) return err(`unsupported RTP version ${b0 >> 6}`);
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_LENGTH;
  if (data.length < offset + 4 * csrcCount) return err('CSRC list runs past the end');
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++, offset += 4) csrcs.push(u32(data, offset));
  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (data.length < offset + 4) return err('extension header runs past the end');
    const profile = u16(data, offset);
    const words = u16(data, offset + 2);
    offset += 4;
    if (data.length < offset + 4 * words) return err('extension body runs past the end');
    extension = { profile, data: data.subarray(offset, offset + 4 * words) };
    offset += 4 * words;
  }
  let end = data.length;
  let paddingLength = 0;
  if (hasPadding) {
    paddingLength = data[data.length - 1];
    // The count includes itself, so zero is invalid (RFC 3550 §5.1 and appendix A.1 check).
    if (paddingLength === 0 || paddingLength > end - offset) return err('invalid padding length');
    end -= paddingLength;
  }
  return ok({
    payloadType: data[1] & 0x7f,
    marker: (data[1] & 0x80) !== 0,
    sequenceNumber: u16(data, 2),
    timestamp: u32(data, 4),
    ssrc: u32(data, 8),
    csrcs,
    ...(extension ? { extension } : {}),
    payload: data.subarray(offset, end),
    paddingLength,
  });
}

/** Throws RangeError only for values no caller should construct (programming errors). */
export function serializeRtpPacket(p: RtpPacket): Uint8Array {
  checkField('payloadType', p.payloadType, 0x7f);
  checkField('sequenceNumber', p.sequenceNumber, 0xffff);
  checkField('timestamp', p.timestamp, 0xffffffff);
  checkField('ssrc', p.ssrc, 0xffffffff);
  checkField('paddingLength', p.paddingLength, 0xff);
  if (p.csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  const ext = p.extension;
  if (ext && (ext.data.length % 4 !== 0 || ext.data.length / 4 > 0xffff)) {
    throw new RangeError('extension data must be whole 32-bit words');
  }
  const headerLength = RTP_HEADER_LENGTH + 4 * p.csrcs.length + (ext ? 4 + ext.data.length : 0);
  const out = new Uint8Array(headerLength + p.payload.length + p.paddingLength);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | (p.paddingLength > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | p.csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  view.setUint16(2, p.sequenceNumber);
  view.setUint32(4, p.timestamp);
  view.setUint32(8, p.ssrc);
  let offset = RTP_HEADER_LENGTH;
  for (const csrc of p.csrcs) {
    checkField('csrc', csrc, 0xffffffff);
    view.setUint32(offset, csrc);
    offset += 4;
  }
  if (ext) {
    checkField('extension.profile', ext.profile, 0xffff);
    view.setUint16(offset, ext.profile);
    view.setUint16(offset + 2, ext.data.length / 4);
    out.set(ext.data, offset + 4);
    offset += 4 + ext.data.length;
  }
  out.set(p.payload, offset);
  if (p.paddingLength > 0) out[out.length - 1] = p.paddingLength;
  return out;
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} out of range: ${value}`);
}
