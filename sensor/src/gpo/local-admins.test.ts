/**
 * Scope and replay on a hand-drawn domain:
 *
 *   DC=corp,DC=local            links: D1, DE (enforced)
 *   ├─ CN=Computers             C1
 *   ├─ OU=Servers               links: S0, S1, SX (disabled link)            C2
 *   │   └─ OU=Web  (blocks inheritance)   links: W1                         C3
 *   ├─ OU=Lab                   links: L1 (GPO's computer settings off)      C4
 *   └─ OU=Ops                   links: O1, O2                                C5
 *   unlinked GPO: U1; SYSVOL folder without a GPO object: ORPHAN
 */
import { describe, expect, it } from "vitest";
import { buildGpoDirectory, type DirectoryEntity } from "./directory.ts";
import { evaluateLocalAdmins } from "./local-admins.ts";
import type { AdminGroupChange, GpoLocalAdminPolicy } from "./types.ts";

const BASE = "DC=corp,DC=local";
const guid = (n: number) => `${String(n).repeat(8)}-0000-0000-0000-000000000000`.slice(0, 36).toUpperCase();
const GPO = {
  D1: guid(1),
  DE: guid(2),
  S0: guid(3),
  S1: guid(4),
  SX: guid(5),
  W1: guid(6),
  L1: guid(7),
  O1: guid(8),
  O2: guid(9),
  U1: "AAAAAAAA-0000-0000-0000-000000000000",
  ORPHAN: "BBBBBBBB-0000-0000-0000-000000000000",
};
const gpoDn = (g: string) => `CN={${g}},CN=Policies,CN=System,${BASE}`;
const link = (g: string, options = 0) => `[LDAP://cn={${g.toLowerCase()}},cn=policies,cn=system,${BASE};${options}]`;
const sid = (rid: number) => `S-1-5-21-10-20-30-${rid}`;
const S = {
  C1: sid(2001),
  C2: sid(2002),
  C3: sid(2003),
  C4: sid(2004),
  C5: sid(2005),
  alice: sid(1101),
  bob: sid(1102),
  dom: sid(1201),
  enf: sid(1202),
  srv: sid(1203),
  ops: sid(1204),
};

const e = (
  objectType: DirectoryEntity["objectType"],
  dn: string,
  attributes: DirectoryEntity["attributes"] = {},
  objectId = dn,
): DirectoryEntity => ({
  objectType,
  objectId,
  dn,
  attributes,
  deleted: false,
});
const principal = (type: "user" | "group" | "computer", name: string, parent: string, s: string) =>
  e(type, `CN=${name},${parent}`, { objectSid: s, sAMAccountName: type === "computer" ? `${name}$` : name }, s);

const ENTITIES: DirectoryEntity[] = [
  e("domain", BASE, { gPLink: link(GPO.D1) + link(GPO.DE, 2) }),
  e("ou", `OU=Servers,${BASE}`, { gPLink: link(GPO.S0) + link(GPO.S1) + link(GPO.SX, 1) }),
  e("ou", `OU=Web,OU=Servers,${BASE}`, { gPLink: link(GPO.W1), gPOptions: 1 }),
  e("ou", `OU=Lab,${BASE}`, { gPLink: link(GPO.L1) }),
  e("ou", `OU=Ops,${BASE}`, { gPLink: link(GPO.O1) + link(GPO.O2) }),
  ...Object.entries(GPO)
    .filter(([k]) => k !== "ORPHAN")
    .map(([k, g]) => e("gpo", gpoDn(g), { displayName: `GPO ${k}`, flags: k === "L1" ? 2 : 0 }, `objectguid-${k}`)),
  principal("computer", "C1", `CN=Computers,${BASE}`, S.C1),
  principal("computer", "C2", `OU=Servers,${BASE}`, S.C2),
  principal("computer", "C3", `OU=Web,OU=Servers,${BASE}`, S.C3),
  principal("computer", "C4", `OU=Lab,${BASE}`, S.C4),
  principal("computer", "C5", `OU=Ops,${BASE}`, S.C5),
  principal("user", "alice", `CN=Users,${BASE}`, S.alice),
  principal("user", "bob", `CN=Users,${BASE}`, S.bob),
  principal("group", "DomainWideAdmins", `CN=Users,${BASE}`, S.dom),
  principal("group", "EnforcedAdmins", `CN=Users,${BASE}`, S.enf),
  principal("group", "Server Admins", `CN=Users,${BASE}`, S.srv),
  principal("group", "Ops", `CN=Users,${BASE}`, S.ops),
  { ...principal("user", "ghost", `CN=Users,${BASE}`, sid(1999)), deleted: true },
];

const rg = (c: Partial<AdminGroupChange>): AdminGroupChange => ({ from: "security-template", remove: [], add: [], ...c });
const gpp = (c: Partial<AdminGroupChange>): AdminGroupChange => ({ from: "group-preferences", remove: [], add: [], ...c });
const policy = (g: string, ...changes: AdminGroupChange[]): GpoLocalAdminPolicy => ({ guid: g, folder: `{${g}}`, changes, files: [] });

const POLICIES: GpoLocalAdminPolicy[] = [
  policy(GPO.D1, rg({ add: [{ name: "CORP\\DomainWideAdmins" }] })),
  policy(GPO.DE, gpp({ add: [{ sid: S.enf }] })),
  policy(GPO.S0, rg({ replaceWith: [{ sid: S.bob }] })),
  policy(GPO.S1, rg({ replaceWith: [{ name: "Server Admins" }] })),
  policy(GPO.SX, rg({ add: [{ sid: S.bob }] })),
  policy(GPO.W1, gpp({ add: [{ name: "alice@corp.local" }, { sid: "S-1-1-0" }, { name: "CORP\\nobody" }, { name: ".\\localadmin" }] })),
  policy(GPO.L1, rg({ add: [{ sid: S.bob }] })),
  policy(GPO.O1, rg({ add: [{ sid: S.bob }, { sid: S.ops }, { sid: S.alice }] })),
  policy(GPO.O2, gpp({ clearUsers: true, add: [{ sid: S.alice }] }), gpp({ remove: [{ sid: S.ops }], add: [{ sid: sid(1999) }] })),
  policy(GPO.U1, rg({ add: [{ sid: S.bob }] })),
  policy(GPO.ORPHAN, rg({ add: [{ sid: S.bob }] })),
];

describe("evaluateLocalAdmins", () => {
  const dir = buildGpoDirectory(ENTITIES);
  const r = evaluateLocalAdmins(dir, POLICIES);
  const adminsOf = (computer: string) =>
    r.grants
      .filter((g) => g.computerSid === computer)
      .map(
        (g) =>
          `${Object.entries(S).find(([, v]) => v === g.memberSid)?.[0] ?? g.memberSid} via ${Object.entries(GPO).find(([, v]) => v === g.gpoGuid)?.[0]}`,
      )
      .sort();

  it("a computer outside any OU gets the domain's GPOs", () => {
    expect(adminsOf(S.C1)).toEqual(["dom via D1", "enf via DE"]);
  });

  it("the highest-precedence __Members wins, __Memberof adds, a disabled link does nothing, GPP applies after", () => {
    expect(adminsOf(S.C2)).toEqual(["dom via D1", "enf via DE", "srv via S1"]);
  });

  it("block inheritance stops the domain's normal links but not its enforced ones", () => {
    expect(adminsOf(S.C3)).toEqual(["alice via W1", "enf via DE"]);
  });

  it("a GPO whose computer settings are disabled is skipped", () => {
    expect(adminsOf(S.C4)).toEqual(["dom via D1", "enf via DE"]);
  });

  it("GPP clears users, removes and adds in order; a deleted account never becomes an edge", () => {
    expect(adminsOf(S.C5)).toEqual(["alice via O2", "dom via D1", "enf via DE"]);
    expect(r.unresolved).toContainEqual({
      gpoGuid: GPO.O2,
      member: sid(1999),
      reason: "SID not in the directory (another domain, or deleted)",
    });
  });

  it("reports reach per GPO, unlinked and orphaned GPOs, unresolvable members and skipped links", () => {
    expect(r.computersInScope).toBe(5);
    expect(Object.fromEntries(r.gpoReach.map((g) => [g.displayName, g.computers]))).toEqual({
      "GPO D1": 4,
      "GPO DE": 5,
      "GPO S0": 1,
      "GPO S1": 1,
      "GPO SX": 0,
      "GPO W1": 1,
      "GPO L1": 0,
      "GPO O1": 1,
      "GPO O2": 1,
      "GPO U1": 0,
    });
    expect(r.unknownGpos).toEqual([GPO.ORPHAN]);
    expect(r.unresolved.filter((u) => u.gpoGuid === GPO.W1)).toEqual([
      { gpoGuid: GPO.W1, member: "S-1-1-0", reason: "a well-known or local SID, not a domain account or group (no graph node)" },
      { gpoGuid: GPO.W1, member: "CORP\\nobody", reason: "account name not in the directory" },
      { gpoGuid: GPO.W1, member: ".\\localadmin", reason: "a local account or group of the computer itself (no graph node)" },
    ]);
    expect(r.skippedLinks).toEqual([
      { container: `OU=Servers,${BASE}`, gpo: GPO.SX, reason: "link disabled" },
      ...[GPO.S0, GPO.S1].map((gpo) => ({
        container: `OU=Servers,${BASE}`,
        gpo,
        reason: `inheritance blocked at OU=Web,OU=Servers,${BASE} (for the computers below it)`,
      })),
      { container: BASE, gpo: GPO.D1, reason: `inheritance blocked at OU=Web,OU=Servers,${BASE} (for the computers below it)` },
      { container: `OU=Lab,${BASE}`, gpo: GPO.L1, reason: "computer settings of the GPO are disabled" },
    ]);
  });

  it("a GPO linked to a site is counted, not placed; an unreadable gPLink is noted", () => {
    const d = buildGpoDirectory([
      e("site", `CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${BASE}`, { gPLink: link(GPO.D1) }),
      e("ou", `OU=Broken,${BASE}`, { gPLink: "[LDAP://garbage" }),
    ]);
    expect(d.siteLinks).toBe(1);
    expect(d.notes).toEqual([expect.stringMatching(/^OU=Broken,DC=corp,DC=local: gPLink unreadable/)]);
  });
});
