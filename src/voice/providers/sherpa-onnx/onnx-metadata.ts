// Reads an ONNX file's metadata_props (the key/value pairs icefall exports put model_type,
// vocab_size, T… in) without onnxruntime: the top level of the ModelProto is walked field by
// field and the graph, which holds the weights, is skipped by its length. So a 300 MB model is
// checked with a few small reads, and a file that is not ONNX is reported as such instead of
// crashing the native loader (sherpa-onnx aborts the process on a model it cannot parse).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class OnnxFileError extends Error {
  override readonly name = 'OnnxFileError';
}

const METADATA_PROPS = 14; // ModelProto.metadata_props
const GRAPH = 7; // ModelProto.graph
const LFS_POINTER = 'version https://git-lfs';

export interface OnnxFileInfo {
  metadata: Record<string, string>;
  hasGraph: boolean;
}

/** The metadata of `file`; throws OnnxFileError when it is not an ONNX model. */
export function readOnnxMetadata(file: string): OnnxFileInfo {
  const fd = openSync(file, 'r');
  try {
    return walkModel(new FileReader(fd, fstatSync(fd).size), file);
  } finally {
    closeSync(fd);
  }
}

function walkModel(reader: FileReader, file: string): OnnxFileInfo {
  if (reader.size === 0) throw new OnnxFileError(`${file} is empty`);
  if (reader.peekText(LFS_POINTER.length) === LFS_POINTER) {
    throw new OnnxFileError(`${file} is a Git LFS pointer, not the model (fetch it with git lfs pull)`);
  }
  const metadata: Record<string, string> = {};
  let hasGraph = false;
  while (reader.position < reader.size) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw notOnnx(file);
    if (wireType === 0) reader.varint();
    else if (wireType === 1) reader.skip(8);
    else if (wireType === 5) reader.skip(4);
    else if (wireType === 2) {
      const length = reader.varint();
      if (reader.position + length > reader.size) throw notOnnx(file);
      if (field === METADATA_PROPS) {
        const [key, value] = parseEntry(reader.read(length), file);
        metadata[key] = value;
      } else {
        if (field === GRAPH) hasGraph = true;
        reader.skip(length);
      }
    } else throw notOnnx(file);
  }
  if (!hasGraph) throw notOnnx(file);
  return { metadata, hasGraph };
}

/** StringStringEntryProto { key = 1; value = 2 }. */
function parseEntry(bytes: Buffer, file: string): [string, string] {
  const entry = new FileReader(bytes, bytes.length);
  let key = '';
  let value = '';
  while (entry.position < entry.size) {
    const tag = entry.varint();
    if (tag % 8 !== 2) throw notOnnx(file);
    const text = entry.read(entry.varint()).toString('utf8');
    if (tag >> 3 === 1) key = text;
    else if (tag >> 3 === 2) value = text;
  }
  return [key, value];
}

function notOnnx(file: string): OnnxFileError {
  return new OnnxFileError(`${file} is not an ONNX model (truncated or another format)`);
}

/** Sequential reads from a file descriptor (or a buffer) with a small read-ahead window. */
class FileReader {
  position = 0;
  readonly size: number;
  readonly #source: number | Buffer;
  #window = Buffer.alloc(0);
  #windowStart = 0;

  constructor(source: number | Buffer, size: number) {
    this.#source = source;
    this.size = size;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.read(1)[0];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new OnnxFileError('malformed varint');
  }

  skip(length: number): void {
    this.position += length;
  }

  peekText(length: number): string {
    const at = this.position;
    const text = this.read(Math.min(length, this.size)).toString('latin1');
    this.position = at;
    return text;
  }

  read(length: number): Buffer {
    if (this.position + length > this.size) throw new OnnxFileError('unexpected end of file');
    if (typeof this.#source !== 'number') {
      const out = this.#source.subarray(this.position, this.position + length);
      this.position += length;
      return out;
    }
    const offset = this.position - this.#windowStart;
    if (offset < 0 || offset + length > this.#window.length) {
      const buffer = Buffer.alloc(Math.min(Math.max(length, 64 * 1024), this.size - this.position));
      const read = readSync(this.#source, buffer, 0, buffer.length, this.position);
      this.#window = buffer.subarray(0, read);
      this.#windowStart = this.position;
    }
    const start = this.position - this.#windowStart;
    if (start + length > this.#window.length) throw new OnnxFileError('unexpected end of file');
    this.position += length;
    return this.#window.subarray(start, start + length);
  }
}
