import { describe } from "vitest";
import { computer, DOMAIN_SID, group, omit, snapshot, table, user } from "./test-fixtures.ts";
import { unsecureKerberosDelegation } from "./unsecure-kerberos-delegation.ts";

const admin = user("Administrator", 500);
const srv = (attrs: Parameters<typeof computer>[2]) => computer("SRV01", 1100, attrs);
const tier0 = computer("PKI01", 1200);

describe("unsecure-kerberos-delegation", () => {
  table(unsecureKerberosDelegation, [
    {
      name: "unconstrained delegation on a member server fails",
      snap: snapshot([srv({ userAccountControl: 0x1000 | 0x80000 })]),
      status: "failed",
      affected: ["SRV01$"],
    },
    {
      name: "unconstrained delegation on a user fails",
      snap: snapshot([user("svc_web", 1101, { userAccountControl: 0x200 | 0x80000 })]),
      status: "failed",
      affected: ["svc_web"],
    },
    { name: "a DC's own unconstrained delegation passes", snap: snapshot(), status: "passed" },
    { name: "a disabled account is not flagged", snap: snapshot([srv({ userAccountControl: 0x1000 | 0x80000 | 0x2 })]), status: "passed" },
    {
      name: "constrained delegation with protocol transition to a DC service fails",
      snap: snapshot([srv({ userAccountControl: 0x1000 | 0x1000000, "msDS-AllowedToDelegateTo": ["cifs/dc01.acme.local"] })]),
      status: "failed",
      affected: ["SRV01$"],
    },
    {
      name: "constrained delegation to an ordinary host passes",
      snap: snapshot([srv({ "msDS-AllowedToDelegateTo": ["http/pki01.acme.local"] }), tier0]),
      status: "passed",
    },
    {
      name: "constrained delegation to a sensitive host (nested group) fails",
      snap: snapshot([
        srv({ "msDS-AllowedToDelegateTo": ["http/PKI01"] }),
        tier0,
        group("Tier0 Servers", `${DOMAIN_SID}-1300`, [tier0]),
        group("Administrators", "S-1-5-32-544", [], { member: ["CN=Tier0 Servers,CN=Users,DC=acme,DC=local"] }),
      ]),
      status: "failed",
      affected: ["SRV01$"],
    },
    {
      name: "RBCD on a sensitive account fails",
      snap: snapshot([
        { ...admin, attributes: { ...admin.attributes, "msDS-AllowedToActOnBehalfOfOtherIdentity": [`${DOMAIN_SID}-1100`] } },
      ]),
      status: "failed",
      affected: ["Administrator"],
    },
    {
      name: "RBCD on an ordinary server passes",
      snap: snapshot([srv({ "msDS-AllowedToActOnBehalfOfOtherIdentity": [`${DOMAIN_SID}-1101`] })]),
      status: "passed",
    },
    { name: "no sync yet is unknown", snap: { tenantId: "acme", objects: new Map(), tombstones: new Map() }, status: "unknown" },
    {
      name: "no userAccountControl anywhere is unknown",
      snap: { ...snapshot(), objects: new Map([...snapshot().objects].map(([k, o]) => [k, omit(o, "userAccountControl")])) },
      status: "unknown",
    },
  ]);
});
