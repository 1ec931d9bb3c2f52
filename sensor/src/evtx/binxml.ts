import { Cursor, EvtxFormatError } from "./cursor.ts";
import { CHUNK_HEADER_SIZE } from "./layout.ts";
import { parseTemplateInstance } from "./template.ts";

/** A decoded BinXML node. Templates hold `sub` placeholders; rendered records never do. */
export type Node = ElementNode | TextNode | SubstNode | PiNode;
export interface ElementNode {
  k: "el";
  name: string;
  attrs: AttrNode[];
  children: Node[];
}
export interface AttrNode {
  name: string;
  parts: (TextNode | SubstNode)[];
}
export interface TextNode {
  k: "text";
  text: string;
  cdata?: boolean;
}
export interface SubstNode {
  k: "sub";
  index: number;
  optional: boolean;
}
export interface PiNode {
  k: "pi";
  target: string;
  data: string;
}

/**
 * Per-chunk decoding state: names and templates are referenced by chunk offset and shared by the
 * chunk's records, so they are decoded once per chunk. `budget` bounds the work one record may
 * cause: templates can reference templates, so without it a few crafted bytes could expand
 * exponentially (a BinXML "billion laughs").
 */
export interface ChunkContext {
  buf: Buffer;
  names: Map<number, string>;
  /** Compiled template bodies by definition offset; `null` while being compiled (cycle guard). */
  templates: Map<number, Node[] | null | EvtxFormatError>;
  budget: number;
}

/** Units (nodes, or 64 characters of text) one record may produce: far above any real event. */
export const RECORD_BUDGET = 200_000;
const MAX_DEPTH = 48;

export const TOKEN = {
  EOF: 0x00,
  OpenStart: 0x01,
  CloseStart: 0x02,
  CloseEmpty: 0x03,
  End: 0x04,
  Value: 0x05,
  Attr: 0x06,
  CData: 0x07,
  CharRef: 0x08,
  EntityRef: 0x09,
  PiTarget: 0x0a,
  PiData: 0x0b,
  TemplateInstance: 0x0c,
  NormalSub: 0x0d,
  OptionalSub: 0x0e,
  Fragment: 0x0f,
} as const;
/** Flag on element, value, attribute and reference tokens: "more of the same follows". */
const MORE = 0x40;

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function spend(ctx: ChunkContext, units: number): void {
  ctx.budget -= units;
  if (ctx.budget < 0) throw new EvtxFormatError(`record expands beyond ${RECORD_BUDGET} nodes`, 0);
}

/** A document or fragment: optional PIs, fragment headers, elements or template instances, up to EOF. */
export function parseDocument(c: Cursor, ctx: ChunkContext, depth: number): Node[] {
  if (depth > MAX_DEPTH) throw new EvtxFormatError("BinXML nested too deeply", c.pos);
  const out: Node[] = [];
  while (c.left > 0) {
    const token = c.peek();
    switch (token & ~MORE) {
      case TOKEN.EOF:
        c.pos++;
        return out;
      case TOKEN.Fragment:
        c.skip(4);
        break;
      case TOKEN.OpenStart:
        out.push(parseElement(c, ctx, depth + 1));
        break;
      case TOKEN.TemplateInstance:
        for (const n of parseTemplateInstance(c, ctx, depth + 1)) out.push(n);
        break;
      case TOKEN.PiTarget:
        out.push(parsePi(c, ctx));
        break;
      default:
        throw new EvtxFormatError(`unexpected token 0x${token.toString(16)} where an element was expected`, c.pos);
    }
  }
  return out;
}

function parseElement(c: Cursor, ctx: ChunkContext, depth: number): ElementNode {
  if (depth > MAX_DEPTH) throw new EvtxFormatError("elements nested too deeply", c.pos);
  const token = c.u8();
  if (hasDependencyId(c)) c.skip(2);
  const size = c.u32();
  if (size > c.left) throw new EvtxFormatError(`element claims ${size} bytes, ${c.left} left`, c.pos);
  const element: ElementNode = { k: "el", name: readName(c, ctx), attrs: [], children: [] };
  spend(ctx, 1);
  if (token & MORE) {
    const listSize = c.u32();
    if (listSize > c.left) throw new EvtxFormatError(`attribute list claims ${listSize} bytes, ${c.left} left`, c.pos);
    const listEnd = c.pos + listSize;
    while (c.pos < listEnd) {
      const at = c.pos;
      if ((c.u8() & ~MORE) !== TOKEN.Attr) throw new EvtxFormatError("expected an attribute", at);
      const name = readName(c, ctx);
      element.attrs.push({ name, parts: parseParts(c, ctx, listEnd) });
      spend(ctx, 1);
    }
  }
  const close = c.u8();
  if (close === TOKEN.CloseEmpty) return element;
  if (close !== TOKEN.CloseStart)
    throw new EvtxFormatError(`expected the end of <${element.name}>'s start tag, found 0x${close.toString(16)}`, c.pos - 1);
  for (;;) {
    const next = c.peek();
    switch (next & ~MORE) {
      case TOKEN.End:
        c.pos++;
        return element;
      case TOKEN.OpenStart:
        element.children.push(parseElement(c, ctx, depth + 1));
        break;
      case TOKEN.TemplateInstance:
        for (const n of parseTemplateInstance(c, ctx, depth + 1)) element.children.push(n);
        break;
      case TOKEN.PiTarget:
        element.children.push(parsePi(c, ctx));
        break;
      default:
        element.children.push(parsePart(c, ctx));
    }
  }
}

/**
 * The dependency id is present in element starts inside records and templates, but not when an
 * element opens a nested BinXML value directly (libyal's notes). Decided by which layout puts
 * the name offset at a plausible place: right behind itself (inline name) or earlier in the chunk.
 */
function hasDependencyId(c: Cursor): boolean {
  if (c.left < 10) return true;
  const plausible = (nameAt: number) => {
    const offset = c.buf.readUInt32LE(nameAt);
    return offset === nameAt + 4 || (offset >= CHUNK_HEADER_SIZE && offset < nameAt);
  };
  return plausible(c.pos + 6) || !plausible(c.pos + 4);
}

/** An attribute value: text, references and substitutions up to the next attribute or tag end. */
function parseParts(c: Cursor, ctx: ChunkContext, end: number): (TextNode | SubstNode)[] {
  const parts: (TextNode | SubstNode)[] = [];
  while (c.pos < end && isPart(c.peek())) parts.push(parsePart(c, ctx));
  return parts;
}

function isPart(token: number): boolean {
  const t = token & ~MORE;
  return (
    t === TOKEN.Value ||
    t === TOKEN.CharRef ||
    t === TOKEN.EntityRef ||
    t === TOKEN.CData ||
    t === TOKEN.NormalSub ||
    t === TOKEN.OptionalSub
  );
}

function parsePart(c: Cursor, ctx: ChunkContext): TextNode | SubstNode {
  const at = c.pos;
  const token = c.u8();
  switch (token & ~MORE) {
    case TOKEN.Value: {
      const type = c.u8();
      if (type !== 0x01) throw new EvtxFormatError(`value token of type 0x${type.toString(16)}, only strings are defined`, at);
      return text(ctx, c.utf16(c.u16()));
    }
    case TOKEN.CData:
      return { ...text(ctx, c.utf16(c.u16())), cdata: true };
    case TOKEN.CharRef:
      return text(ctx, String.fromCharCode(c.u16()));
    case TOKEN.EntityRef: {
      const name = readName(c, ctx);
      return text(ctx, ENTITIES[name] ?? `&${name};`);
    }
    case TOKEN.NormalSub:
    case TOKEN.OptionalSub: {
      const index = c.u16();
      c.u8(); // the declared type; the value's own descriptor is what counts
      spend(ctx, 1);
      return { k: "sub", index, optional: token === TOKEN.OptionalSub };
    }
    default:
      throw new EvtxFormatError(`unexpected token 0x${token.toString(16)} in element content`, at);
  }
}

function parsePi(c: Cursor, ctx: ChunkContext): PiNode {
  c.u8();
  const target = readName(c, ctx);
  const at = c.pos;
  if (c.u8() !== TOKEN.PiData) throw new EvtxFormatError("processing instruction without data", at);
  spend(ctx, 1);
  return { k: "pi", target, data: c.utf16(c.u16()) };
}

export function text(ctx: ChunkContext, value: string): TextNode {
  spend(ctx, 1 + (value.length >> 6));
  return { k: "text", text: value };
}

/**
 * A name is stored once per chunk, in full where first used (its offset then points right behind
 * the offset field) and by offset afterwards: next-name link, hash, length, UTF-16, terminator.
 */
function readName(c: Cursor, ctx: ChunkContext): string {
  const offset = c.u32();
  if (offset === c.pos) {
    c.skip(6);
    const name = c.utf16(c.u16());
    c.skip(2);
    ctx.names.set(offset, name);
    return name;
  }
  const known = ctx.names.get(offset);
  if (known !== undefined) return known;
  if (offset < CHUNK_HEADER_SIZE || offset > ctx.buf.length - 8)
    throw new EvtxFormatError(`name offset 0x${offset.toString(16)} outside the chunk's records`, c.pos - 4);
  const at = new Cursor(ctx.buf, offset + 6, ctx.buf.length);
  const name = at.utf16(at.u16());
  ctx.names.set(offset, name);
  return name;
}
