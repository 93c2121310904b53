// Writes small ONNX models for tests: the protobuf wire format of the handful of onnx.proto
// messages a graph needs (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto), encoded by hand. Field numbers are those of onnx/onnx.proto (IR version 8).
// No dependency: protobuf encoding is varints and length-prefixed bytes.

export type OnnxType = 'float' | 'int64';
const ELEM_TYPE: Record<OnnxType, number> = { float: 1, int64: 7 };

/** A graph input or output: name, element type, dims (a string is a symbolic dim such as 'N'). */
export interface OnnxValue {
  name: string;
  type: OnnxType;
  dims: (number | string)[];
}

export interface OnnxTensor {
  name: string;
  type: OnnxType;
  dims: number[];
  values: number[] | Float32Array;
}

export type OnnxAttribute = number | number[] | string | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxGraph {
  name: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  nodes: OnnxNode[];
  initializers?: OnnxTensor[];
  /** metadata_props: what sherpa-onnx reads model_type, vocab_size… from. */
  metadata?: Record<string, string>;
  opset?: number;
}

/** The serialised ModelProto. */
export function onnxModel(graph: OnnxGraph): Buffer {
  const model = new Message()
    .varint(1, 8) // ir_version
    .string(2, 'habla-tests') // producer_name
    .message(7, graphProto(graph))
    .message(8, new Message().string(1, '').varint(2, graph.opset ?? 13)); // opset_import (default domain)
  for (const [key, value] of Object.entries(graph.metadata ?? {})) model.message(14, new Message().string(1, key).string(2, value));
  return model.bytes();
}

function graphProto(graph: OnnxGraph): Message {
  const g = new Message();
  graph.nodes.forEach((node, i) => g.message(1, nodeProto(node, `${node.op.toLowerCase()}_${i}`)));
  g.string(2, graph.name);
  for (const tensor of graph.initializers ?? []) g.message(5, tensorProto(tensor));
  for (const value of graph.inputs) g.message(11, valueInfo(value));
  for (const value of graph.outputs) g.message(12, valueInfo(value));
  return g;
}

function nodeProto(node: OnnxNode, name: string): Message {
  const n = new Message();
  for (const input of node.inputs) n.string(1, input);
  for (const output of node.outputs) n.string(2, output);
  n.string(3, name).string(4, node.op);
  for (const [key, value] of Object.entries(node.attributes ?? {})) n.message(5, attribute(key, value));
  return n;
}

// AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, INTS 7.
function attribute(name: string, value: OnnxAttribute): Message {
  const a = new Message().string(1, name);
  if (typeof value === 'string') return a.bytesField(4, Buffer.from(value)).varint(20, 3);
  if (Array.isArray(value)) return a.packedVarints(8, value).varint(20, 7);
  if (typeof value === 'number') return a.varint(3, value).varint(20, 2);
  return a.float(2, value.float).varint(20, 1);
}

function tensorProto(tensor: OnnxTensor): Message {
  const t = new Message().packedVarints(1, tensor.dims).varint(2, ELEM_TYPE[tensor.type]).string(8, tensor.name);
  const raw = tensor.type === 'float'
    ? Buffer.from(Float32Array.from(tensor.values).buffer)
    : Buffer.from(BigInt64Array.from(Array.from(tensor.values, BigInt)).buffer);
  return t.bytesField(9, raw); // raw_data, little-endian
}

function valueInfo(value: OnnxValue): Message {
  const shape = new Message();
  for (const dim of value.dims) shape.message(1, typeof dim === 'number' ? new Message().varint(1, dim) : new Message().string(2, dim));
  const tensorType = new Message().varint(1, ELEM_TYPE[value.type]).message(2, shape);
  return new Message().string(1, value.name).message(2, new Message().message(1, tensorType));
}

/** A protobuf message being written: fields in the order they are added. */
class Message {
  readonly #parts: Buffer[] = [];

  varint(field: number, value: number): this {
    this.#parts.push(key(field, 0), encodeVarint(value));
    return this;
  }

  float(field: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.#parts.push(key(field, 5), b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, Buffer.from(value, 'utf8'));
  }

  bytesField(field: number, value: Buffer): this {
    this.#parts.push(key(field, 2), encodeVarint(value.length), value);
    return this;
  }

  message(field: number, value: Message): this {
    return this.bytesField(field, value.bytes());
  }

  packedVarints(field: number, values: number[]): this {
    return this.bytesField(field, Buffer.concat(values.map(encodeVarint)));
  }

  bytes(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function key(field: number, wireType: number): Buffer {
  return encodeVarint(field * 8 + wireType);
}

/** Base-128 varint; negative numbers as 64-bit two's complement (ten bytes), as protobuf does. */
function encodeVarint(value: number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
