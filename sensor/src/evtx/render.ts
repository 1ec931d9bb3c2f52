import type { WindowsRecord } from "../windows/record.ts";
import { eventElementToRecord } from "../windows/xml/event.ts";
import type { XmlElement } from "../windows/xml/parse.ts";
import type { AttrNode, ElementNode, Node } from "./binxml.ts";

/**
 * Turns a decoded record into the same WindowsRecord the event-XML reader produces, through the
 * same field rules (System fields, EventData naming, UserData flattening), so EVTX and exported
 * XML of one log give identical records. No XML text is produced on the way.
 */
export function nodesToRecord(nodes: Node[]): WindowsRecord | string {
  const root = nodes.find((n): n is ElementNode => n.k === "el");
  if (!root) return "record holds no element";
  return eventElementToRecord(toXmlElement(root));
}

function toXmlElement(node: ElementNode): XmlElement {
  const element: XmlElement = { name: localName(node.name), attrs: {}, children: [], text: "" };
  for (const attr of node.attrs) element.attrs[localName(attr.name)] = asXmlReads(attrText(attr));
  for (const child of node.children) {
    if (child.k === "el") element.children.push(toXmlElement(child));
    else if (child.k === "text") element.text += asXmlReads(child.text);
  }
  return element;
}

/**
 * Characters XML cannot carry (C0 controls but tab / LF / CR, U+FFFE/U+FFFF) are dropped; CR LF
 * becomes LF, as every XML reader normalizes line ends. Values then equal what the event-XML
 * reader — and the oracle, which went through XML — gets from an export of the same log.
 */
function asXmlReads(value: string): string {
  const clean = stripControls(value);
  return clean.includes("\r") ? clean.replace(/\r\n?/g, "\n") : clean;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const CONTROLS = new RegExp(CONTROL.source, "g");
const stripControls = (s: string) => (CONTROL.test(s) ? s.replace(CONTROLS, "") : s);
const attrText = (attr: AttrNode) => attr.parts.map((p) => (p.k === "text" ? p.text : "")).join("");

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** The record as event XML text (for `vigil parse --xml`), escaped the way Event Viewer exports it. */
export function nodesToXml(nodes: Node[]): string {
  let out = "";
  const write = (node: Node): void => {
    switch (node.k) {
      case "el": {
        out += `<${node.name}`;
        for (const attr of node.attrs) out += ` ${attr.name}="${escapeAttr(attrText(attr))}"`;
        if (node.children.length === 0) {
          out += "/>";
          return;
        }
        out += ">";
        node.children.forEach(write);
        out += `</${node.name}>`;
        return;
      }
      case "text":
        out += node.cdata ? `<![CDATA[${stripControls(node.text).replaceAll("]]>", "]]]]><![CDATA[>")}]]>` : escapeText(node.text);
        return;
      case "pi":
        out += `<?${node.target} ${node.data}?>`;
        return;
      default:
        return;
    }
  };
  nodes.forEach(write);
  return out;
}

const escapeText = (s: string) => stripControls(s).replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
const escapeAttr = (s: string) => escapeText(s).replaceAll('"', "&quot;");
