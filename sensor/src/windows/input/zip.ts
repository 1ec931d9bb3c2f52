import { createReadStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { crc32, createInflateRaw } from "node:zlib";

/** One file inside a zip archive, located from the central directory. */
export interface ZipMember {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Damage to the archive itself, with the byte offset where it was found. */
export class ZipError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "ZipError";
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

/**
 * Lists an archive's members from its central directory (the authoritative index: local headers
 * may defer sizes to data descriptors). ZIP64 sizes and offsets are honoured.
 */
export async function listZipMembers(file: FileHandle, fileSize: number): Promise<ZipMember[]> {
  const tailSize = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(file, fileSize - tailSize, tailSize);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError("no end-of-central-directory record (not a zip, or truncated)", fileSize);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (
    (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) &&
    eocd >= 20 &&
    tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR
  ) {
    const recordOffset = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    const record = await readAt(file, recordOffset, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipError("ZIP64 end-of-central-directory record is missing", recordOffset);
    count = Number(record.readBigUInt64LE(32));
    cdSize = Number(record.readBigUInt64LE(40));
    cdOffset = Number(record.readBigUInt64LE(48));
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > fileSize)
    throw new ZipError("central directory lies outside the file", cdOffset);
  const cd = await readAt(file, cdOffset, cdSize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipError(`central directory entry ${n} is damaged`, cdOffset + p);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const member: ZipMember = {
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      name: cd.toString("utf8", p + 46, p + 46 + nameLength),
    };
    applyZip64(member, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    members.push(member);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** ZIP64 extra field: the 64-bit values, in order, of whichever 32-bit fields are saturated. */
function applyZip64(member: ZipMember, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q);
    const size = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      const next = () => {
        const v = r + 8 <= q + 4 + size ? Number(extra.readBigUInt64LE(r)) : undefined;
        r += 8;
        return v;
      };
      if (member.size === 0xffffffff) member.size = next() ?? member.size;
      if (member.compressedSize === 0xffffffff) member.compressedSize = next() ?? member.compressedSize;
      if (member.localHeaderOffset === 0xffffffff) member.localHeaderOffset = next() ?? member.localHeaderOffset;
      return;
    }
    q += 4 + size;
  }
}

/**
 * Streams one member's uncompressed bytes (stored or deflated), reading only its compressed span.
 * The CRC is checked at the end: a mismatch throws after the good bytes were delivered, which the
 * caller reports as damage without retracting what was read.
 */
export async function* readZipMember(
  path: string,
  file: FileHandle,
  member: ZipMember,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  if (member.flags & 0x1) throw new ZipError(`member ${member.name} is encrypted`, member.localHeaderOffset);
  if (member.method !== 0 && member.method !== 8)
    throw new ZipError(`member ${member.name} uses unsupported compression method ${member.method}`, member.localHeaderOffset);
  const header = await readAt(file, member.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL)
    throw new ZipError(`local header of ${member.name} is damaged`, member.localHeaderOffset);
  const dataStart = member.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (member.compressedSize === 0) return;
  const raw = createReadStream(path, { start: dataStart, end: dataStart + member.compressedSize - 1 });
  raw.on("data", (chunk) => onBytes(chunk.length));
  const stream = member.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  raw.on("error", (error) => stream.destroy(error));
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw new ZipError(`member ${member.name} is damaged: ${(error as Error).message}`, dataStart);
  } finally {
    raw.destroy();
  }
  if (size !== member.size || crc !== member.crc) {
    throw new ZipError(
      `member ${member.name} fails its integrity check (size ${size}/${member.size}, crc ${crc >>> 0}/${member.crc >>> 0})`,
      dataStart,
    );
  }
}

async function readAt(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}
