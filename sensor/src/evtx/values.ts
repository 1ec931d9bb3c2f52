import { EvtxFormatError } from "./cursor.ts";

/** BinXML value types ([MS-EVEN6] 2.2.x; libyal's EVTX notes, "Value types"). 0x80 marks an array. */
export const VT = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  Array: 0x80,
} as const;

/** Fixed element sizes, for scalars and for splitting arrays. */
const FIXED: Record<number, number> = {
  [VT.Int8]: 1,
  [VT.UInt8]: 1,
  [VT.Int16]: 2,
  [VT.UInt16]: 2,
  [VT.Int32]: 4,
  [VT.UInt32]: 4,
  [VT.Int64]: 8,
  [VT.UInt64]: 8,
  [VT.Real32]: 4,
  [VT.Real64]: 8,
  [VT.Bool]: 4,
  [VT.Guid]: 16,
  [VT.FileTime]: 8,
  [VT.SysTime]: 16,
  [VT.HexInt32]: 4,
  [VT.HexInt64]: 8,
};

const FILETIME_UNIX_EPOCH = 116444736000000000n;
const TICKS_PER_SECOND = 10_000_000n;

/**
 * Renders one substitution value as text. Formatting follows the oracle (python-evtx), derived from
 * the attack samples: GUIDs lowercase in braces, hex integers zero-padded lowercase (`0x0012019f`),
 * booleans `True`/`False`, binary in base64, floats as Python prints them, and an array as one
 * value of `<string>item</string>\n` per item (the legacy insertion strings of classic events).
 * Times keep the file's full 100 ns precision (`…36.2195347Z`, as Windows renders them) instead of
 * the oracle's microseconds, which it rounds through a double.
 */
export function formatValue(buf: Buffer, start: number, size: number, type: number): string {
  if (type & VT.Array)
    return formatArray(buf, start, size, type & ~VT.Array)
      .map((item) => `<string>${item}</string>\n`)
      .join("");
  const end = start + size;
  switch (type) {
    case VT.Null:
      return "";
    case VT.String:
      return stripNul(buf.toString("utf16le", start, end - (size & 1)));
    case VT.AnsiString:
    case VT.EvtXml:
      return stripNul(type === VT.EvtXml ? buf.toString("utf16le", start, end - (size & 1)) : buf.toString("latin1", start, end));
    case VT.Binary:
      return buf.toString("base64", start, end);
    case VT.Sid:
      return formatSid(buf, start, size);
    case VT.SizeT:
    case VT.EvtHandle:
      if (size === 4) return hex(buf.readUInt32LE(start), 8);
      if (size === 8) return hex64(buf, start);
      throw new EvtxFormatError(`value of type 0x${type.toString(16)} has size ${size}`, start);
    default: {
      const width = FIXED[type];
      if (width === undefined) throw new EvtxFormatError(`unknown value type 0x${type.toString(16)}`, start);
      if (size < width) throw new EvtxFormatError(`value of type 0x${type.toString(16)} has size ${size}, needs ${width}`, start);
      return formatFixed(buf, start, type);
    }
  }
}

function formatFixed(buf: Buffer, at: number, type: number): string {
  switch (type) {
    case VT.Int8:
      return String(buf.readInt8(at));
    case VT.UInt8:
      return String(buf[at]);
    case VT.Int16:
      return String(buf.readInt16LE(at));
    case VT.UInt16:
      return String(buf.readUInt16LE(at));
    case VT.Int32:
      return String(buf.readInt32LE(at));
    case VT.UInt32:
      return String(buf.readUInt32LE(at));
    case VT.Int64:
      return String(buf.readBigInt64LE(at));
    case VT.UInt64:
      return String(buf.readBigUInt64LE(at));
    case VT.Real32:
      return pythonFloat(buf.readFloatLE(at));
    case VT.Real64:
      return pythonFloat(buf.readDoubleLE(at));
    case VT.Bool:
      return buf.readUInt32LE(at) !== 0 ? "True" : "False";
    case VT.Guid:
      return formatGuid(buf, at);
    case VT.FileTime:
      return formatFiletime(buf.readBigUInt64LE(at));
    case VT.SysTime:
      return formatSystemtime(buf, at);
    case VT.HexInt32:
      return hex(buf.readUInt32LE(at), 8);
    default:
      return hex64(buf, at);
  }
}

/** Array items: strings are NUL-separated (empty ones dropped); fixed-size types split evenly; SIDs follow one another. */
export function formatArray(buf: Buffer, start: number, size: number, type: number): string[] {
  const end = start + size;
  if (type === VT.String || type === VT.AnsiString) {
    const text = type === VT.String ? buf.toString("utf16le", start, end - (size & 1)) : buf.toString("latin1", start, end);
    return text.split("\0").filter((item) => item !== "");
  }
  if (type === VT.Sid) {
    const items: string[] = [];
    for (let at = start; at + 8 <= end;) {
      const length = 8 + 4 * buf[at + 1]!;
      if (at + length > end) throw new EvtxFormatError("SID array item runs past its value", at);
      items.push(formatSid(buf, at, length));
      at += length;
    }
    return items;
  }
  const width = type === VT.SizeT || type === VT.EvtHandle ? (size % 8 === 0 ? 8 : 4) : FIXED[type];
  if (width === undefined) return [buf.toString("base64", start, end)];
  const items: string[] = [];
  for (let at = start; at + width <= end; at += width) {
    items.push(
      type === VT.SizeT || type === VT.EvtHandle
        ? width === 8
          ? hex64(buf, at)
          : hex(buf.readUInt32LE(at), 8)
        : formatFixed(buf, at, type),
    );
  }
  return items;
}

/** Windows strips the terminator some writers count in the size; XML cannot carry NUL anyway. */
function stripNul(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, "0")}`;
}

function hex64(buf: Buffer, at: number): string {
  return `0x${buf
    .readUInt32LE(at + 4)
    .toString(16)
    .padStart(8, "0")}${buf.readUInt32LE(at).toString(16).padStart(8, "0")}`;
}

/** `{data1-data2-data3-data4}` with the first three fields little-endian. */
export function formatGuid(buf: Buffer, at: number): string {
  const h = (from: number, to: number) => buf.toString("hex", from, to);
  const d1 = buf.readUInt32LE(at).toString(16).padStart(8, "0");
  const d2 = buf
    .readUInt16LE(at + 4)
    .toString(16)
    .padStart(4, "0");
  const d3 = buf
    .readUInt16LE(at + 6)
    .toString(16)
    .padStart(4, "0");
  return `{${d1}-${d2}-${d3}-${h(at + 8, at + 10)}-${h(at + 10, at + 16)}}`;
}

/** `S-<revision>-<authority>-<sub>…`; the 48-bit authority is big-endian, shown in hex when ≥ 2^32. */
export function formatSid(buf: Buffer, at: number, size: number): string {
  if (size < 8) throw new EvtxFormatError(`SID of ${size} bytes`, at);
  const count = buf[at + 1]!;
  if (8 + 4 * count > size) throw new EvtxFormatError(`SID claims ${count} sub-authorities in ${size} bytes`, at);
  const high = buf.readUInt16BE(at + 2);
  const low = buf.readUInt32BE(at + 4);
  const authority = high === 0 ? String(low) : `0x${buf.toString("hex", at + 2, at + 8).toUpperCase()}`;
  let sid = `S-${buf[at]}-${authority}`;
  for (let i = 0; i < count; i++) sid += `-${buf.readUInt32LE(at + 8 + 4 * i)}`;
  return sid;
}

/** FILETIME (100 ns ticks since 1601, UTC) as ISO 8601 with all seven sub-second digits. */
export function formatFiletime(ticks: bigint): string {
  const sinceEpoch = ticks - FILETIME_UNIX_EPOCH;
  let seconds = sinceEpoch / TICKS_PER_SECOND;
  let frac = sinceEpoch % TICKS_PER_SECOND;
  if (frac < 0n) {
    frac += TICKS_PER_SECOND;
    seconds -= 1n;
  }
  return `${isoSeconds(Number(seconds) * 1000)}.${frac.toString().padStart(7, "0")}Z`;
}

/** SYSTEMTIME (year, month, weekday, day, hour, minute, second, millisecond) as ISO 8601 UTC. */
function formatSystemtime(buf: Buffer, at: number): string {
  const f = (i: number, width: number) => String(buf.readUInt16LE(at + 2 * i)).padStart(width, "0");
  return `${f(0, 4)}-${f(1, 2)}-${f(3, 2)}T${f(4, 2)}:${f(5, 2)}:${f(6, 2)}.${f(7, 3)}Z`;
}

function isoSeconds(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "invalid-time" : date.toISOString().slice(0, -5);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}.${fraction || "0"}`;
}
