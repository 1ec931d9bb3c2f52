import { describe, expect, it } from "vitest";
import { isGpoError } from "./errors.ts";
import { decodePolicyText } from "./text.ts";
import { utf16le, utf8 } from "./test-files.ts";

const TEXT = '[Version]\r\nsignature="$CHICAGO$"\r\n[Group Membership]\r\n*S-1-5-32-544__Members = VIGIL\\Hélène\r\n';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return isGpoError(error) ? `${error.code}: ${error.message}` : `other: ${String(error)}`;
  }
  return "no error";
};

describe("decodePolicyText", () => {
  it.each([
    ["UTF-16LE with BOM (secedit)", utf16le(TEXT)],
    ["UTF-16LE without BOM", utf16le(TEXT, false)],
    ["UTF-8 with BOM", utf8(TEXT, true)],
    ["UTF-8 without BOM", utf8(TEXT)],
  ])("reads %s", (_name, bytes) => {
    expect(decodePolicyText(bytes, "GptTmpl.inf")).toBe(TEXT);
  });

  it("reads an empty file as empty text", () => {
    expect(decodePolicyText(Buffer.alloc(0), "x")).toBe("");
  });

  it.each([
    ["truncated UTF-16 (odd byte count)", utf16le(TEXT).subarray(0, 41), /GPO_BAD_ENCODING: x is UTF-16LE with an odd number of bytes/],
    [
      "UTF-16 cut inside a surrogate pair",
      Buffer.concat([utf16le("[Version]"), Buffer.from("\ud83d", "utf16le")]),
      /GPO_BAD_ENCODING: x is not valid UTF-16LE/,
    ],
    [
      "UTF-16 big-endian",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("[V", "latin1")]),
      /GPO_BAD_ENCODING: x is UTF-16 big-endian/,
    ],
    ["invalid UTF-8", Buffer.from([0x5b, 0x56, 0xc3, 0x28, 0x5d]), /GPO_BAD_ENCODING: x is not valid UTF-8/],
    ["binary garbage", Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]), /GPO_BAD_ENCODING/],
    ["text with NULs", utf8("[Version]\u0000\u0001"), /GPO_BAD_ENCODING: x holds control character U\+0000/],
  ])("refuses %s with a reason", (_name, bytes, reason) => {
    expect(code(() => decodePolicyText(bytes, "x"))).toMatch(reason);
  });
});
