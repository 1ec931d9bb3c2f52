import { describe, expect, it } from "vitest";
import { formatFiletime, formatValue, pythonFloat, VT } from "./values.ts";

/** Value rendering, one case per type: the oracle's formats (python-evtx), times at full precision. */
const le = (bytes: number, value: number | bigint) => {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
  else b.writeUIntLE(Number(value) >>> 0 === value ? Number(value) : Number(value) & (2 ** (8 * bytes) - 1), 0, bytes);
  return b;
};
const show = (type: number, bytes: Buffer) => formatValue(Buffer.concat([Buffer.alloc(3), bytes]), 3, bytes.length, type);
const utf16 = (s: string) => Buffer.from(s, "utf16le");

/** S-1-5-21-1-2-3-500 */
const SID = Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 0x01, 0, 0]);
/** {4f32adc8-6052-4a04-8701-293ccf2096f0} */
const GUID = Buffer.from("c8ad324f5260044a8701293ccf2096f0", "hex");

describe("EVTX value types", () => {
  it.each([
    ["null", VT.Null, Buffer.alloc(0), ""],
    ["string, terminator stripped", VT.String, utf16("svc\0\0"), "svc"],
    ["ansi string", VT.AnsiString, Buffer.from("abc\0", "latin1"), "abc"],
    ["int8", VT.Int8, Buffer.from([0xfb]), "-5"],
    ["uint8", VT.UInt8, Buffer.from([200]), "200"],
    ["int16", VT.Int16, Buffer.from([0xd4, 0xfe]), "-300"],
    ["uint16", VT.UInt16, le(2, 4624), "4624"],
    ["int32", VT.Int32, Buffer.from([0x90, 0xee, 0xfe, 0xff]), "-70000"],
    ["uint32", VT.UInt32, le(4, 4_000_000_000), "4000000000"],
    ["int64", VT.Int64, le(8, -1n), "-1"],
    ["uint64", VT.UInt64, le(8, 18446744073709551615n), "18446744073709551615"],
    ["real32 (Python repr of the float's double)", VT.Real32, Buffer.from(new Float32Array([0.1]).buffer), "0.10000000149011612"],
    ["real64", VT.Real64, Buffer.from(new Float64Array([2]).buffer), "2.0"],
    ["bool true", VT.Bool, le(4, 1), "True"],
    ["bool false", VT.Bool, le(4, 0), "False"],
    ["binary, base64", VT.Binary, Buffer.from([0x22, 0, 0, 0xc0]), "IgAAwA=="],
    ["GUID, lowercase in braces", VT.Guid, GUID, "{4f32adc8-6052-4a04-8701-293ccf2096f0}"],
    ["size_t on 64 bits", VT.SizeT, le(8, 0x1c4), "0x00000000000001c4"],
    ["size_t on 32 bits", VT.SizeT, le(4, 0x1c4), "0x000001c4"],
    ["FILETIME, 100 ns kept", VT.FileTime, le(8, 132449113562195347n), "2020-09-18T14:02:36.2195347Z"],
    ["SYSTEMTIME", VT.SysTime, Buffer.from(new Uint16Array([2019, 5, 2, 14, 17, 31, 27, 973]).buffer), "2019-05-14T17:31:27.973Z"],
    ["SID", VT.Sid, SID, "S-1-5-21-1-2-3-500"],
    ["SID with a 48-bit authority", VT.Sid, Buffer.from([1, 0, 1, 2, 3, 4, 5, 6]), "S-1-0x010203040506"],
    ["hex int32, zero-padded lowercase", VT.HexInt32, le(4, 0x12019f), "0x0012019f"],
    ["hex int64", VT.HexInt64, le(8, 0x3e7n), "0x00000000000003e7"],
    ["EvtXml", VT.EvtXml, utf16("<a/>"), "<a/>"],
    ["string array, as python-evtx packs it", VT.Array | VT.String, utf16("PC1\0%%5\0"), "<string>PC1</string>\n<string>%%5</string>\n"],
    [
      "hex int32 array",
      VT.Array | VT.HexInt32,
      Buffer.concat([le(4, 1), le(4, 2)]),
      "<string>0x00000001</string>\n<string>0x00000002</string>\n",
    ],
    [
      "SID array",
      VT.Array | VT.Sid,
      Buffer.concat([SID, Buffer.from([1, 0, 0, 0, 0, 0, 0, 5])]),
      "<string>S-1-5-21-1-2-3-500</string>\n<string>S-1-5</string>\n",
    ],
    ["uint16 array", VT.Array | VT.UInt16, Buffer.concat([le(2, 7), le(2, 8)]), "<string>7</string>\n<string>8</string>\n"],
  ])("%s", (_label, type, bytes, expected) => {
    expect(show(type, bytes)).toBe(expected);
  });

  it("rejects sizes that do not fit the type instead of reading past the value", () => {
    expect(() => show(VT.UInt64, Buffer.alloc(4))).toThrow(/has size 4, needs 8/);
    expect(() => show(VT.Sid, Buffer.from([1, 9, 0, 0, 0, 0, 0, 5]))).toThrow(/claims 9 sub-authorities/);
    expect(() => show(0x30, Buffer.alloc(4))).toThrow(/unknown value type 0x30/);
  });

  it("prints floats as Python's repr does", () => {
    expect([1e-7, 1e16, 1.5e16, 123.456, -0.5, 1e-4, 0, -0, 1 / 3, Infinity, NaN].map(pythonFloat)).toEqual([
      "1e-07",
      "1e+16",
      "1.5e+16",
      "123.456",
      "-0.5",
      "0.0001",
      "0.0",
      "-0.0",
      "0.3333333333333333",
      "inf",
      "nan",
    ]);
  });

  it("renders FILETIMEs before 1970 and at the epoch of 1601", () => {
    expect(formatFiletime(0n)).toBe("1601-01-01T00:00:00.0000000Z");
    expect(formatFiletime(116444736000000000n - 1n)).toBe("1969-12-31T23:59:59.9999999Z");
  });
});
