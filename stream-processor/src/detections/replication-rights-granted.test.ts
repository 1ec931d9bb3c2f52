import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { replicationRightsGranted } from "./replication-rights-granted.ts";
import { acct, DOMAIN_SID, GET_CHANGES, GET_CHANGES_ALL, replay, T0 } from "./test-events.ts";

const ROOT = "DC=acme,DC=local";
const bob = acct("bob", 1108);
const MALLORY = `${DOMAIN_SID}-1105`;
const MSOL = `${DOMAIN_SID}-1300`;
const DEFAULTS = `(OA;;CR;${GET_CHANGES};;BA)(OA;;CR;${GET_CHANGES_ALL};;BA)(OA;;CR;${GET_CHANGES_ALL};;DD)(OA;;CR;${GET_CHANGES};;ED)(OA;;CR;${GET_CHANGES};;${DOMAIN_SID}-498)`;
const sd = (...aces: string[]) => `O:BAG:BAD:AI(A;;RP;;;AU)${DEFAULTS}${aces.join("")}`;
const dcsyncFor = (sid: string) => [`(OA;;CR;${GET_CHANGES};;${sid})`, `(OA;;CR;${GET_CHANGES_ALL};;${sid})`];

let rec = 0;
function sdChange(
  actor: Principal | undefined,
  op: "add" | "delete",
  value: string,
  c: { t?: number; dn?: string; cls?: string } = {},
): VigilEvent {
  const objectDn = c.dn ?? ROOT;
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    ...(actor ? { actor } : {}),
    target: { dn: objectDn },
    objectDn,
    objectClass: c.cls ?? "domainDNS",
    attribute: "nTSecurityDescriptor",
    operation: op,
    value,
    origin: { format: "evtx", recordId: String(++rec), eventId: 5136, channel: "Security" },
  });
}
/** One DACL replace as 5136 logs it: the old descriptor deleted, the new one added, same time. */
const replace = (before: string, after: string, c: { t?: number; dn?: string; cls?: string; addFirst?: boolean } = {}) => {
  const pair = [sdChange(bob, "delete", before, c), sdChange(bob, "add", after, c)];
  return c.addFirst ? pair.reverse() : pair;
};

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "PowerView Add-DomainObjectAcl -Rights DCSync for a user",
    events: () => replace(sd(), sd(...dcsyncFor(MALLORY))),
    expect: [`high account:${MALLORY}`],
  },
  {
    name: "the add logged before its delete (export order)",
    events: () => replace(sd(), sd(...dcsyncFor(MALLORY)), { addFirst: true }),
    expect: [`high account:${MALLORY}`],
  },
  { name: "full control (GA) on the domain", events: () => replace(sd(), sd(`(A;;GA;;;${MALLORY})`)), expect: [`high account:${MALLORY}`] },
  {
    name: "all extended rights (CR without an object GUID)",
    events: () => replace(sd(), sd(`(A;;RPCR;;;${MALLORY})`)),
    expect: [`high account:${MALLORY}`],
  },
  {
    name: "granted one right per write, several writes (one alert per trustee)",
    events: () => [
      ...replace(sd(), sd(dcsyncFor(MALLORY)[0]!), { t: 0 }),
      ...replace(sd(dcsyncFor(MALLORY)[0]!), sd(...dcsyncFor(MALLORY)), { t: 5_000 }),
    ],
    expect: [`high account:${MALLORY}`],
  },
  {
    name: "an existing grant stays quiet, a new one alerts",
    events: () => replace(sd(...dcsyncFor(MSOL)), sd(...dcsyncFor(MSOL), ...dcsyncFor(MALLORY))),
    expect: [`high account:${MALLORY}`],
  },
  {
    name: "a later burst compares with what the object had",
    events: () => [...replace(sd(), sd(`(A;;RP;;;${MALLORY})`), { t: 0 }), sdChange(bob, "add", sd(...dcsyncFor(MALLORY)), { t: 60_000 })],
    expect: [`high account:${MALLORY}`],
  },
];

const nearMiss: Case[] = [
  { name: "an unrelated ACE added to the domain DACL", events: () => replace(sd(), sd(`(A;;RP;;;${MALLORY})`)), expect: [] },
  {
    name: "a right other than replication (User-Force-Change-Password)",
    events: () => replace(sd(), sd(`(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;${MALLORY})`)),
    expect: [],
  },
  {
    name: "inherit-only replication ACE (applies to children only)",
    events: () => replace(sd(), sd(`(OA;CIIO;CR;${GET_CHANGES_ALL};;${MALLORY})`)),
    expect: [],
  },
  { name: "a deny ACE", events: () => replace(sd(), sd(`(OD;;CR;${GET_CHANGES_ALL};;${MALLORY})`)), expect: [] },
  { name: "the grant removed", events: () => replace(sd(...dcsyncFor(MALLORY)), sd()), expect: [] },
  {
    name: "replication ACE on an OU, not the domain",
    events: () => replace(sd(), sd(...dcsyncFor(MALLORY)), { dn: `OU=Staff,${ROOT}`, cls: "organizationalUnit" }),
    expect: [],
  },
  {
    name: "a lone add with nothing known about the object (baseline)",
    events: () => [sdChange(bob, "add", sd(...dcsyncFor(MALLORY)))],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "an unrelated DACL edit re-logs the Entra Connect grant",
    events: () => replace(sd(...dcsyncFor(MSOL)), sd(...dcsyncFor(MSOL), `(A;;RP;;;AU)`)),
    expect: [],
  },
  {
    name: "default holders (Domain Admins RID 512, Enterprise DCs SID)",
    events: () => replace(sd(), sd(...dcsyncFor(`${DOMAIN_SID}-512`), ...dcsyncFor("S-1-5-9"))),
    expect: [],
  },
  {
    name: "a known DC's machine account",
    events: () => replace(sd(), sd(...dcsyncFor(`${DOMAIN_SID}-1003`))),
    setup: (ctx) => addDc(ctx, { host: "DC03", sid: `${DOMAIN_SID}-1003` }),
    expect: [],
  },
  {
    name: "Entra Connect setup granting MSOL_, excluded by SID",
    events: () => replace(sd(), sd(...dcsyncFor(MSOL))),
    setup: (ctx) => addExclusion(ctx, "replication-rights-granted", MSOL),
    expect: [],
  },
];

describe("replication-rights-granted", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([replicationRightsGranted], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the actor, the trustee and the rights", () => {
    const [alert] = replay([replicationRightsGranted], replace(sd(), sd(...dcsyncFor(MALLORY)))).alerts;
    expect(alert!.description).toBe(
      `ACME\\bob granted ${MALLORY} DS-Replication-Get-Changes, DS-Replication-Get-Changes-All on ${ROOT} on DC01.acme.local. With these rights the trustee can DCSync: copy every password hash, krbtgt's included.`,
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.id}`)).toEqual([`actor:${DOMAIN_SID}-1108`, "dc:dc01", `member:${MALLORY}`]);
  });
});
