/**
 * Posture on a real directory: LDAP sync reads the seeded Samba AD DC (scripts/samba/seed.py plants
 * AS-REP-roastable carol, unconstrained-delegation SQL01, privileged SID history on bob), its
 * snapshots are folded into a DirectorySnapshot and assessed. Then a user created for this run with
 * unsecure attributes appears after an incremental sync and disappears once deleted. This is what
 * ties the assessments to the attribute names and formats the sync really emits.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLdapSync } from "@vigil/sensor";
import { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { assessPosture } from "./assess.ts";
import type { DirectorySnapshot } from "./model.ts";
import { emptySnapshot, foldEntitySnapshot } from "./snapshot-builder.ts";

let dir: string;
let admin: Client;
const tenant = uniqueTenantId("posture");
const run = tenant.split("-").slice(1).join("").slice(0, 12);
const sam = `pr${run}`;
const userDn = `CN=${sam},CN=Users,${testSamba.baseDn}`;
const snapshot = emptySnapshot(tenant);

async function sync(into: DirectorySnapshot): Promise<void> {
  const events: Parameters<typeof foldEntitySnapshot>[1][] = [];
  await createLdapSync({
    url: testSamba.url,
    bindDn: testSamba.bindDn,
    password: testSamba.password,
    tenantId: tenant,
    sensorId: "ldap01",
    stateFile: join(dir, "state.json"),
    pageSize: 100,
  }).sync({ onSnapshot: (e) => void events.push(e) });
  for (const e of events) foldEntitySnapshot(into, e);
}

const assess = () => {
  const report = assessPosture(snapshot, undefined, { now: new Date().toISOString() });
  const byId = new Map(report.assessments.map((a) => [a.id, a]));
  return (id: string) => {
    const r = byId.get(id)!;
    return { status: r.status, names: r.affected.map((a) => a.name) };
  };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-posture-"));
  admin = new Client({ url: testSamba.url });
  await admin.bind(testSamba.bindDn, testSamba.password);
});

afterAll(async () => {
  await admin?.del(userDn).catch(() => undefined);
  await admin?.unbind().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("posture assessments on the Samba AD DC", () => {
  it("finds the seeded weaknesses and follows an account through creation and deletion", async () => {
    await sync(snapshot);
    let result = assess();
    expect(result("unsecure-account-attributes").names).toContain("carol");
    expect(result("unsecure-kerberos-delegation").names).toContain("SQL01$");
    expect(result("unsecure-sid-history").names).toContain("bob");
    expect(result("unsecure-domain-configuration")).toMatchObject({ status: "failed", names: ["vigil"] });
    expect(result("guest-enabled").status).toBe("passed");
    expect(result("old-krbtgt-password").status).toBe("passed");
    // No ACLs, signing policy or traffic from this source: those say unknown, never passed.
    for (const id of ["adminsdholder-permissions", "dcsync-permissions", "clear-text-credentials", "unmonitored-domain-controllers"])
      expect(result(id).status, id).toBe("unknown");

    // NORMAL_ACCOUNT | PASSWD_NOTREQD | DONT_REQ_PREAUTH: enabled without a password.
    await admin.add(userDn, {
      objectClass: ["top", "person", "organizationalPerson", "user"],
      sAMAccountName: sam,
      userAccountControl: String(0x400220),
    });
    await sync(snapshot);
    result = assess();
    expect(result("unsecure-account-attributes").names).toEqual(expect.arrayContaining(["carol", sam]));

    await admin.del(userDn);
    await sync(snapshot);
    result = assess();
    expect(result("unsecure-account-attributes").names).not.toContain(sam);
    expect([...snapshot.objects.values()].some((o) => o.name === sam)).toBe(false);
  });
});
