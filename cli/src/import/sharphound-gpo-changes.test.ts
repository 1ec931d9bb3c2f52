import { describe, expect, it } from "vitest";
import type { SharpHoundCollection } from "@vigil/sensor";
import { planSharpHoundImport } from "./sharphound-plan.ts";

const D = "S-1-5-21-1000-2000-3000";
const AT = new Date("2026-11-25T09:30:00Z");

describe("SharpHound GPOChanges in the import plan", () => {
  it("writes ADMIN_TO from every GPO local admin to every affected computer, stubbing unknown ends", () => {
    const collection: SharpHoundCollection = {
      users: [],
      computers: [],
      groups: [],
      domains: [],
      gpoChanges: [
        {
          objectId: "3C2A1B0E-4D5F-4A6B-8C7D-9E0F1A2B3C4D",
          kind: "OU",
          localAdmins: [
            { objectId: `${D}-1105`, type: "Group" },
            { objectId: `${D}-1106`, type: "User" },
            { objectId: "WS01-S-1-5-21-9-9-9-500", type: "LocalUser" },
          ],
          affectedComputers: [
            { objectId: `${D}-2001`, type: "Computer" },
            { objectId: `${D}-2002`, type: "Computer" },
            { objectId: "3C2A1B0E-0000-0000-0000-000000000000", type: "OU" },
          ],
          otherLocalGroupMembers: 2,
        },
      ],
      files: [],
      problems: [],
    };
    const plan = planSharpHoundImport(collection, AT);
    expect(plan.edges.map((e) => `${e.from} ${e.kind} ${e.to} ${e.source}`).sort()).toEqual([
      `${D}-1105 ADMIN_TO ${D}-2001 sharphound`,
      `${D}-1105 ADMIN_TO ${D}-2002 sharphound`,
      `${D}-1106 ADMIN_TO ${D}-2001 sharphound`,
      `${D}-1106 ADMIN_TO ${D}-2002 sharphound`,
    ]);
    expect(plan.stubs.map((n) => `${n.kind} ${n.objectId}`).sort()).toEqual([
      `Computer ${D}-2001`,
      `Computer ${D}-2002`,
      `Group ${D}-1105`,
      `User ${D}-1106`,
    ]);
    expect(plan.ignored).toEqual({
      "GPO-granted memberships of other local groups (graph-model has no edge kind for them)": 2,
      "GPOChanges affected objects that are not computers": 1,
      "GPO local administrators of ObjectType LocalUser (not a domain user, group or computer)": 2,
    });
  });
});
