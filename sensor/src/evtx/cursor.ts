/**
 * Why a chunk, record or BinXML structure cannot be decoded, with the chunk-relative offset where
 * decoding stopped. Internal to the reader: it is turned into a ReadProblem, never thrown out of the API.
 */
export class EvtxFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "EvtxFormatError";
  }
}

/**
 * A bounds-checked little-endian reader over one chunk. Every length read from the file is checked
 * against `end` before anything is sliced or allocated, so a corrupt size can only fail, never
 * allocate beyond the 64 KiB chunk.
 */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** A cursor over `[start, start + length)` of the same buffer, checked against this one's bounds. */
  sub(start: number, length: number): Cursor {
    if (start < 0 || length < 0 || start + length > this.buf.length)
      throw new EvtxFormatError(`range ${start}+${length} outside the chunk`, start);
    return new Cursor(this.buf, start, start + length);
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new EvtxFormatError(`needs ${n} bytes, ${Math.max(0, this.end - this.pos)} left`, this.pos);
  }

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  peek(): number {
    this.need(1);
    return this.buf[this.pos]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** `chars` UTF-16LE code units (no terminator). */
  utf16(chars: number): string {
    this.need(chars * 2);
    const s = this.buf.toString("utf16le", this.pos, this.pos + chars * 2);
    this.pos += chars * 2;
    return s;
  }
}
