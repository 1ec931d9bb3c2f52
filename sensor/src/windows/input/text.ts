import { TextDecoder } from "node:util";

/** Text encodings Windows exports come in: PowerShell 5.1 redirection writes UTF-16LE with a BOM. */
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be";

/** Picks the encoding from a BOM, or from NUL bytes next to ASCII for BOM-less UTF-16. */
export function sniffEncoding(head: Uint8Array): TextEncodingName {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  if (head.length >= 2 && head[0] !== 0 && head[1] === 0) return "utf-16le";
  if (head.length >= 2 && head[0] === 0 && head[1] !== 0) return "utf-16be";
  return "utf-8";
}

/** Decodes a byte stream to text chunks, sniffing the encoding from the first bytes; BOMs are dropped. */
export async function* decodeChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    if (!decoder) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < 4) continue;
      const head = concat(pending);
      pending = [];
      decoder = new TextDecoder(sniffEncoding(head));
      yield decoder.decode(head, { stream: true });
      continue;
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  if (!decoder) {
    const head = concat(pending);
    if (head.length === 0) return;
    decoder = new TextDecoder(sniffEncoding(head));
    yield decoder.decode(head, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Splits text chunks into lines (CRLF or LF), numbering them from 1; the last line may lack a newline. */
export class LineSplitter {
  private partial = "";
  private next = 1;
  /** Set after an overlong line was dropped: the rest of it, up to its newline, is skipped. */
  private discarding = false;

  push(text: string): { text: string; line: number }[] {
    const out: { text: string; line: number }[] = [];
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      if (this.discarding) {
        this.discarding = false;
      } else {
        const piece = this.partial + text.slice(from, nl);
        out.push({ text: piece.endsWith("\r") ? piece.slice(0, -1) : piece, line: this.next++ });
      }
      this.partial = "";
      from = nl + 1;
    }
    if (!this.discarding) this.partial += text.slice(from);
    return out;
  }

  /** The unterminated last line, if any. */
  end(): { text: string; line: number } | undefined {
    if (this.partial === "" || this.discarding) return undefined;
    const last = { text: this.partial.endsWith("\r") ? this.partial.slice(0, -1) : this.partial, line: this.next++ };
    this.partial = "";
    return last;
  }

  /** Length of the line being accumulated, to stop a line that never ends from filling memory. */
  get partialLength(): number {
    return this.partial.length;
  }

  /** Drops the line being accumulated (the caller reports it) and returns its number. */
  dropPartial(): number {
    this.partial = "";
    this.discarding = true;
    return this.next++;
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
