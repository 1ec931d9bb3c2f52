import { describe } from "vitest";
import { adminSdHolderPermissions } from "./adminsdholder-permissions.ts";
import type { Ace } from "./model.ts";
import { DOMAIN_SID, snapshot, table, user } from "./test-fixtures.ts";

const bob = user("bob", 1100);
const DEFAULTS: Ace[] = [
  { trusteeSid: "S-1-5-18", type: "allow", rights: ["GenericAll"] },
  { trusteeSid: `${DOMAIN_SID}-512`, type: "allow", rights: ["GenericAll"] },
  { trusteeSid: "S-1-5-32-544", type: "allow", rights: ["WriteDacl", "WriteOwner", "WriteProperty"] },
  { trusteeSid: "S-1-5-11", type: "allow", rights: ["ReadProperty", "ListChildren"] },
  { trusteeSid: "S-1-1-0", type: "allow", rights: ["ExtendedRight"], objectType: "ab721a53-1e2f-11d0-9819-00aa0040529b" },
  { trusteeSid: `${DOMAIN_SID}-517`, type: "allow", rights: ["WriteProperty"], objectType: "bf967a7f-0de6-11d0-a285-00aa003049e2" },
];
const withAce = (...aces: Ace[]) => snapshot([bob], { acls: { adminSdHolder: [...DEFAULTS, ...aces] } });

describe("adminsdholder-permissions", () => {
  table(adminSdHolderPermissions, [
    { name: "the default DACL passes", snap: withAce(), status: "passed" },
    {
      name: "GenericAll for a user fails",
      snap: withAce({ trusteeSid: `${DOMAIN_SID}-1100`, type: "allow", rights: ["GenericAll"] }),
      status: "failed",
      affected: ["bob"],
    },
    {
      name: "WriteDacl for Authenticated Users fails",
      snap: withAce({ trusteeSid: "S-1-5-11", trusteeName: "Authenticated Users", type: "allow", rights: ["WriteDacl"] }),
      status: "failed",
      affected: ["Authenticated Users"],
    },
    {
      name: "write on member for a user fails",
      snap: withAce({
        trusteeSid: `${DOMAIN_SID}-1100`,
        type: "allow",
        rights: ["WriteProperty"],
        objectType: "BF9679C0-0DE6-11D0-A285-00AA003049E2",
      }),
      status: "failed",
      affected: ["bob"],
    },
    {
      name: "reset password for a user fails",
      snap: withAce({
        trusteeSid: `${DOMAIN_SID}-1100`,
        type: "allow",
        rights: ["ExtendedRight"],
        objectType: "00299570-246d-11d0-a768-00aa006e0529",
      }),
      status: "failed",
      affected: ["bob"],
    },
    {
      name: "a deny ACE passes",
      snap: withAce({ trusteeSid: `${DOMAIN_SID}-1100`, type: "deny", rights: ["GenericAll"] }),
      status: "passed",
    },
    {
      name: "an inherit-only ACE passes",
      snap: withAce({ trusteeSid: `${DOMAIN_SID}-1100`, type: "allow", rights: ["GenericAll"], inheritOnly: true }),
      status: "passed",
    },
    {
      name: "GenericAll for Domain Admins passes",
      snap: withAce({ trusteeSid: `${DOMAIN_SID}-512`, type: "allow", rights: ["GenericAll"] }),
      status: "passed",
    },
    { name: "no DACL collected is unknown", snap: snapshot([bob]), status: "unknown" },
  ]);
});
