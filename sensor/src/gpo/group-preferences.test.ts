import { describe, expect, it } from "vitest";
import { isGpoError } from "./errors.ts";
import { parseGroupPreferences } from "./group-preferences.ts";
import { groupsXml } from "./test-files.ts";

const HELPDESK = "S-1-5-21-1-2-3-1105";
const BOB = "S-1-5-21-1-2-3-1106";

describe("parseGroupPreferences", () => {
  it("reads ADD and REMOVE members of Administrators (built-in), by SID and by name", () => {
    const r = parseGroupPreferences(
      groupsXml([
        { name: "VIGIL\\Helpdesk", sid: HELPDESK.toLowerCase(), action: "ADD" },
        { name: "VIGIL\\eve", action: "ADD" },
        { name: "VIGIL\\bob", sid: BOB, action: "REMOVE" },
      ]),
    );
    expect(r).toEqual({
      changes: [
        {
          from: "group-preferences",
          remove: [{ sid: BOB, name: "VIGIL\\bob" }],
          add: [{ sid: HELPDESK, name: "VIGIL\\Helpdesk" }, { name: "VIGIL\\eve" }],
        },
      ],
      notes: [],
    });
  });

  it("reads deleteAllUsers / deleteAllGroups, Replace, Create and item-level targeting", () => {
    const add = [{ sid: HELPDESK, action: "ADD" }];
    expect(parseGroupPreferences(groupsXml(add, { deleteAllUsers: true, deleteAllGroups: true })).changes[0]).toMatchObject({
      clearUsers: true,
      clearGroups: true,
    });
    expect(parseGroupPreferences(groupsXml(add, { action: "R" })).changes[0]).toEqual({
      from: "group-preferences",
      replaceWith: [{ sid: HELPDESK }],
      remove: [],
      add: [],
    });
    const created = parseGroupPreferences(groupsXml(add, { action: "C", filters: true }));
    expect(created.changes[0]).toMatchObject({ add: [{ sid: HELPDESK }], targeted: true });
    expect(created.notes).toEqual([
      "item 1 (Administrators (built-in)): item-level targeting is not evaluated; the item is taken to apply to every computer in scope",
      "item 1 (Administrators (built-in)): action Create read as Update (the built-in group always exists)",
    ]);
  });

  it("skips disabled items, Delete, other groups, and bad members, with notes", () => {
    expect(parseGroupPreferences(groupsXml([{ sid: HELPDESK, action: "ADD" }], { disabled: true }))).toEqual({
      changes: [],
      notes: ["item 1 (Administrators (built-in)): item disabled in the editor; skipped"],
    });
    expect(parseGroupPreferences(groupsXml([], { action: "D" })).notes).toEqual([
      "item 1 (Administrators (built-in)): action Delete cannot remove the built-in Administrators group; skipped",
    ]);
    const rdp = groupsXml([{ sid: HELPDESK, action: "ADD" }])
      .replace(/S-1-5-32-544/g, "S-1-5-32-555")
      .replace(/Administrators/g, "Remote Desktop Users");
    expect(parseGroupPreferences(rdp)).toEqual({ changes: [], notes: [] });
    const bad = parseGroupPreferences(
      groupsXml([
        { sid: "S-1-nonsense", action: "ADD" },
        { action: "ADD" },
        { sid: HELPDESK, action: "TOGGLE" },
        { sid: BOB, action: "ADD" },
      ]),
    );
    expect(bad.changes[0]?.add).toEqual([{ sid: BOB }]);
    expect(bad.notes).toEqual([
      'item 1 (Administrators (built-in)): member 1: sid "S-1-nonsense" is not a SID; skipped',
      "item 1 (Administrators (built-in)): member 2: member without name or sid; skipped",
      'item 1 (Administrators (built-in)): member 3: action "TOGGLE" is neither ADD nor REMOVE; skipped',
    ]);
  });

  it.each([
    ["truncated XML", groupsXml([{ sid: HELPDESK, action: "ADD" }]).slice(0, 300), /not well-formed XML/],
    ["another document", '<?xml version="1.0"?><ScheduledTasks clsid="{x}"/>', /root element is <ScheduledTasks>/],
    ["a DTD (never read)", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Groups/>', /not well-formed XML/],
  ])("refuses %s as a whole", (_name, text, reason) => {
    let error: unknown;
    try {
      parseGroupPreferences(text);
    } catch (e) {
      error = e;
    }
    expect(isGpoError(error, "GPO_MALFORMED")).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });
});
