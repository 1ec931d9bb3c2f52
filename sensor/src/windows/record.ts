/**
 * The intermediate shape every Windows reader produces (event XML, the JSON flavours, later EVTX):
 * the same fields the EVTX oracle files carry, so readers can be compared record by record.
 */
export interface WindowsRecord {
  EventRecordID?: string;
  EventID: number;
  /** ISO 8601 UTC (`…Z`), with the source's sub-second digits kept. */
  TimeCreated: string;
  Computer?: string;
  Channel?: string;
  Provider?: string;
  /** System/Security@UserID: the only actor 7045 (service install) reports. */
  UserID?: string;
  /** Named data as `Name → value`; unnamed `<Data>` as `Data_<i>`; UserData leaves flattened by name. */
  EventData: Record<string, string>;
}

/** How a problem's `position` counts: 1-based line, 0-based array index, or byte offset. */
export type ProblemUnit = "line" | "index" | "byte";

/** A malformed record (or container damage) reported instead of thrown; reading goes on. */
export interface ReadProblem {
  /** Path, `<stdin>`, or `archive.zip!member.json` for archive members. */
  file: string;
  position: number;
  unit: ProblemUnit;
  reason: string;
  /** Set when the problem comes from mapping a record that was read fine. */
  eventId?: number;
  recordId?: string;
}

export type ProblemSink = (problem: ReadProblem) => void;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/**
 * Normalizes a timestamp to ISO UTC. `zonelessOffsetMinutes` says how to read a time without a zone
 * (local time east of UTC in minutes); undefined means such a time is rejected.
 */
export function toIsoUtc(value: unknown, zonelessOffsetMinutes?: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const ms = MS_DATE.exec(text);
  if (ms) {
    const date = new Date(Number(ms[1]));
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let offset: number;
  if (!zone) {
    if (zonelessOffsetMinutes === undefined) return undefined;
    offset = zonelessOffsetMinutes;
  } else if (zone.toUpperCase() === "Z") {
    offset = 0;
  } else {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
  }
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(base) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const utc = new Date(base - offset * 60_000).toISOString().slice(0, 19);
  return `${utc}${frac ? `.${frac}` : ""}Z`;
}

/** Parses an event id given as number or decimal string; undefined when it is not a 16-bit id. */
export function toEventId(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
}

/** Turns a JSON scalar into the string form EventData holds; objects and null carry no value. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) return value.join("\n");
  return undefined;
}

/** Builds a record, or the reason it cannot be one (no usable id or time). */
export function makeRecord(
  parts: Omit<WindowsRecord, "EventID" | "TimeCreated"> & { EventID: unknown; TimeCreated: string | undefined },
): WindowsRecord | string {
  const id = toEventId(parts.EventID);
  if (id === undefined) return parts.EventID === undefined ? "no EventID" : `EventID ${JSON.stringify(parts.EventID)} is not a number`;
  if (!parts.TimeCreated) return "no usable event time";
  const record: WindowsRecord = { EventID: id, TimeCreated: parts.TimeCreated, EventData: parts.EventData };
  for (const key of ["EventRecordID", "Computer", "Channel", "Provider", "UserID"] as const) {
    const v = parts[key]?.trim();
    if (v) record[key] = v;
  }
  return record;
}
