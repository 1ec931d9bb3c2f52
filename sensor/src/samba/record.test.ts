import { describe, expect, it } from "vitest";
import { record } from "./map.fixture.ts";
import { parseSambaLine } from "./record.ts";

describe("parseSambaLine", () => {
  it.each([
    [
      "a debug header",
      "[2026/11/25 17:01:19.844962,  3, pid=812, effective(0, 0), real(0, 0), class=auth_json_audit] ../../auth/auth_log.c:178(log_json)",
      "skip",
    ],
    ["a blank line", "   ", "skip"],
    [
      "the JSON message after its header",
      '  JSON Authentication: {"timestamp": "2026-11-25T17:01:19.844962+0000", "type": "Authentication", "Authentication": {}}',
      "record",
    ],
    ["a bare JSON line", '{"timestamp": "2026-11-25T17:01:19+0000", "type": "groupChange", "groupChange": {}}', "record"],
  ])("%s", (_name, line, kind) => expect(parseSambaLine(line).kind).toBe(kind));

  it.each([
    ["plain text", "Auth: [SMB2,(null)] user [CORP]\\[bob] at …", /not a Samba JSON audit line/],
    ["broken JSON", '  JSON Authentication: {"timestamp": "x", "type"', /not a Samba JSON audit line/],
    ["bad JSON inside braces", "{nope}", /malformed JSON/],
    ["no type", '{"timestamp": "2026-11-25T17:01:19+0000"}', /no `type` field/],
    ["type without body", '{"timestamp": "2026-11-25T17:01:19+0000", "type": "Authentication"}', /no `Authentication` object/],
    ["bad timestamp", '{"timestamp": "yesterday", "type": "Authentication", "Authentication": {}}', /no usable timestamp/],
  ])("rejects %s with a reason", (_name, line, reason) => {
    const parsed = parseSambaLine(line);
    expect(parsed.kind).toBe("problem");
    expect(parsed.kind === "problem" && parsed.reason).toMatch(reason);
  });

  it("gives the same record id to the same line and different ids to different lines", () => {
    const a = '{"timestamp": "2026-11-25T17:01:19+0000", "type": "groupChange", "groupChange": {}}';
    expect(record(a).recordId).toBe(record(`  JSON groupChange: ${a}`).recordId);
    expect(record(a).recordId).not.toBe(record(a.replace(":19", ":20")).recordId);
  });
});
