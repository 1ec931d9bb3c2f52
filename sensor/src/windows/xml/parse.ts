/** One element of a parsed event: local name (prefix dropped), attributes, child elements, direct text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Why a chunk is not well-formed XML, with the character offset inside the chunk. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "XmlSyntaxError";
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const MAX_DEPTH = 64;

/**
 * Parses exactly one element (an `<Event>`), strictly: mismatched or unclosed tags, bad attributes,
 * unknown entities and trailing content are errors. Event exports contain no DTDs, so none is read;
 * a strict parser is what lets one damaged event be rejected without guessing at its fields.
 */
export function parseXmlElement(src: string): XmlElement {
  let i = 0;
  // Annotated so TypeScript narrows after calls to it.
  const fail: (message: string, at?: number) => never = (message, at = i) => {
    throw new XmlSyntaxError(message, at);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < src.length && isSpace(src.charCodeAt(i))) i++;
      if (src.startsWith("<?", i)) i = endOf("?>", "processing instruction");
      else if (src.startsWith("<!--", i)) i = endOf("-->", "comment");
      else return;
    }
  };
  const endOf = (terminator: string, what: string): number => {
    const at = src.indexOf(terminator, i);
    if (at < 0) fail(`unterminated ${what}`);
    return at + terminator.length;
  };
  const readName = (): string => {
    const start = i;
    while (i < src.length && isNameChar(src.charCodeAt(i))) i++;
    if (i === start) fail("expected a name");
    return src.slice(start, i);
  };
  const decode = (raw: string, at: number): string => {
    if (!raw.includes("&")) return raw;
    return raw.replace(/&([^;&\s<]*);?/g, (whole, ref: string, offset: number) => {
      if (!whole.endsWith(";")) fail("unescaped '&'", at + offset);
      if (ref.startsWith("#x") || ref.startsWith("#X")) return codePoint(Number.parseInt(ref.slice(2), 16), at + offset);
      if (ref.startsWith("#")) return codePoint(Number.parseInt(ref.slice(1), 10), at + offset);
      const named = NAMED_ENTITIES[ref];
      return named ?? fail(`unknown entity &${ref};`, at + offset);
    });
  };
  const codePoint = (n: number, at: number): string => {
    if (!Number.isInteger(n) || n < 0 || n > 0x10ffff) fail("bad character reference", at);
    return String.fromCodePoint(n);
  };
  /** Reads `<name attrs…>`; returns the element and whether it was self-closing. */
  const openTag = (): [XmlElement, boolean] => {
    i++; // "<"
    const qname = readName();
    const element: XmlElement = { name: localName(qname), attrs: {}, children: [], text: "" };
    for (;;) {
      const before = i;
      while (i < src.length && isSpace(src.charCodeAt(i))) i++;
      if (i >= src.length) fail(`unterminated start tag <${qname}>`);
      if (src.startsWith("/>", i)) return ((i += 2), [element, true]);
      if (src[i] === ">") return ((i += 1), [element, false]);
      if (i === before) fail("expected whitespace between attributes");
      const attr = readName();
      while (isSpace(src.charCodeAt(i))) i++;
      if (src[i] !== "=") fail(`attribute ${attr} has no value`);
      i++;
      while (isSpace(src.charCodeAt(i))) i++;
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} value is not quoted`);
      const close = src.indexOf(quote, i + 1);
      if (close < 0) fail(`unterminated value of attribute ${attr}`);
      const raw = src.slice(i + 1, close);
      if (raw.includes("<")) fail(`'<' inside the value of attribute ${attr}`, i + 1);
      element.attrs[localName(attr)] = decode(raw, i + 1);
      i = close + 1;
    }
  };

  skipMisc();
  if (src[i] !== "<") fail("expected an element");
  const [root, rootClosed] = openTag();
  const stack: { element: XmlElement; qname: string }[] = [];
  if (!rootClosed) stack.push({ element: root, qname: root.name });
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const lt = src.indexOf("<", i);
    if (lt < 0) fail(`element <${top.qname}> is not closed`, src.length);
    if (lt > i) top.element.text += decode(src.slice(i, lt), i);
    i = lt;
    if (src.startsWith("<!--", i)) i = endOf("-->", "comment");
    else if (src.startsWith("<![CDATA[", i)) {
      const end = endOf("]]>", "CDATA section");
      top.element.text += src.slice(i + 9, end - 3);
      i = end;
    } else if (src.startsWith("<?", i)) i = endOf("?>", "processing instruction");
    else if (src.startsWith("</", i)) {
      i += 2;
      const name = localName(readName());
      while (isSpace(src.charCodeAt(i))) i++;
      if (src[i] !== ">") fail(`malformed end tag </${name}`);
      if (name !== top.element.name) fail(`end tag </${name}> does not match <${top.qname}>`);
      i++;
      stack.pop();
    } else if (src.startsWith("<!", i)) fail("declarations are not allowed inside an event");
    else {
      const [child, closed] = openTag();
      top.element.children.push(child);
      if (!closed) {
        if (stack.length >= MAX_DEPTH) fail("elements nested too deeply");
        stack.push({ element: child, qname: child.name });
      }
    }
  }
  skipMisc();
  if (i < src.length) fail("content after the end of the event");
  return root;
}

/** The first child element with this local name. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** All text below an element, child elements' text joined by newlines (legacy `<Data><string>` forms). */
export function deepText(element: XmlElement): string {
  if (element.children.length === 0) return element.text;
  const parts = [element.text.trim(), ...element.children.map(deepText)].filter((p) => p !== "");
  return parts.join("\n");
}

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameChar(c: number): boolean {
  // Letters, digits and . - _ : plus anything non-ASCII; enough for event schemas.
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2e ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x3a ||
    c > 0x7f
  );
}
