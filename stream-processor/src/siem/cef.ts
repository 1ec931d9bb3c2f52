/**
 * ArcSight Common Event Format lines in Defender for Identity's layout (mdi-catalog §8), so SIEM
 * parsers written for MDI read Vigil's output unchanged:
 *
 *   CEF:0|Vendor|Product|Version|<class>|<name>|<3|5|10>|start=… suser=… shost=… msg=… externalId=… cs1Label=url cs1=…
 *
 * Escaping follows the CEF specification: in the header `\` and `|` are escaped and line breaks are
 * not allowed (replaced by a space); in extension values `\`, `=` and line breaks (`\n`, `\r`) are
 * escaped. MDI also writes URL colons as `\:` (its sample `cs1=https\://…`); we do the same for the
 * URL field only, because MDI-specific parsers expect it there. Values come from alerts whose text is
 * partly attacker-controlled (account and host names), so nothing unescaped ever reaches the line.
 */
import { CefFormatError } from "./errors.ts";

/** CEF severity as MDI uses it: low 3, medium 5, high 10. */
export const CEF_SEVERITY = { low: 3, medium: 5, high: 10 } as const;

/** One CEF record before rendering; extension order is kept (MDI parsers do not depend on it, humans do). */
export interface CefRecord {
  vendor: string;
  product: string;
  version: string;
  /** Device event class id (MDI: the alert class name, e.g. `BruteForceSecurityAlert`). */
  classId: string;
  name: string;
  severity: number;
  /** Key/value pairs; undefined values are left out. */
  extensions: ReadonlyArray<readonly [key: string, value: string | number | undefined]>;
}

/** Keys MDI writes with colons escaped (the alert / health page URL). */
const COLON_ESCAPED_KEYS = new Set(["cs1"]);
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Escapes a header field: backslash and pipe; line breaks become spaces (they would end the record). */
export function escapeHeader(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r\n|[\r\n]/g, " ");
}

/** Escapes an extension value: backslash, equals sign and line breaks; optionally colons (MDI's URL field). */
export function escapeExtension(value: string, escapeColons = false): string {
  let out = value.replace(/\\/g, "\\\\").replace(/=/g, "\\=").replace(/\r\n/g, "\\n").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  if (escapeColons) out = out.replace(/:/g, "\\:");
  return out;
}

/** Renders a record as one CEF line (no trailing newline). Throws CefFormatError on an invalid key or severity. */
export function formatCef(record: CefRecord): string {
  if (!Number.isInteger(record.severity) || record.severity < 0 || record.severity > 10) {
    throw new CefFormatError(`severity must be an integer 0-10, got ${record.severity}`);
  }
  const header = [record.vendor, record.product, record.version, record.classId, record.name].map(escapeHeader);
  const ext: string[] = [];
  for (const [key, value] of record.extensions) {
    if (!KEY.test(key)) throw new CefFormatError(`extension key ${JSON.stringify(key)} is not alphanumeric`);
    if (value === undefined) continue;
    ext.push(`${key}=${escapeExtension(String(value), COLON_ESCAPED_KEYS.has(key))}`);
  }
  return `CEF:0|${header.join("|")}|${record.severity}|${ext.join(" ")}`;
}

/** MDI's `start` format: ISO 8601 UTC with a 7-digit fraction (`2018-02-21T14:19:02.6045416Z`). */
export function cefTime(iso: string | Date): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) throw new CefFormatError(`not a time: ${String(iso)}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

/** A parsed CEF line: the seven header fields and the unescaped extensions. */
export interface ParsedCef {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  classId: string;
  name: string;
  severity: string;
  extensions: Record<string, string>;
}

/**
 * Parses a CEF line back (what a SIEM does). Used by the tests against what a real syslog receiver
 * stored; strict, so an escaping bug shows up as a wrong field rather than being tolerated.
 */
export function parseCef(line: string): ParsedCef {
  const start = line.indexOf("CEF:");
  if (start < 0) throw new CefFormatError("no CEF: prefix");
  const text = line.slice(start + 4);
  const header: string[] = [];
  let field = "";
  let i = 0;
  for (; i < text.length && header.length < 7; i++) {
    const c = text[i]!;
    if (c === "\\" && (text[i + 1] === "|" || text[i + 1] === "\\")) field += text[++i];
    else if (c === "|") {
      header.push(field);
      field = "";
    } else field += c;
  }
  if (header.length < 7) throw new CefFormatError(`header has ${header.length} of 7 fields`);
  const [version, vendor, product, deviceVersion, classId, name, severity] = header as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { version, vendor, product, deviceVersion, classId, name, severity, extensions: parseExtensions(text.slice(i)) };
}

function parseExtensions(text: string): Record<string, string> {
  // A key is a word followed by an unescaped `=`; its value runs to the space before the next key.
  const keyAt = /(?:^| )([A-Za-z][A-Za-z0-9_]*)=/g;
  const keys: { key: string; start: number; valueStart: number }[] = [];
  for (let m = keyAt.exec(text); m; m = keyAt.exec(text)) {
    if (isEscaped(text, m.index + m[0].length - 1)) continue;
    keys.push({ key: m[1]!, start: m.index, valueStart: m.index + m[0].length });
  }
  const out: Record<string, string> = {};
  keys.forEach((k, n) => {
    const end = n + 1 < keys.length ? keys[n + 1]!.start : text.length;
    out[k.key] = unescapeExtension(text.slice(k.valueStart, end));
  });
  return out;
}

function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; j >= 0 && text[j] === "\\"; j--) backslashes++;
  return backslashes % 2 === 1;
}

function unescapeExtension(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
}
