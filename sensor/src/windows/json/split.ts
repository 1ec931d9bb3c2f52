import { LineSplitter } from "../input/text.ts";
import type { ProblemUnit } from "../record.ts";

/** One JSON record's text with where it sits, or damage between records. */
export type JsonPiece = { kind: "value" | "problem"; text: string; position: number; unit: ProblemUnit };

/** Largest single record accepted; a record past this is reported and skipped, so memory stays bounded. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

const enum Mode {
  Top,
  Array,
  Value,
  Junk,
}

/**
 * Splits a JSON array or concatenated (pretty-printed) JSON values into one text per record by
 * tracking strings and nesting, never holding more than one record. Records are numbered by array
 * index inside an array and by starting line otherwise. Text that is not JSON between records is
 * reported once per line and skipped.
 */
export class JsonStreamSplitter {
  private mode = Mode.Top;
  private inArray = false;
  private line = 1;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private value = "";
  private valueLine = 0;
  private valueIndex = 0;
  private junkLine = 0;

  push(text: string): JsonPiece[] {
    const out: JsonPiece[] = [];
    let start = this.mode === Mode.Value ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.mode === Mode.Value) {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 0x5c) this.escape = true;
          else if (c === 0x22) this.inString = false;
        } else if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) this.depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (this.depth === 0) {
            // `]` closing the array right after a bare (non-object) element: end it, re-read `]`.
            this.finish(text.slice(start, i), out);
            i--;
            continue;
          }
          if (--this.depth === 0) {
            this.finish(text.slice(start, i + 1), out);
            continue;
          }
        } else if (c === 0x2c && this.depth === 0) {
          this.finish(text.slice(start, i), out);
          continue;
        }
        if (c === 0x0a) this.line++;
        continue;
      }
      if (c === 0x0a) this.line++;
      if (this.mode === Mode.Junk) {
        if (c === 0x0a) this.mode = this.inArray ? Mode.Array : Mode.Top;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue;
      if (this.mode === Mode.Array && c === 0x2c) continue;
      if (this.mode === Mode.Array && c === 0x5d) {
        this.mode = Mode.Top;
        this.inArray = false;
        continue;
      }
      if (this.mode === Mode.Top && c === 0x5b) {
        this.mode = Mode.Array;
        this.inArray = true;
        continue;
      }
      if (this.mode === Mode.Top && c !== 0x7b) {
        out.push({ kind: "problem", text: "text that is not JSON between records", position: this.line, unit: "line" });
        this.mode = Mode.Junk;
        this.junkLine = this.line;
        continue;
      }
      this.mode = Mode.Value;
      this.depth = c === 0x7b || c === 0x5b ? 1 : 0;
      this.inString = c === 0x22;
      this.escape = false;
      this.value = "";
      this.valueLine = this.line;
      this.valueIndex = this.index;
      start = i;
    }
    if (this.mode === Mode.Value) {
      this.value += text.slice(Math.max(start, 0));
      if (this.value.length > MAX_RECORD_CHARS) {
        out.push({
          ...this.where(),
          kind: "problem",
          text: `record exceeds ${MAX_RECORD_CHARS} characters (unbalanced braces or quotes?); skipped to the next line`,
        });
        if (this.inArray) this.index++;
        this.value = "";
        this.mode = Mode.Junk;
      }
    }
    return out;
  }

  /** Flushes at end of input: a record still open is truncated; an array still open is reported. */
  end(): JsonPiece[] {
    const out: JsonPiece[] = [];
    if (this.mode === Mode.Value) {
      if (this.depth === 0 && !this.inString && this.value.trim()) this.finish("", out);
      else out.push({ ...this.where(), kind: "problem", text: "input ends inside a record (truncated)" });
    }
    if (this.inArray) out.push({ kind: "problem", text: "JSON array is not closed at end of input", position: this.line, unit: "line" });
    this.value = "";
    return out;
  }

  private where(): { position: number; unit: ProblemUnit } {
    return this.inArray ? { position: this.valueIndex, unit: "index" } : { position: this.valueLine, unit: "line" };
  }

  private finish(tail: string, out: JsonPiece[]): void {
    out.push({ ...this.where(), kind: "value", text: this.value + tail });
    if (this.inArray) this.index++;
    this.value = "";
    this.mode = this.inArray ? Mode.Array : Mode.Top;
  }
}

/** JSON lines: one record per line, so a damaged line costs exactly that line. */
export class JsonLinesSplitter {
  private readonly lines = new LineSplitter();

  push(text: string): JsonPiece[] {
    const out = this.lines.push(text).flatMap((l) => piece(l));
    if (this.lines.partialLength > MAX_RECORD_CHARS) {
      out.push({
        kind: "problem",
        text: `line exceeds ${MAX_RECORD_CHARS} characters; skipped`,
        position: this.lines.dropPartial(),
        unit: "line",
      });
    }
    return out;
  }

  end(): JsonPiece[] {
    const last = this.lines.end();
    return last ? piece(last) : [];
  }
}

function piece(l: { text: string; line: number }): JsonPiece[] {
  return l.text.trim() === "" ? [] : [{ kind: "value", text: l.text, position: l.line, unit: "line" }];
}

/**
 * Chooses the splitter from the start of the text: an array, or objects whose first line is exactly
 * one object (JSON lines — a damaged line then costs only itself), or anything else (concatenated or
 * pretty-printed objects). A first line that does not parse is still JSON lines unless it splits
 * cleanly into several objects (concatenated on one line).
 */
export function chooseJsonSplitter(head: string): JsonStreamSplitter | JsonLinesSplitter {
  const body = head.replace(/^\uFEFF/, "").trimStart();
  if (body.startsWith("[")) return new JsonStreamSplitter();
  const firstLine = (body.split("\n", 1)[0] ?? "").trim();
  if (!firstLine.startsWith("{") || !firstLine.endsWith("}")) return new JsonStreamSplitter();
  try {
    JSON.parse(firstLine);
    return new JsonLinesSplitter();
  } catch {
    const probe = new JsonStreamSplitter();
    const pieces = [...probe.push(firstLine), ...probe.end()];
    return pieces.length > 1 && pieces.every((p) => p.kind === "value") ? new JsonStreamSplitter() : new JsonLinesSplitter();
  }
}
