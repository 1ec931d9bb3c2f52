import { crc32 } from "node:zlib";
import { CHUNK_HEADER_SIZE, CHUNK_SIZE } from "./layout.ts";

/**
 * Test support: writes BinXML into a chunk the way Windows lays it out (names and template
 * definitions inline at first use, by chunk offset afterwards), so tests can cover tokens, value
 * types and hostile structures the real samples do not contain.
 */
export class ChunkWriter {
  readonly buf = Buffer.alloc(CHUNK_SIZE);
  pos = CHUNK_HEADER_SIZE;
  private readonly names = new Map<string, number>();
  private firstId: bigint | undefined;
  private lastId = 0n;
  private lastOffset = 0;

  u8 = (v: number) => void (this.buf[this.pos++] = v);
  u16 = (v: number) => void (this.pos = this.buf.writeUInt16LE(v, this.pos));
  u32 = (v: number) => void (this.pos = this.buf.writeUInt32LE(v >>> 0, this.pos));
  utf16 = (s: string) => void (this.pos += this.buf.write(s, this.pos, "utf16le"));

  /** A name: inline the first time, by offset afterwards. */
  name(name: string): void {
    const known = this.names.get(name);
    if (known !== undefined) return this.u32(known);
    this.u32(this.pos + 4);
    this.names.set(name, this.pos);
    this.u32(0);
    this.u16(0);
    this.u16(name.length);
    this.utf16(name);
    this.u16(0);
  }

  fragment(): void {
    [0x0f, 0x01, 0x01, 0x00].forEach(this.u8);
  }

  /** An element; `attrs` write each attribute's value tokens, `content` the children (null: empty element). */
  element(name: string, attrs: [string, () => void][], content: (() => void) | null, withDependency = true): void {
    this.u8(attrs.length > 0 ? 0x41 : 0x01);
    if (withDependency) this.u16(0xffff);
    const sizeAt = this.pos;
    this.u32(0);
    this.name(name);
    if (attrs.length > 0) {
      const listAt = this.pos;
      this.u32(0);
      attrs.forEach(([attr, value], i) => {
        this.u8(i < attrs.length - 1 ? 0x46 : 0x06);
        this.name(attr);
        value();
      });
      this.buf.writeUInt32LE(this.pos - listAt - 4, listAt);
    }
    if (content === null) this.u8(0x03);
    else {
      this.u8(0x02);
      content();
      this.u8(0x04);
    }
    this.buf.writeUInt32LE(this.pos - sizeAt - 4, sizeAt);
  }

  text(s: string, more = false): void {
    this.u8(more ? 0x45 : 0x05);
    this.u8(0x01);
    this.u16(s.length);
    this.utf16(s);
  }

  sub(index: number, type: number, optional = false): void {
    this.u8(optional ? 0x0e : 0x0d);
    this.u16(index);
    this.u8(type);
  }

  charRef(code: number): void {
    this.u8(0x08);
    this.u16(code);
  }

  entityRef(name: string): void {
    this.u8(0x09);
    this.name(name);
  }

  cdata(s: string): void {
    this.u8(0x07);
    this.u16(s.length);
    this.utf16(s);
  }

  pi(target: string, data: string): void {
    this.u8(0x0a);
    this.name(target);
    this.u8(0x0b);
    this.u16(data.length);
    this.utf16(data);
  }

  /**
   * A template instance. `body` defines the template inline (returns its offset for later use);
   * a number refers to a definition written before. Values are `[type, bytes]`.
   */
  instance(template: number | (() => void), values: [number, Buffer][]): number {
    this.u8(0x0c);
    this.u8(0x01);
    this.u32(0x1234);
    let offset: number;
    if (typeof template === "number") {
      offset = template;
      this.u32(offset);
    } else {
      offset = this.pos + 4;
      this.u32(offset);
      this.u32(0);
      this.pos += 16; // template GUID
      const sizeAt = this.pos;
      this.u32(0);
      template();
      this.buf.writeUInt32LE(this.pos - sizeAt - 4, sizeAt);
    }
    this.u32(values.length);
    for (const [type, bytes] of values) {
      this.u16(bytes.length);
      this.u8(type);
      this.u8(0);
    }
    for (const [, bytes] of values) this.pos += bytes.copy(this.buf, this.pos);
    return offset;
  }

  /** A whole record around `binxml`; returns its chunk offset. */
  record(id: bigint, binxml: () => void): number {
    const start = this.pos;
    this.u32(0x00002a2a);
    this.u32(0);
    this.pos = this.buf.writeBigUInt64LE(id, this.pos);
    this.pos = this.buf.writeBigUInt64LE(132000000000000000n, this.pos);
    binxml();
    this.u32(this.pos - start + 4);
    this.buf.writeUInt32LE(this.pos - start, start + 4);
    this.firstId ??= id;
    this.lastId = id;
    this.lastOffset = start;
    return start;
  }

  /** The finished chunk with a consistent header and checksums. */
  finish(): Buffer {
    const b = this.buf;
    b.write("ElfChnk\0", 0, "latin1");
    for (const at of [8, 24]) b.writeBigUInt64LE(this.firstId ?? 1n, at);
    for (const at of [16, 32]) b.writeBigUInt64LE(this.lastId, at);
    b.writeUInt32LE(128, 40);
    b.writeUInt32LE(this.lastOffset, 44);
    b.writeUInt32LE(this.pos, 48);
    b.writeUInt32LE(crc32(b.subarray(CHUNK_HEADER_SIZE, this.pos)), 52);
    b.writeUInt32LE(crc32(b.subarray(128, CHUNK_HEADER_SIZE), crc32(b.subarray(0, 120))), 124);
    return b;
  }
}
