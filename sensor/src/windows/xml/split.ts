/** A piece of an XML event stream: one `<Event>…</Event>` text, or damage found between events. */
export type XmlPiece = { kind: "event"; text: string; line: number } | { kind: "problem"; reason: string; line: number };

const START = /<(?:[A-Za-z_][\w.-]*:)?Event(?=[\s>/])/g;
const END = /<\/(?:[A-Za-z_][\w.-]*:)?Event\s*>/g;
/** What may legitimately sit between events: the XML declaration, an `<Events>` wrapper, comments. */
const WRAPPER = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(?:[\w.-]+:)?Events(?:\s[^>]*)?>|<\/(?:[\w.-]+:)?Events\s*>|<(?:[\w.-]+:)?Events\s*\/>/g;
/** Longest token that may be cut by a chunk boundary and must stay in the buffer. */
const OVERLAP = 512;

/**
 * Cuts a stream of event XML into single events without parsing the whole document: wevtutil writes
 * events with no root element, exports may or may not wrap them in `<Events>`, and a damaged or
 * truncated event must cost only itself. An event that is not closed before the next `<Event` start
 * is reported and reading resumes at that start.
 */
export class XmlEventSplitter {
  private buffer = "";
  private bufferLine = 1;
  private pos = 0;
  private start = -1;
  /** After an oversized event is dropped, its remaining text is not junk worth one problem per chunk. */
  private skipping = false;

  constructor(private readonly maxEventChars = 8 * 1024 * 1024) {}

  push(text: string): XmlPiece[] {
    this.buffer += text;
    const out: XmlPiece[] = [];
    for (;;) {
      if (this.start < 0) {
        START.lastIndex = this.pos;
        const m = START.exec(this.buffer);
        if (!m) {
          const safe = Math.max(this.pos, this.buffer.length - OVERLAP);
          const junkEnd = this.lastCompleteWrapperEnd(safe);
          this.checkJunk(this.pos, junkEnd, out);
          this.consume(junkEnd);
          return out;
        }
        this.checkJunk(this.pos, m.index, out);
        this.skipping = false;
        this.consume(m.index);
        this.start = 0;
        this.pos = 1;
      }
      const gt = this.buffer.indexOf(">", this.start);
      if (gt > 0 && this.buffer[gt - 1] === "/") {
        this.emit(gt + 1, out);
        continue;
      }
      END.lastIndex = this.pos;
      const end = END.exec(this.buffer);
      START.lastIndex = this.pos;
      const next = START.exec(this.buffer);
      if (next && (!end || next.index < end.index)) {
        out.push({ kind: "problem", reason: "event is not closed before the next <Event> starts", line: this.bufferLine });
        this.consume(next.index);
        this.start = -1;
        continue;
      }
      if (end) {
        this.emit(end.index + end[0].length, out);
        continue;
      }
      if (this.buffer.length > this.maxEventChars) {
        out.push({
          kind: "problem",
          reason: `event exceeds ${this.maxEventChars} characters without </Event>; skipped`,
          line: this.bufferLine,
        });
        this.consume(this.buffer.length);
        this.start = -1;
        this.skipping = true;
        return out;
      }
      this.pos = Math.max(1, this.buffer.length - OVERLAP);
      return out;
    }
  }

  /** Flushes at end of input: an open event is truncated, leftover text is checked. */
  end(): XmlPiece[] {
    const out: XmlPiece[] = [];
    if (this.start >= 0) out.push({ kind: "problem", reason: "input ends inside an event (truncated <Event>)", line: this.bufferLine });
    else this.checkJunk(this.pos, this.buffer.length, out);
    this.buffer = "";
    return out;
  }

  private emit(endIndex: number, out: XmlPiece[]): void {
    out.push({ kind: "event", text: this.buffer.slice(0, endIndex), line: this.bufferLine });
    this.consume(endIndex);
    this.start = -1;
    this.skipping = false;
  }

  private consume(n: number): void {
    let lines = 0;
    for (let i = this.buffer.indexOf("\n"); i >= 0 && i < n; i = this.buffer.indexOf("\n", i + 1)) lines++;
    this.bufferLine += lines;
    this.buffer = this.buffer.slice(n);
    this.pos = 0;
  }

  /** Keeps a wrapper tag that straddles the safe point whole, so it is never judged half-read. */
  private lastCompleteWrapperEnd(safe: number): number {
    const open = this.buffer.lastIndexOf("<", safe);
    if (open >= this.pos && this.buffer.indexOf(">", open) < 0) return open;
    return safe;
  }

  private checkJunk(from: number, to: number, out: XmlPiece[]): void {
    if (to <= from || this.skipping) return;
    // Blank out wrappers with same-length spaces so offsets (and line numbers) stay true.
    const rest = this.buffer.slice(from, to).replace(WRAPPER, (m) => m.replace(/[^\n]/g, " "));
    const at = rest.search(/\S/);
    if (at < 0) return;
    const line = this.bufferLine + countNewlines(this.buffer.slice(0, from + at));
    out.push({
      kind: "problem",
      reason: `unexpected text outside an <Event>: ${JSON.stringify(rest.slice(at).trim().slice(0, 60))}`,
      line,
    });
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
