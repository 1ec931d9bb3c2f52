import { describe } from "vitest";
import { nonDefaultPrimaryGroup } from "./non-default-primary-group.ts";
import { computer, dc, DOMAIN_SID, snapshot, table, user } from "./test-fixtures.ts";

describe("non-default-primary-group", () => {
  table(nonDefaultPrimaryGroup, [
    {
      name: "defaults for users, Guest, computers and DCs pass",
      snap: snapshot([computer("WS01", 1100), dc("DC02", 1001)]),
      status: "passed",
    },
    {
      name: "a user with primary group Domain Admins fails",
      snap: snapshot([user("bob", 1100, { primaryGroupID: 512 })]),
      status: "failed",
      affected: ["bob"],
    },
    {
      name: "a workstation with primary group Domain Controllers fails",
      snap: snapshot([computer("WS01", 1100, { primaryGroupID: 516 })]),
      status: "failed",
      affected: ["WS01$"],
    },
    {
      name: "an RODC with 521 passes",
      snap: snapshot([computer("RODC01", 1002, { userAccountControl: 0x1000 | 0x4000000, primaryGroupID: 521 })]),
      status: "passed",
    },
    {
      name: "no primaryGroupID anywhere is unknown",
      snap: snapshot([], {
        objects: new Map([
          [
            "x",
            { objectId: `${DOMAIN_SID}-1100`, objectType: "user", time: "2026-01-01T00:00:00Z", attributes: { userAccountControl: 0x200 } },
          ],
        ]),
      }),
      status: "unknown",
    },
  ]);
});
