/**
 * Reads pcap / pcapng framing (file and record headers, never a protocol) from a byte stream and
 * forwards the same format minus the frames `keep` refuses, so tshark dissects only what a mapper may
 * read. The file header, pcapng sections, interface, name-resolution, statistics and decryption-secret
 * blocks are forwarded unchanged. Anything the framing does not recognise (an unknown block type, a
 * record length no capture has, a cut header) switches to forwarding every remaining byte as it is:
 * tshark then reports the damage exactly as it would have on the whole file.
 */
import { keepsFrame } from "./prefilter.ts";

/** Largest record forwarded after framing; tshark refuses bigger ones as damage (see above). */
const MAX_RECORD = 262144;
/** Largest pcapng block judged; anything bigger is left to tshark. */
const MAX_BLOCK = 16 * 1024 * 1024;

const SHB = 0x0a0d0d0a;
const BYTE_ORDER = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PACKET = 2;
const SIMPLE_PACKET = 3;
const ENHANCED_PACKET = 6;
/** Block types tshark reads as part of the file, not as frames: name resolution, statistics, decryption secrets. */
const NON_FRAME_BLOCKS = new Set([IDB, 4, 5, 0x0a]);

type Mode = "start" | "pcap" | "pcapng" | "raw";

/**
 * Original frame numbers of the frames forwarded: tshark numbers what it reads 1, 2, 3 ..., and events
 * name frames of the capture as it is on disk (their ids must not change with the filter).
 */
export class FrameMap {
  /** Flattened runs [tshark frame, original frame]: from that tshark frame on, both advance together. */
  private runs: number[] = [];
  private head = 0;
  private forwarded = 0;
  private lastOriginal = -1;

  /** Notes that original frame `original` was forwarded (in increasing order). */
  forward(original: number): void {
    this.forwarded++;
    if (original !== this.lastOriginal + 1 || this.runs.length === this.head) this.runs.push(this.forwarded, original);
    this.lastOriginal = original;
  }

  /** Every frame from original `nextOriginal` on is forwarded unjudged. */
  forwardRest(nextOriginal: number): void {
    if (nextOriginal !== this.lastOriginal + 1 || this.runs.length === this.head) this.runs.push(this.forwarded + 1, nextOriginal);
    this.lastOriginal = Number.POSITIVE_INFINITY;
  }

  /** The original number of tshark's frame `n`; calls must come in increasing `n` (tshark's output order). */
  original(n: number): number {
    while (this.runs.length - this.head > 2 && this.runs[this.head + 2]! <= n) this.head += 2;
    if (this.head > 4096) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
    if (this.runs.length === this.head) return n;
    return this.runs[this.head + 1]! + (n - this.runs[this.head]!);
  }
}

/** Counters of one filtered capture. */
export interface CaptureFilterStats {
  /** Frames whose headers were judged (all of them unless the framing gave up). */
  frames: number;
  /** Frames not forwarded to tshark. */
  dropped: number;
  /** Why the rest of the capture was forwarded unjudged, if it was. */
  gaveUp?: string;
}

/** Incremental pcap / pcapng filter: `push` chunks in, write what it returns to tshark, then `end`. */
export class CaptureFilter {
  readonly frames = new FrameMap();
  readonly stats: CaptureFilterStats = { frames: 0, dropped: 0 };
  private mode: Mode = "start";
  private rest: Buffer = Buffer.alloc(0);
  private le = true;
  private pcapLink = 1;
  private interfaces: number[] = [];

  constructor(private readonly keep: (linkType: number, frame: Uint8Array) => boolean = keepsFrame) {}

  /** Judges the records completed by `chunk`; returns the bytes to forward, in order. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.mode === "raw") return [Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)];
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Buffer[] = [];
    let at = 0;
    // Forwarded bytes are sent as runs of consecutive kept records (one slice each, no copy).
    let runStart = 0;
    const cut = (end: number) => {
      if (end > runStart) out.push(buf.subarray(runStart, end));
    };
    for (;;) {
      const used = this.step(buf, at);
      if (used === 0) break;
      if (used < 0) {
        cut(at);
        at -= used;
        runStart = at;
      } else at += used;
      if (this.givenUp()) break;
    }
    if (this.givenUp()) {
      cut(buf.length);
      this.rest = Buffer.alloc(0);
    } else {
      cut(at);
      this.rest = Buffer.from(buf.subarray(at));
    }
    return out;
  }

  /** What is left at the end of the stream (a cut record), forwarded so tshark reports the truncation. */
  end(): Buffer[] {
    const rest = this.rest;
    this.rest = Buffer.alloc(0);
    return rest.length ? [rest] : [];
  }

  /**
   * Judges the unit at `at`: returns its length when it is forwarded, minus its length when it is
   * dropped, 0 when more bytes are needed (or the mode became raw: the caller forwards the rest).
   */
  private step(buf: Buffer, at: number): number {
    const left = buf.length - at;
    if (this.mode === "start") return this.header(buf, at, left);
    if (this.mode === "pcap") {
      if (left < 16) return 0;
      const caplen = this.u32(buf, at + 8);
      if (caplen > MAX_RECORD) return this.giveUp(`record of ${caplen} bytes`);
      if (left < 16 + caplen) return 0;
      return this.judge(this.pcapLink, buf.subarray(at + 16, at + 16 + caplen), 16 + caplen);
    }
    if (left < 12) return 0;
    const type = this.u32(buf, at);
    if (type === SHB) return this.section(buf, at, left);
    const length = this.u32(buf, at + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) return this.giveUp(`pcapng block length ${length}`);
    if (left < length) return 0;
    if (NON_FRAME_BLOCKS.has(type)) {
      if (type === IDB) this.interfaces.push(this.u16(buf, at + 8));
      return length;
    }
    if (type === ENHANCED_PACKET || type === OBSOLETE_PACKET) {
      const iface = type === ENHANCED_PACKET ? this.u32(buf, at + 8) : this.u16(buf, at + 8);
      const caplen = this.u32(buf, at + 20);
      const link = this.interfaces[iface];
      if (link === undefined || 28 + caplen > length) return this.giveUp("packet block tshark will judge");
      return this.judge(link, buf.subarray(at + 28, at + 28 + caplen), length);
    }
    if (type === SIMPLE_PACKET) {
      const link = this.interfaces[0];
      if (link === undefined) return this.giveUp("simple packet block before an interface");
      const caplen = Math.min(this.u32(buf, at + 8), length - 16);
      return this.judge(link, buf.subarray(at + 12, at + 12 + caplen), length);
    }
    return this.giveUp(`pcapng block type 0x${type.toString(16)}`);
  }

  private header(buf: Buffer, at: number, left: number): number {
    if (left < 4) return 0;
    const magic = buf.readUInt32LE(at);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
      if (left < 24) return 0;
      this.le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
      this.pcapLink = this.u32(buf, at + 20) & 0xffff;
      this.mode = "pcap";
      return 24;
    }
    if (magic === SHB) {
      this.mode = "pcapng";
      return this.section(buf, at, left);
    }
    return this.giveUp("not a pcap or pcapng header");
  }

  /** A section header block: its byte order holds until the next one; interface ids start again. */
  private section(buf: Buffer, at: number, left: number): number {
    if (left < 12) return 0;
    const order = buf.readUInt32LE(at + 8);
    if (order !== BYTE_ORDER && buf.readUInt32BE(at + 8) !== BYTE_ORDER) return this.giveUp("pcapng byte-order magic");
    this.le = order === BYTE_ORDER;
    const length = this.u32(buf, at + 4);
    if (length < 28 || length % 4 !== 0 || length > MAX_BLOCK) return this.giveUp(`pcapng section length ${length}`);
    if (left < length) return 0;
    this.interfaces = [];
    return length;
  }

  private judge(link: number, frame: Uint8Array, length: number): number {
    const n = ++this.stats.frames;
    if (this.keep(link, frame)) {
      this.frames.forward(n);
      return length;
    }
    this.stats.dropped++;
    return -length;
  }

  /** A method, not a field test: `step` may switch the mode where the compiler cannot see it. */
  private givenUp(): boolean {
    return this.mode === "raw";
  }

  private giveUp(why: string): number {
    this.stats.gaveUp = why;
    this.frames.forwardRest(this.stats.frames + 1);
    this.mode = "raw";
    return 0;
  }

  private u32(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }

  private u16(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  }
}
