import { describe, expect, it } from "vitest";
import { normHost, normIp, normName, normRef, normSid } from "./names.ts";

// Each row: input, then the expected form; inputs already in normal form take the character-scan fast
// path, the others the normalizing path, and both must agree with the rules in names.ts.
describe("name normalization", () => {
  it.each([
    ["S-1-5-21-1-2-3-1105", "S-1-5-21-1-2-3-1105"],
    ["s-1-5-21-1-2-3-1105", "S-1-5-21-1-2-3-1105"],
    [" S-1-5-18 ", "S-1-5-18"],
    ["S-1-0-0", undefined],
    ["S-2-5", undefined],
    ["-", undefined],
    ["", undefined],
  ])("normSid(%j) = %j", (input, expected) => {
    expect(normSid(input)).toBe(expected);
  });

  it.each([
    ["bob", "bob"],
    ["Bob", "bob"],
    ["CORP\\Bob", "bob"],
    ["bob@corp.lab", "bob"],
    ["ws01$", "ws01$"],
    ["WS01$", "ws01$"],
    ["svc.sql-01_a", "svc.sql-01_a"],
    ["-", undefined],
    [" - ", undefined],
    ["  alice ", "alice"],
    ["é", "é"],
  ])("normName(%j) = %j", (input, expected) => {
    expect(normName(input)).toBe(expected);
  });

  it.each([
    ["wks01", "wks01"],
    ["WKS01", "wks01"],
    ["wks01$", "wks01"],
    ["dc01.corp.lab", "dc01"],
    ["\\\\FS01", "fs01"],
    ["10.0.0.5", "10.0.0.5"],
    ["::ffff:10.0.0.5", "10.0.0.5"],
    ["12345", "12345"],
    ["-", undefined],
    ["$", undefined],
  ])("normHost(%j) = %j", (input, expected) => {
    expect(normHost(input)).toBe(expected);
  });

  it.each([
    ["10.0.0.5", "10.0.0.5"],
    ["::FFFF:10.0.0.5", "10.0.0.5"],
    ["fe80::1", "fe80::1"],
    [" 10.0.0.6 ", "10.0.0.6"],
    ["-", undefined],
    [".", "."],
  ])("normIp(%j) = %j", (input, expected) => {
    expect(normIp(input)).toBe(expected);
  });

  it("gives the same answer on repeated and interleaved calls (the memo's paths)", () => {
    const inputs = ["CORP\\Bob", "bob", "Alice@corp.lab", "alice", "CORP\\Bob"];
    const first = inputs.map((i) => normName(i));
    const again = [...inputs].reverse().map((i) => normName(i));
    expect(again).toEqual([...first].reverse());
    expect(first).toEqual(["bob", "bob", "alice", "alice", "bob"]);
  });

  it("normalizes admin refs by their kind", () => {
    expect([normRef("s-1-5-21-1-2-3-500"), normRef("CORP\\Ws01$"), normRef("10.0.0.0/8"), normRef("Bob")]).toEqual([
      "S-1-5-21-1-2-3-500",
      "ws01",
      "10.0.0.0/8",
      "bob",
    ]);
  });
});
