import { describe } from "vitest";
import { dcsyncPermissions, GET_CHANGES_ALL } from "./dcsync-permissions.ts";
import type { Ace } from "./model.ts";
import { DOMAIN_SID, snapshot, table, user } from "./test-fixtures.ts";

const GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
const msol = user("MSOL_0a1b2c", 1100);
const DEFAULTS: Ace[] = [
  { trusteeSid: "S-1-5-9", type: "allow", rights: ["ExtendedRight"], objectType: GET_CHANGES_ALL },
  { trusteeSid: `${DOMAIN_SID}-516`, type: "allow", rights: ["ExtendedRight"], objectType: GET_CHANGES_ALL },
  { trusteeSid: "S-1-5-32-544", type: "allow", rights: ["ExtendedRight"], objectType: GET_CHANGES_ALL },
  { trusteeSid: `${DOMAIN_SID}-498`, type: "allow", rights: ["ExtendedRight"], objectType: GET_CHANGES },
];
const withAce = (...aces: Ace[]) => snapshot([msol], { acls: { domainRoot: [...DEFAULTS, ...aces] } });
const grant = (rights: string[], objectType?: string): Ace => ({
  trusteeSid: `${DOMAIN_SID}-1100`,
  type: "allow",
  rights,
  ...(objectType ? { objectType } : {}),
});

describe("dcsync-permissions", () => {
  table(dcsyncPermissions, [
    { name: "the default DACL passes", snap: withAce(), status: "passed" },
    {
      name: "Get-Changes-All for a user fails",
      snap: withAce(grant(["ExtendedRight"], GET_CHANGES), grant(["ExtendedRight"], GET_CHANGES_ALL)),
      status: "failed",
      affected: ["MSOL_0a1b2c"],
    },
    {
      name: "GenericAll on the domain for a user fails",
      snap: withAce(grant(["GenericAll"])),
      status: "failed",
      affected: ["MSOL_0a1b2c"],
    },
    { name: "all extended rights for a user fails", snap: withAce(grant(["ExtendedRight"])), status: "failed", affected: ["MSOL_0a1b2c"] },
    { name: "Get-Changes alone passes", snap: withAce(grant(["ExtendedRight"], GET_CHANGES)), status: "passed" },
    {
      name: "an unresolved trustee is reported by SID",
      snap: withAce({ ...grant(["GenericAll"]), trusteeSid: "S-1-5-21-9-9-9-1500" }),
      status: "failed",
      affected: ["S-1-5-21-9-9-9-1500"],
    },
    { name: "no DACL collected is unknown", snap: snapshot([msol]), status: "unknown" },
  ]);
});
