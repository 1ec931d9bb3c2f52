import {
  parseDocument,
  spend,
  text,
  TOKEN,
  type AttrNode,
  type ChunkContext,
  type ElementNode,
  type Node,
  type SubstNode,
  type TextNode,
} from "./binxml.ts";
import { Cursor, EvtxFormatError } from "./cursor.ts";
import { CHUNK_HEADER_SIZE } from "./layout.ts";
import { formatValue, VT } from "./values.ts";

/** One substitution value of a template instance: where its bytes are in the chunk, and its type. */
interface Value {
  type: number;
  start: number;
  size: number;
}

/** Definition header before the body: next-definition link, template GUID, body size. */
const DEFINITION_HEADER = 24;
const MAX_VALUES = 4096;

/**
 * A template instance: the template (defined inline the first time a chunk uses it, referenced by
 * offset afterwards) and the values for its substitutions. Returns the filled-in nodes.
 */
export function parseTemplateInstance(c: Cursor, ctx: ChunkContext, depth: number): Node[] {
  const at = c.pos;
  if ((c.u8() & 0x1f) !== TOKEN.TemplateInstance) throw new EvtxFormatError("expected a template instance", at);
  c.skip(5); // version byte, template id (the GUID in the definition identifies it too)
  const definition = c.u32();
  let body: Node[];
  if (definition === c.pos) {
    c.skip(DEFINITION_HEADER - 4);
    const size = c.u32();
    const start = c.pos;
    c.skip(size);
    body = compile(ctx, definition, start, size, depth);
  } else {
    body = templateAt(ctx, definition, depth);
  }
  return instantiate(body, readValues(c), ctx, depth);
}

function readValues(c: Cursor): Value[] {
  const count = c.u32();
  if (count > MAX_VALUES || count * 4 > c.left) throw new EvtxFormatError(`template instance claims ${count} values`, c.pos - 4);
  const values: Value[] = new Array<Value>(count);
  for (let i = 0; i < count; i++) {
    const size = c.u16();
    const type = c.u8();
    c.skip(1);
    values[i] = { type, start: 0, size };
  }
  for (const value of values) {
    value.start = c.pos;
    c.skip(value.size);
  }
  return values;
}

function templateAt(ctx: ChunkContext, offset: number, depth: number): Node[] {
  const known = ctx.templates.get(offset);
  if (known !== undefined) return unwrap(known, offset);
  if (offset < CHUNK_HEADER_SIZE || offset + DEFINITION_HEADER > ctx.buf.length)
    throw new EvtxFormatError(`template offset 0x${offset.toString(16)} outside the chunk's records`, offset);
  const size = ctx.buf.readUInt32LE(offset + 20);
  return compile(ctx, offset, offset + DEFINITION_HEADER, size, depth);
}

/** Decodes a template body once per chunk; a failure is remembered so each user reports it cheaply. */
function compile(ctx: ChunkContext, offset: number, start: number, size: number, depth: number): Node[] {
  const known = ctx.templates.get(offset);
  if (known !== undefined) return unwrap(known, offset);
  if (start + size > ctx.buf.length)
    throw new EvtxFormatError(`template at 0x${offset.toString(16)} claims ${size} bytes past the chunk end`, offset);
  ctx.templates.set(offset, null);
  try {
    const body = parseDocument(new Cursor(ctx.buf, start, start + size), ctx, depth + 1);
    ctx.templates.set(offset, body);
    return body;
  } catch (error) {
    const failure = error instanceof EvtxFormatError ? error : new EvtxFormatError(String(error), start);
    ctx.templates.set(offset, new EvtxFormatError(`template at 0x${offset.toString(16)}: ${failure.message}`, failure.offset));
    throw failure;
  }
}

function unwrap(known: Node[] | null | EvtxFormatError, offset: number): Node[] {
  if (known === null) throw new EvtxFormatError(`template at 0x${offset.toString(16)} contains itself`, offset);
  if (known instanceof EvtxFormatError) throw known;
  return known;
}

function instantiate(nodes: Node[], values: Value[], ctx: ChunkContext, depth: number): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    if (node.k === "el") out.push(fillElement(node, values, ctx, depth));
    else if (node.k === "sub") {
      for (const n of substitute(node, values, ctx, depth)) out.push(n);
    } else {
      spend(ctx, 1);
      out.push(node);
    }
  }
  return out;
}

/**
 * Fills one element. An optional substitution with no value drops its attribute (`<Security/>`
 * without UserID), while an element keeps existing with empty content, as Windows renders both.
 */
function fillElement(element: ElementNode, values: Value[], ctx: ChunkContext, depth: number): ElementNode {
  spend(ctx, 1);
  const attrs: AttrNode[] = [];
  for (const attr of element.attrs) {
    const only = attr.parts.length === 1 ? attr.parts[0] : undefined;
    if (only?.k === "sub" && isEmpty(valueOf(only, values))) continue;
    const value = attr.parts.map((p) => (p.k === "sub" ? valueText(valueOf(p, values), ctx) : p.text)).join("");
    attrs.push({ name: attr.name, parts: [text(ctx, value)] });
  }
  return { k: "el", name: element.name, attrs, children: instantiate(element.children, values, ctx, depth) };
}

function substitute(sub: SubstNode, values: Value[], ctx: ChunkContext, depth: number): Node[] {
  const value = valueOf(sub, values);
  if (isEmpty(value)) return [];
  if (value.type === VT.BinXml) return parseDocument(new Cursor(ctx.buf, value.start, value.start + value.size), ctx, depth + 1);
  return [text(ctx, valueText(value, ctx))];
}

function valueOf(sub: SubstNode, values: Value[]): Value {
  const value = values[sub.index];
  if (!value) throw new EvtxFormatError(`substitution ${sub.index} of a template instance with ${values.length} values`, 0);
  return value;
}

function isEmpty(value: Value): boolean {
  return value.type === VT.Null || value.size === 0;
}

function valueText(value: Value, ctx: ChunkContext): string {
  if (isEmpty(value)) return "";
  if (value.type === VT.BinXml) return textOf(parseDocument(new Cursor(ctx.buf, value.start, value.start + value.size), ctx, 1));
  return formatValue(ctx.buf, value.start, value.size, value.type);
}

function textOf(nodes: Node[]): string {
  return nodes.map((n) => (n.k === "text" ? (n as TextNode).text : n.k === "el" ? textOf(n.children) : "")).join("");
}
