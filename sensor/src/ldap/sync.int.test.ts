/**
 * The LDAP sync against the real Samba AD DC of scripts/samba/dc.sh (seeded by scripts/samba/seed.py).
 * Changes are made over LDAP as Administrator with ldapts itself, under names unique to this run, so
 * reruns and other suites on the same DC do not disturb the assertions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Attribute, Change, Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { finalizeEvent, type EventOf } from "../contract/index.ts";
import { createLdapSync, type LdapSyncOptions, type LdapSyncProgress } from "./index.ts";

type Snapshot = EventOf<"entity.snapshot">;

let dir: string;
let admin: Client;
const run = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const options = (stateName: string, extra: Partial<LdapSyncOptions> = {}): LdapSyncOptions => ({
  url: testSamba.url,
  bindDn: testSamba.bindDn,
  password: testSamba.password,
  tenantId: "acme",
  sensorId: "ldap01",
  stateFile: join(dir, stateName, "state.json"),
  ...extra,
});

async function collect(o: LdapSyncOptions, full = false) {
  const drafts: Snapshot[] = [];
  const problems: string[] = [];
  const progress: LdapSyncProgress[] = [];
  const result = await createLdapSync(o).sync({
    full,
    onSnapshot: (d) => void drafts.push(d),
    onProblem: (p) => void problems.push(`${p.dn ?? ""} ${p.attribute ?? ""}: ${p.reason}`),
    onProgress: (p) => void progress.push(p),
  });
  const byName = (name: string) => drafts.find((d) => d.entity.name === name);
  return { result, drafts, problems, progress, byName };
}

const attr = (d: Snapshot | undefined, name: string) => d?.entity.attributes[name];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-ldap-"));
  admin = new Client({ url: testSamba.url, connectTimeout: 5000 });
  await admin.bind(testSamba.bindDn, testSamba.password);
});

afterAll(async () => {
  await admin?.unbind().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("LDAP sync against a real Samba AD DC", () => {
  it("reads every seeded object type with decoded attributes, over several pages", async () => {
    const { result, drafts, problems, progress, byName } = await collect(options("full", { pageSize: 7 }));
    expect(problems).toEqual([]);
    expect(result).toMatchObject({
      mode: "full",
      deletionsBy: "set-difference",
      baseDn: testSamba.baseDn,
      dc: "DC1.vigil.lab",
      deleted: 0,
    });
    // Paging: more objects than one page holds, in more than one page, none twice.
    const objectPages = progress.filter((p) => p.phase === "objects");
    expect(objectPages.length).toBeGreaterThan(3);
    const perPage = objectPages.map((p, i) => p.entries - (i === 0 ? 0 : objectPages[i - 1]!.entries));
    for (const n of perPage) expect(n).toBeLessThanOrEqual(7);
    expect(objectPages.length).toBeGreaterThanOrEqual(Math.ceil(objectPages.at(-1)!.entries / 7));
    const ids = drafts.map((d) => d.entity.objectId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(drafts.length).toBeGreaterThan(7 * 3);

    // Every draft is a valid contract event.
    for (const d of drafts) expect(() => finalizeEvent(d)).not.toThrow();
    const types = new Set(drafts.map((d) => d.entity.objectType));
    for (const t of ["user", "computer", "group", "ou", "domain", "gpo", "trust", "site", "subnet"]) expect(types).toContain(t);

    const carol = byName("carol")!;
    expect(carol.entity.objectType).toBe("user");
    expect(carol.entity.objectId).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(carol.entity.objectId).toBe(attr(carol, "objectSid"));
    expect(attr(carol, "objectGUID")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(attr(carol, "userAccountControlFlags")).toEqual(["NORMAL_ACCOUNT", "DONT_REQ_PREAUTH"]);
    expect(attr(carol, "pwdLastSet")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(attr(carol, "accountExpires")).toBe("never");
    expect(carol.entity.dn).toBe(`CN=carol,OU=Staff,${testSamba.baseDn}`);
    expect(carol.target).toEqual({ sid: carol.entity.objectId, name: "carol", dn: carol.entity.dn });

    expect(attr(byName("bob"), "sIDHistory")).toEqual(["S-1-5-21-111-222-333-500"]);
    const svcSql = byName("svc_sql")!;
    expect(attr(svcSql, "servicePrincipalName")).toEqual(["MSSQLSvc/sql01.vigil.lab:1433"]);
    expect(attr(svcSql, "msDS-SupportedEncryptionTypes")).toBe(4);
    expect(attr(svcSql, "msDS-SupportedEncryptionTypesNames")).toEqual(["RC4-HMAC"]);
    const svcWeb = byName("svc_web")!;
    expect(attr(svcWeb, "msDS-AllowedToDelegateTo")).toEqual(["cifs/ws01.vigil.lab"]);
    expect(attr(svcWeb, "userAccountControlFlags")).toContain("TRUSTED_TO_AUTH_FOR_DELEGATION");

    const sql01 = byName("SQL01$")!;
    const ws01 = byName("WS01$")!;
    expect(sql01.entity.objectType).toBe("computer");
    expect(attr(sql01, "userAccountControlFlags")).toEqual(["WORKSTATION_TRUST_ACCOUNT", "TRUSTED_FOR_DELEGATION"]);
    expect(attr(ws01, "msDS-AllowedToActOnBehalfOfOtherIdentity")).toEqual([sql01.entity.objectId]);
    expect(attr(byName("DC1$"), "userAccountControlFlags")).toContain("SERVER_TRUST_ACCOUNT");

    // dave is a Domain Admin only through two nested groups.
    const dave = byName("dave")!;
    const serverAdmins = byName("Server Admins")!;
    const tier0 = byName("Tier0 Operators")!;
    const domainAdmins = byName("Domain Admins")!;
    expect(attr(dave, "adminCount")).toBe(1);
    expect(attr(dave, "memberOfSids")).toEqual([serverAdmins.entity.objectId]);
    expect(attr(dave, "primaryGroupSid")).toBe(`${dave.entity.objectId.replace(/-\d+$/, "")}-513`);
    expect(attr(serverAdmins, "memberSids")).toEqual(expect.arrayContaining([dave.entity.objectId, sql01.entity.objectId]));
    expect(attr(tier0, "memberSids")).toEqual([serverAdmins.entity.objectId]);
    expect(attr(tier0, "member")).toEqual([`CN=Server Admins,CN=Users,${testSamba.baseDn}`]);
    expect(attr(domainAdmins, "memberSids")).toContain(tier0.entity.objectId);
    expect(domainAdmins.entity.objectId).toMatch(/-512$/);
    expect(attr(tier0, "groupScope")).toBe("global");
    expect(attr(tier0, "securityGroup")).toBe(true);

    const gpo = byName("Vigil Staff Policy")!;
    expect(gpo.entity.objectType).toBe("gpo");
    expect(gpo.entity.objectId).toBe(attr(gpo, "objectGUID"));
    const staff = drafts.find((d) => d.entity.objectType === "ou" && d.entity.name === "Staff")!;
    expect(attr(staff, "gPLinkDns")).toEqual([gpo.entity.dn]);
    const dom = drafts.find((d) => d.entity.objectType === "domain")!;
    expect(dom.entity.dn).toBe(testSamba.baseDn);
    expect(attr(dom, "gPLink")).toMatch(/31B2F340-016D-11D2-945F-00C04FB984F9/i);
    expect(attr(dom, "ms-DS-MachineAccountQuota")).toBe(10);
    const trust = drafts.find((d) => d.entity.objectType === "trust")!;
    expect(trust.entity).toMatchObject({ name: "partner.example", dn: `CN=partner.example,CN=System,${testSamba.baseDn}` });
    expect(trust.entity.attributes).toMatchObject({
      trustPartner: "partner.example",
      flatName: "PARTNER",
      trustDirectionName: "bidirectional",
      trustTypeName: "uplevel",
      trustAttributesNames: ["FOREST_TRANSITIVE"],
      securityIdentifier: "S-1-5-21-111-222-333",
    });
    const subnet = drafts.find((d) => d.entity.objectType === "subnet" && d.entity.name === "10.231.77.0/24")!;
    expect(attr(subnet, "siteObject")).toMatch(/^CN=Default-First-Site-Name,CN=Sites,CN=Configuration,/);

    // The same directory read in one big page gives the same objects.
    const onePage = await collect(options("one-page", { pageSize: 1000 }));
    expect(onePage.progress.filter((p) => p.phase === "objects")).toHaveLength(1);
    // Other suites add and delete their own groups meanwhile; apart from those, the same objects.
    const onePageIds = new Set(onePage.drafts.map((d) => d.entity.objectId));
    const differ = [
      ...drafts.filter((d) => !onePageIds.has(d.entity.objectId)),
      ...onePage.drafts.filter((d) => !ids.includes(d.entity.objectId)),
    ];
    for (const d of differ) expect(d.entity.name).toMatch(/^(grp|gone|outer|inner)-/);
  });

  it("returns only what changed since the last sync, then the deletion as a tombstone", async () => {
    const o = options("incremental", { pageSize: 5 });
    const first = await collect(o);
    const usnBefore = first.result.toUsn;
    const groupDn = `CN=grp-${run},CN=Users,${testSamba.baseDn}`;
    await admin.add(groupDn, { objectClass: ["top", "group"], sAMAccountName: `grp-${run}` });
    await admin.modify(
      groupDn,
      new Change({ operation: "add", modification: new Attribute({ type: "member", values: [`CN=alice,OU=Staff,${testSamba.baseDn}`] }) }),
    );
    await admin.modify(
      `CN=bob,OU=Staff,${testSamba.baseDn}`,
      new Change({ operation: "replace", modification: new Attribute({ type: "description", values: [`changed by ${run}`] }) }),
    );

    const second = await collect(o);
    expect(second.result).toMatchObject({ mode: "incremental", fromUsn: usnBefore, deletionsBy: "tombstones" });
    expect(second.problems).toEqual([]);
    const group = second.byName(`grp-${run}`)!;
    const alice = first.byName("alice")!;
    expect(group.entity).toMatchObject({ objectType: "group", deleted: false });
    expect(attr(group, "memberSids")).toEqual([alice.entity.objectId]);
    expect(attr(second.byName("bob"), "description")).toBe(`changed by ${run}`);
    // Nothing unchanged comes back (the DC itself may touch a few objects, e.g. Administrator's logon time).
    for (const name of ["carol", "svc_sql", "SQL01$", "WS01$", "Tier0 Operators", "Vigil Staff Policy", "alice"])
      expect(second.byName(name)).toBeUndefined();
    for (const d of second.drafts) expect(attr(d, "uSNChanged") as number).toBeGreaterThan(usnBefore);
    // Other suites change a few objects of the same DC meanwhile; a full resync would be 60+.
    expect(second.drafts.length).toBeLessThan(15);

    const third = await collect(o);
    expect(third.byName(`grp-${run}`)).toBeUndefined();
    expect(third.byName("bob")).toBeUndefined();

    await admin.del(groupDn);
    const fourth = await collect(o);
    expect(fourth.result.mode).toBe("incremental");
    // Other suites may delete their own objects meanwhile: count ours only.
    const gone = fourth.drafts.filter((d) => d.entity.deleted && d.entity.objectId === group.entity.objectId);
    expect(gone).toHaveLength(1);
    expect(fourth.result.deleted).toBe(fourth.drafts.filter((d) => d.entity.deleted).length);
    expect(gone[0]!.entity).toMatchObject({ objectType: "group", deleted: true, name: `grp-${run}` });
    expect(gone[0]!.origin.recordId).toMatch(/:deleted$/);
    // Reported once: the next sync no longer knows it.
    expect((await collect(o)).drafts.filter((d) => d.entity.objectId === group.entity.objectId)).toEqual([]);
  });

  it("finds deletions by set difference on a full pass", async () => {
    const o = options("set-difference");
    const dn = `CN=gone-${run},CN=Users,${testSamba.baseDn}`;
    await admin.add(dn, { objectClass: ["top", "group"], sAMAccountName: `gone-${run}` });
    const before = await collect(o);
    const id = before.byName(`gone-${run}`)!.entity.objectId;
    await admin.del(dn);
    const after = await collect(o, true);
    expect(after.result).toMatchObject({ mode: "full", fullReason: "full sync requested", deletionsBy: "set-difference" });
    // Other suites may delete their own objects of this DC meanwhile; ours must be among the gone, once.
    const gone = after.drafts.filter((d) => d.entity.deleted);
    expect(after.result.deleted).toBe(gone.length);
    expect(gone.filter((d) => d.entity.objectId === id).map((d) => d.entity)).toEqual([
      { objectType: "group", objectId: id, dn, attributes: { deletionDetectedBy: "full-sync" }, deleted: true },
    ]);
    const stillThere = new Set(after.drafts.filter((d) => !d.entity.deleted).map((d) => d.entity.objectId));
    for (const d of gone) expect(stillThere.has(d.entity.objectId)).toBe(false);
    const event = finalizeEvent(gone[0]!) as EventOf<"entity.snapshot">;
    expect(event.origin.format).toBe("ldap");
  });
});
