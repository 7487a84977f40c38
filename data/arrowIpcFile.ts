// Writes an Arrow IPC file (format version V5) of fixed-width and boolean columns without loading apache-arrow:
// the few FlatBuffers tables it needs are encoded here, and each record batch body is filled in place and written.

import { open } from 'node:fs/promises';

export type ArrowColumnType = 'float64' | 'int32' | 'uint8' | 'bool';

/** One column of a batch as the caller fills it: a view into the batch body (`bool`: bits packed LSB first). */
export type ArrowColumnView = Float64Array | Int32Array | Uint8Array;

export interface ArrowFileField {
  name: string;
  type: ArrowColumnType;
  /** The field has a validity bitmap; its view starts all valid and the filler clears the bits of null slots. */
  nullable?: boolean;
}

export interface ArrowFileContent {
  fields: ArrowFileField[];
  /** Schema custom metadata, in this order. */
  metadata: Array<[string, string]>;
  /** Rows of each record batch, in file order; one 0 for a file with no rows. */
  batchRows: number[];
  /**
   * Fill every slot of `columns` (one view per field, each `batchRows[batch]` long) with batch `batch`'s values;
   * `validity` holds a bitmap view per nullable field (undefined for the others), every bit set on entry.
   */
  fillBatch(batch: number, columns: ArrowColumnView[], validity: Array<Uint8Array | undefined>): void;
}

const magic = Buffer.from('ARROW1\0\0', 'latin1');
const continuation = 0xffffffff;
/** MetadataVersion.V5 in Schema.fbs. */
const metadataV5 = 4;
/** Union tags in Schema.fbs (Type) and Message.fbs (MessageHeader). */
const typeInt = 2;
const typeFloatingPoint = 3;
const typeBool = 6;
const headerSchema = 1;
const headerRecordBatch = 3;
const precisionDouble = 2;

const bytesPerValue: Record<Exclude<ArrowColumnType, 'bool'>, number> = { float64: 8, int32: 4, uint8: 1 };

/** Bytes the values of `rows` slots take before padding (a bool or validity bitmap: one bit per slot). */
function valueBytes(type: ArrowColumnType, rows: number): number {
  return type === 'bool' ? Math.ceil(rows / 8) : rows * bytesPerValue[type];
}

/** Write `content` to `path` (created or truncated) as an Arrow IPC file. */
export async function writeArrowIpcFile(path: string, content: ArrowFileContent): Promise<void> {
  const { fields, batchRows } = content;
  const schema = schemaTable(fields, content.metadata);
  const maxBodyBytes = batchRows.reduce((most, n) => Math.max(most, bodyLayout(fields, n).bytes), 0);
  // Two bodies: one is filled on this thread while the other is written by the thread pool.
  const bodies = [new Uint8Array(new ArrayBuffer(maxBodyBytes)), new Uint8Array(new ArrayBuffer(batchRows.length > 1 ? maxBodyBytes : 0))];
  const handle = await open(path, 'w');
  let pending: Promise<unknown> = Promise.resolve();
  try {
    let position = 0;
    const write = async (parts: Uint8Array[]) => {
      const at = position;
      const bytes = parts.reduce((n, part) => n + part.byteLength, 0);
      position += bytes;
      const { bytesWritten } = await handle.writev(parts, at);
      if (bytesWritten === bytes) return;
      // A short write (the disk filling up, a file size limit): the rest is written again, so that the system's own
      // error (ENOSPC, EFBIG) names what stopped it, which a full disk's handling recognises.
      const rest = Buffer.concat(parts).subarray(bytesWritten);
      let done = 0;
      while (done < rest.length) {
        const { bytesWritten: n } = await handle.write(rest, done, rest.length - done, at + bytesWritten + done);
        if (n === 0) throw new Error(`short write to ${path}: ${bytesWritten + done} of ${bytes} bytes at offset ${at}`);
        done += n;
      }
    };
    await write([magic, messageFrame(encodeFlatBuffer(messageTable(headerSchema, schema, 0)))]);
    const blocks: Block[] = [];
    for (let b = 0; b < batchRows.length; b++) {
      const rows = batchRows[b]!;
      const layout = bodyLayout(fields, rows);
      const body = bodies[b % 2]!.subarray(0, layout.bytes);
      const columns = fields.map((f, c) => columnView(body, f.type, layout.offsets[c]!, rows));
      // Bitmaps are zeroed whole first: their last byte's spare bits, and its padding, must be 0.
      fields.forEach((f, c) => {
        if (f.type === 'bool') body.fill(0, layout.offsets[c]!, layout.offsets[c]! + layout.padded[c]!);
      });
      const validity = fields.map((f, c) => {
        if (!f.nullable) return undefined;
        const at = layout.validityOffsets[c]!;
        const bitmap = body.subarray(at, at + valueBytes('bool', rows));
        body.fill(0, at, at + pad8(bitmap.byteLength));
        bitmap.fill(0xff);
        if (rows % 8 !== 0 && bitmap.byteLength > 0) bitmap[bitmap.byteLength - 1] = (1 << (rows % 8)) - 1;
        return bitmap;
      });
      content.fillBatch(b, columns, validity);
      fields.forEach((f, c) => body.fill(0, layout.offsets[c]! + valueBytes(f.type, rows), layout.offsets[c]! + layout.padded[c]!));
      const nullCounts = validity.map((bitmap) => (bitmap ? rows - setBits(bitmap) : 0));
      const meta = messageFrame(
        encodeFlatBuffer(messageTable(headerRecordBatch, recordBatchTable(fields, rows, layout, nullCounts), layout.bytes)),
      );
      await pending;
      blocks.push({ offset: position, metaDataLength: meta.byteLength, bodyLength: layout.bytes });
      pending = write([meta, body]);
    }
    await pending;
    const footer = encodeFlatBuffer(footerTable(schema, blocks));
    const tail = Buffer.alloc(8 + footer.byteLength + 4);
    tail.writeUInt32LE(continuation, 0);
    tail.writeInt32LE(0, 4);
    tail.set(footer, 8);
    tail.writeInt32LE(footer.byteLength, 8 + footer.byteLength);
    await write([tail, magic.subarray(0, 6)]);
  } finally {
    // A write still running when filling failed: its buffer must not be freed under it, and the fill error is the one to report.
    await pending.catch(() => undefined);
    await handle.close();
  }
}

interface Block {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

interface BodyLayout {
  /** Byte offset of each nullable field's validity bitmap in the body (undefined for the others). */
  validityOffsets: Array<number | undefined>;
  /** Byte offset of each field's values in the body. */
  offsets: number[];
  /** Bytes each field's values take, padded to 8. */
  padded: number[];
  bytes: number;
}

function bodyLayout(fields: ArrowFileField[], rows: number): BodyLayout {
  const validityOffsets: Array<number | undefined> = [];
  const offsets: number[] = [];
  const padded: number[] = [];
  let bytes = 0;
  for (const f of fields) {
    validityOffsets.push(f.nullable ? bytes : undefined);
    if (f.nullable) bytes += pad8(valueBytes('bool', rows));
    offsets.push(bytes);
    const size = pad8(valueBytes(f.type, rows));
    padded.push(size);
    bytes += size;
  }
  return { validityOffsets, offsets, padded, bytes };
}

/** Set bits of a bitmap. */
function setBits(bitmap: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bitmap.length; i++) {
    let v = bitmap[i]!;
    while (v !== 0) {
      v &= v - 1;
      n++;
    }
  }
  return n;
}

function columnView(body: Uint8Array, type: ArrowColumnType, offset: number, rows: number): ArrowColumnView {
  const at = body.byteOffset + offset;
  if (type === 'float64') return new Float64Array(body.buffer, at, rows);
  if (type === 'int32') return new Int32Array(body.buffer, at, rows);
  return new Uint8Array(body.buffer, at, valueBytes(type, rows));
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** An encapsulated IPC message: continuation marker, metadata length, metadata padded to 8 bytes. */
function messageFrame(metadata: Uint8Array): Uint8Array {
  const length = pad8(metadata.byteLength);
  const frame = Buffer.alloc(8 + length);
  frame.writeUInt32LE(continuation, 0);
  frame.writeInt32LE(length, 4);
  frame.set(metadata, 8);
  return frame;
}

// Tables of Schema.fbs, Message.fbs and File.fbs, fields listed by vtable slot.

function schemaTable(fields: ArrowFileField[], metadata: Array<[string, string]>): FlatTable {
  return table([
    { kind: 'int16', value: 0 }, // endianness: Little
    { kind: 'offset', to: { kind: 'tables', items: fields.map(fieldTable) } },
    { kind: 'offset', to: { kind: 'tables', items: metadata.map(([key, value]) => table([string(key), string(value)])) } },
  ]);
}

function fieldTable(field: ArrowFileField): FlatTable {
  const type =
    field.type === 'float64'
      ? table([{ kind: 'int16', value: precisionDouble }])
      : field.type === 'bool'
        ? table([])
        : table([
            { kind: 'int32', value: field.type === 'int32' ? 32 : 8 },
            { kind: 'bool', value: field.type === 'int32' ? 1 : 0 },
          ]);
  return table([
    string(field.name),
    { kind: 'bool', value: field.nullable ? 1 : 0 },
    { kind: 'uint8', value: field.type === 'float64' ? typeFloatingPoint : field.type === 'bool' ? typeBool : typeInt },
    { kind: 'offset', to: type },
    undefined, // dictionary
    { kind: 'offset', to: { kind: 'tables', items: [] } }, // children
  ]);
}

function messageTable(headerType: number, header: FlatTable, bodyLength: number): FlatTable {
  return table([
    { kind: 'int16', value: metadataV5 },
    { kind: 'uint8', value: headerType },
    { kind: 'offset', to: header },
    { kind: 'int64', value: bodyLength },
  ]);
}

function recordBatchTable(fields: ArrowFileField[], rows: number, layout: BodyLayout, nullCounts: number[]): FlatTable {
  // Per field: a field node, then its validity buffer (empty when the field has no bitmap) and the values buffer.
  const nodes = fields.map((_, c): [number, number] => [rows, nullCounts[c]!]);
  const buffers = fields.flatMap((f, c): Array<[number, number]> => [
    layout.validityOffsets[c] === undefined ? [layout.offsets[c]!, 0] : [layout.validityOffsets[c]!, valueBytes('bool', rows)],
    [layout.offsets[c]!, valueBytes(f.type, rows)],
  ]);
  return table([
    { kind: 'int64', value: rows },
    { kind: 'offset', to: int64Structs(nodes) },
    { kind: 'offset', to: int64Structs(buffers) },
  ]);
}

function footerTable(schema: FlatTable, blocks: Block[]): FlatTable {
  return table([
    { kind: 'int16', value: metadataV5 },
    { kind: 'offset', to: schema },
    { kind: 'offset', to: int64Structs([]) }, // dictionaries
    { kind: 'offset', to: blockStructs(blocks) },
  ]);
}

/** Block structs: offset int64, metaDataLength int32 and 4 bytes of padding, bodyLength int64. */
function blockStructs(blocks: Block[]): FlatStructs {
  const write = (view: DataView, at: number, i: number) => {
    const block = blocks[i]!;
    setInt64(view, at, block.offset);
    view.setInt32(at + 8, block.metaDataLength, true);
    setInt64(view, at + 16, block.bodyLength);
  };
  return { kind: 'structs', align: 8, elementBytes: 24, count: blocks.length, write };
}

/** A vector of structs of two int64 fields (FieldNode: length, null count; Buffer: offset, length). */
function int64Structs(rows: Array<[number, number]>): FlatStructs {
  const write = (view: DataView, at: number, i: number) => {
    setInt64(view, at, rows[i]![0]);
    setInt64(view, at + 8, rows[i]![1]);
  };
  return { kind: 'structs', align: 8, elementBytes: 16, count: rows.length, write };
}

// A FlatBuffers encoder for the handful of tables above, writing front to back: each object is placed after the
// object that points to it, so every offset is forward (unsigned) as the format requires, and each scalar is
// aligned to its size from the start of the buffer, as readers' verifiers check.

type FlatScalar = { kind: 'bool' | 'uint8' | 'int16' | 'int32' | 'int64'; value: number };
type FlatField = FlatScalar | { kind: 'offset'; to: FlatObject };
interface FlatTable {
  kind: 'table';
  /** Field of each vtable slot; undefined leaves the slot absent (its default). */
  fields: Array<FlatField | undefined>;
}
interface FlatStructs {
  kind: 'structs';
  align: number;
  elementBytes: number;
  count: number;
  write(view: DataView, at: number, index: number): void;
}
type FlatObject = FlatTable | FlatStructs | { kind: 'string'; value: string } | { kind: 'tables'; items: FlatTable[] };

function table(fields: Array<FlatField | undefined>): FlatTable {
  return { kind: 'table', fields };
}

function string(value: string): FlatField {
  return { kind: 'offset', to: { kind: 'string', value } };
}

const fieldBytes: Record<FlatField['kind'], number> = { bool: 1, uint8: 1, int16: 2, int32: 4, int64: 8, offset: 4 };

class FlatBufferBuilder {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  size = 0;

  /** Append `n` zero bytes, returning where they start. */
  reserve(n: number): number {
    if (this.size + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.size + n));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.size;
    this.size += n;
    return at;
  }

  /** Pad so that the next byte is at `remainder` modulo `align`. */
  alignTo(align: number, remainder = 0): void {
    while (this.size % align !== remainder) this.reserve(1);
  }

  place(object: FlatObject): number {
    switch (object.kind) {
      case 'string': {
        const text = Buffer.from(object.value, 'utf8');
        this.alignTo(4);
        const at = this.reserve(4 + text.length + 1);
        this.view.setUint32(at, text.length, true);
        this.bytes.set(text, at + 4);
        return at;
      }
      case 'tables': {
        this.alignTo(4);
        const at = this.reserve(4 + 4 * object.items.length);
        this.view.setUint32(at, object.items.length, true);
        object.items.forEach((item, i) => this.pointAt(at + 4 + 4 * i, this.place(item)));
        return at;
      }
      case 'structs': {
        // The elements after the 4-byte length start aligned.
        this.alignTo(object.align, object.align - 4);
        const at = this.reserve(4 + object.elementBytes * object.count);
        this.view.setUint32(at, object.count, true);
        for (let i = 0; i < object.count; i++) object.write(this.view, at + 4 + object.elementBytes * i, i);
        return at;
      }
      case 'table':
        return this.placeTable(object);
    }
  }

  /** vtable, then the table (its soffset, then fields largest first so each is aligned), then what it points to. */
  placeTable(t: FlatTable): number {
    this.alignTo(2);
    const vtable = this.reserve(4 + 2 * t.fields.length);
    const present = t.fields
      .flatMap((f, slot) => (f === undefined ? [] : [{ f, slot }]))
      .sort((a, b) => fieldBytes[b.f.kind] - fieldBytes[a.f.kind]);
    if (present.some(({ f }) => fieldBytes[f.kind] === 8)) this.alignTo(8, 4);
    else this.alignTo(4);
    const start = this.reserve(4);
    this.view.setInt32(start, start - vtable, true);
    const positions: number[] = [];
    for (const { f } of present) {
      this.alignTo(fieldBytes[f.kind]);
      const at = this.reserve(fieldBytes[f.kind]);
      positions.push(at);
      if (f.kind === 'int64') setInt64(this.view, at, f.value);
      else if (f.kind === 'int32') this.view.setInt32(at, f.value, true);
      else if (f.kind === 'int16') this.view.setInt16(at, f.value, true);
      else if (f.kind !== 'offset') this.view.setUint8(at, f.value);
    }
    this.view.setUint16(vtable, 4 + 2 * t.fields.length, true);
    this.view.setUint16(vtable + 2, this.size - start, true);
    present.forEach(({ slot }, i) => this.view.setUint16(vtable + 4 + 2 * slot, positions[i]! - start, true));
    present.forEach(({ f }, i) => {
      if (f.kind === 'offset') this.pointAt(positions[i]!, this.place(f.to));
    });
    return start;
  }

  pointAt(from: number, to: number): void {
    this.view.setUint32(from, to - from, true);
  }
}

/** The FlatBuffers encoding of `root`: a uoffset to the root table, then the objects. */
function encodeFlatBuffer(root: FlatTable): Uint8Array {
  const builder = new FlatBufferBuilder();
  const at = builder.reserve(4);
  builder.pointAt(at, builder.place(root));
  return builder.bytes.subarray(0, builder.size);
}

function setInt64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}
