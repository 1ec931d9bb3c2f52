import { describe } from "vitest";
import { computer, DOMAIN_SID, group, snapshot, table, user } from "./test-fixtures.ts";
import { unsecureAccountAttributes } from "./unsecure-account-attributes.ts";

const flagged = (bit: number) => snapshot([user("bob", 1100, { userAccountControl: 0x200 | bit })]);
const admin = user("Administrator", 500, { servicePrincipalName: ["MSSQLSvc/sql01.acme.local:1433"] });

describe("unsecure-account-attributes", () => {
  table(unsecureAccountAttributes, [
    { name: "a clean domain passes", snap: snapshot(), status: "passed" },
    { name: "no pre-authentication fails", snap: flagged(0x400000), status: "failed", affected: ["bob"] },
    { name: "reversible encryption fails", snap: flagged(0x80), status: "failed", affected: ["bob"] },
    { name: "password not required fails", snap: flagged(0x20), status: "failed", affected: ["bob"] },
    { name: "DES only fails", snap: flagged(0x200000), status: "failed", affected: ["bob"] },
    {
      name: "a flagged computer fails",
      snap: snapshot([computer("WS01", 1101, { userAccountControl: 0x1000 | 0x20 })]),
      status: "failed",
      affected: ["WS01$"],
    },
    { name: "a disabled flagged account passes", snap: flagged(0x400000 | 0x2), status: "passed" },
    { name: "an SPN on a sensitive user fails", snap: snapshot([admin]), status: "failed", affected: ["Administrator"] },
    {
      name: "an SPN on a user sensitive through nested groups fails",
      snap: snapshot([
        user("svc_sql", 1100, { servicePrincipalName: ["MSSQLSvc/sql01"] }),
        group("SQL Admins", `${DOMAIN_SID}-1200`, [], { member: [`CN=svc_sql,CN=Users,DC=acme,DC=local`] }),
        group("Administrators", "S-1-5-32-544", [], { member: [`CN=SQL Admins,CN=Users,DC=acme,DC=local`] }),
      ]),
      status: "failed",
      affected: ["svc_sql"],
    },
    {
      name: "an SPN on an ordinary service account passes",
      snap: snapshot([user("svc_sql", 1100, { servicePrincipalName: ["MSSQLSvc/sql01"] })]),
      status: "passed",
    },
    {
      name: "no userAccountControl anywhere is unknown",
      snap: snapshot([], {
        objects: new Map([
          ["x", { objectId: `${DOMAIN_SID}-1100`, objectType: "user", time: "2026-01-01T00:00:00Z", attributes: { sAMAccountName: "x" } }],
        ]),
      }),
      status: "unknown",
    },
  ]);
});
