/**
 * LDAP entity sync against the real Samba AD DC of scripts/samba/dc.sh: `node --import tsx bench/ldap-sync.ts [GROUPS]`.
 * Adds GROUPS groups (default 500, each with one member; Samba adds ~13 per second here) under a fresh OU, then measures:
 * 1. a full sync (page size 500): objects/s and pages;
 * 2. an incremental sync with nothing changed (the steady-state cost of one interval);
 * 3. an incremental sync after 50 changes;
 * and removes the OU again (its tombstones stay until Samba purges them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Attribute, Change, Client } from "ldapts";
import { createLdapSync } from "../sensor/src/ldap/index.ts";
import { testSamba } from "../test-support/samba.ts";

const groups = Number(process.argv[2] ?? 500);
const run = Date.now().toString(36);
const ou = `OU=Bench-${run},${testSamba.baseDn}`;
const dn = (i: number) => `CN=bench-${run}-${i},${ou}`;
const admin = new Client({ url: testSamba.url });
await admin.bind(testSamba.bindDn, testSamba.password);
await admin.add(ou, { objectClass: ["top", "organizationalUnit"] });
let started = performance.now();
for (let i = 0; i < groups; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, groups - i) }, (_, j) =>
      admin.add(dn(i + j), {
        objectClass: ["top", "group"],
        sAMAccountName: `bench-${run}-${i + j}`,
        ...(i + j > 0 ? { member: [`CN=alice,OU=Staff,${testSamba.baseDn}`] } : {}),
      }),
    ),
  );
}
console.log(`setup: ${groups} groups added over LDAP in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-ldap-"));
const sync = createLdapSync({
  url: testSamba.url,
  bindDn: testSamba.bindDn,
  password: testSamba.password,
  tenantId: "bench",
  sensorId: "bench",
  stateFile: join(dir, "state.json"),
  pageSize: 500,
});
const measure = async (label: string) => {
  let count = 0;
  const t0 = performance.now();
  const r = await sync.sync({ onSnapshot: () => void count++ });
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${r.mode}, ${count} snapshots, ${r.pages} pages in ${s.toFixed(2)} s (${Math.round(count / s)} objects/s)`);
};
try {
  await measure("full sync");
  await measure("incremental, nothing changed");
  for (let i = 0; i < 50; i++)
    await admin.modify(
      dn(i),
      new Change({ operation: "replace", modification: new Attribute({ type: "description", values: [`bench ${i}`] }) }),
    );
  await measure("incremental, 50 changed");
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  started = performance.now();
  for (let i = 0; i < groups; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, groups - i) }, (_, j) => admin.del(dn(i + j)).catch(() => undefined)));
  await admin.del(ou).catch(() => undefined);
  await admin.unbind();
  rmSync(dir, { recursive: true, force: true });
  console.log(`cleanup: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
