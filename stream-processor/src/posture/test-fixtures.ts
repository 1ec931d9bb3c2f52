// Snapshot builders for the posture tests: a small domain (ACME, SID S-1-5-21-1-2-3) with the
// default groups and accounts every domain has, so each test adds only what it is about.
import { expect, it } from "vitest";
import { assessPosture } from "./assess.ts";
import type { PostureAssessment } from "./assessment.ts";
import { readDirectory } from "./directory.ts";
import type {
  AssessmentResult,
  AssessmentStatus,
  AttributeValue,
  DirectoryObject,
  DirectorySnapshot,
  TrafficObservations,
} from "./model.ts";

export const DOMAIN_SID = "S-1-5-21-1-2-3";
export const BASE = "DC=acme,DC=local";
export const NOW = "2026-11-25T12:00:00.000Z";
const DAY = 86_400_000;
/** ISO time `n` days before NOW. */
export const daysAgo = (n: number): string => new Date(Date.parse(NOW) - n * DAY).toISOString();

type Attrs = Record<string, AttributeValue>;
const NORMAL = 0x200;
const WORKSTATION = 0x1000;

/** A user account with RID `rid`. */
export function user(sam: string, rid: number, attrs: Attrs = {}): DirectoryObject {
  const sid = `${DOMAIN_SID}-${rid}`;
  return {
    objectId: sid,
    objectType: "user",
    dn: `CN=${sam},CN=Users,${BASE}`,
    name: sam,
    time: daysAgo(400),
    attributes: {
      objectSid: sid,
      sAMAccountName: sam,
      userAccountControl: NORMAL,
      primaryGroupID: 513,
      primaryGroupSid: `${DOMAIN_SID}-513`,
      pwdLastSet: daysAgo(10),
      lastLogonTimestamp: daysAgo(1),
      whenCreated: daysAgo(400),
      ...attrs,
    },
  };
}

/** A computer account `NAME$`. */
export function computer(name: string, rid: number, attrs: Attrs = {}): DirectoryObject {
  const sid = `${DOMAIN_SID}-${rid}`;
  return {
    objectId: sid,
    objectType: "computer",
    dn: `CN=${name},CN=Computers,${BASE}`,
    name: `${name}$`,
    time: daysAgo(400),
    attributes: {
      objectSid: sid,
      sAMAccountName: `${name}$`,
      dNSHostName: `${name.toLowerCase()}.acme.local`,
      userAccountControl: WORKSTATION,
      primaryGroupID: 515,
      primaryGroupSid: `${DOMAIN_SID}-515`,
      ...attrs,
    },
  };
}

/** A writable DC (SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION, primary group Domain Controllers). */
export const dc = (name: string, rid: number, attrs: Attrs = {}): DirectoryObject =>
  computer(name, rid, { userAccountControl: 0x82000, primaryGroupID: 516, primaryGroupSid: `${DOMAIN_SID}-516`, ...attrs });

/** A group with members given as objects (written to `member` by DN). */
export function group(name: string, sid: string, members: DirectoryObject[] = [], attrs: Attrs = {}): DirectoryObject {
  return {
    objectId: sid,
    objectType: "group",
    dn: `CN=${name},CN=Users,${BASE}`,
    name,
    time: daysAgo(400),
    attributes: { objectSid: sid, sAMAccountName: name, member: members.map((m) => m.dn!), ...attrs },
  };
}

/** The domain head object. */
export const domainObject = (attrs: Attrs = {}): DirectoryObject => ({
  objectId: "guid-domain",
  objectType: "domain",
  dn: BASE,
  name: "acme",
  time: daysAgo(400),
  attributes: { objectSid: DOMAIN_SID, "ms-DS-MachineAccountQuota": 0, ...attrs },
});

/** A healthy baseline: domain, krbtgt, Administrator, Guest (disabled), one DC, Domain Admins. */
export function baseline(): DirectoryObject[] {
  const admin = user("Administrator", 500);
  return [
    domainObject(),
    admin,
    user("krbtgt", 502, { userAccountControl: NORMAL | 0x2, lastLogonTimestamp: "never" }),
    user("Guest", 501, { userAccountControl: NORMAL | 0x2, primaryGroupID: 514, primaryGroupSid: `${DOMAIN_SID}-514` }),
    dc("DC01", 1000),
    group("Domain Admins", `${DOMAIN_SID}-512`, [admin]),
  ];
}

/** A snapshot of the baseline with `changes` applied (objects replace same-id ones). */
export function snapshot(changes: DirectoryObject[] = [], extra: Partial<DirectorySnapshot> = {}): DirectorySnapshot {
  const objects = new Map<string, DirectoryObject>();
  for (const o of [...baseline(), ...changes]) objects.set(o.objectId, o);
  return { tenantId: "acme", objects, tombstones: new Map(), syncedAt: NOW, ...extra };
}

/** Traffic covering the last 30 days with DC01 monitored. */
export function traffic(o: Partial<TrafficObservations> = {}): TrafficObservations {
  return { windowStart: daysAgo(30), windowEnd: NOW, accounts: [], monitoredDcs: ["dc01.acme.local"], ...o };
}

/** Runs one assessment the way assessPosture does and returns its result. */
export function run(a: PostureAssessment, snap: DirectorySnapshot, t?: TrafficObservations, sensitive?: string[]): AssessmentResult {
  const result = assessPosture(snap, t, { now: NOW, assessments: [a], ...(sensitive ? { sensitive } : {}) });
  return result.assessments[0]!;
}

/** Directory view for helper tests. */
export const view = (snap: DirectorySnapshot) => readDirectory(snap, { now: NOW });

/** One row of an assessment's table. */
export interface Case {
  name: string;
  snap: DirectorySnapshot;
  traffic?: TrafficObservations;
  sensitive?: string[];
  status: AssessmentStatus;
  /** Names of the affected entities, any order. */
  affected?: string[];
}

/** Runs each case through `a`, checking status and the affected names. */
export function table(a: PostureAssessment, cases: Case[]): void {
  it.each(cases)("$name", (c) => {
    const r = run(a, c.snap, c.traffic, c.sensitive);
    expect({ status: r.status, affected: r.affected.map((x) => x.name).sort() }).toEqual({
      status: c.status,
      affected: [...(c.affected ?? [])].sort(),
    });
    if (r.status === "unknown") expect(r.note).toBeTruthy();
    for (const x of r.affected) expect(x.reason).toBeTruthy();
  });
}

/** The rows every traffic-based assessment shares: pass on zero use, unknown on missing or short traffic. */
export function trafficCases(field: "ldapSimpleBinds" | "rc4Tickets" | "desTickets" | "ntlmV1"): Case[] {
  const snap = snapshot([user("svc_app", 1100)]);
  return [
    { name: "no use in 30 days passes", snap, traffic: traffic({ accounts: [{ account: "svc_app", [field]: 0 }] }), status: "passed" },
    { name: "no traffic input is unknown", snap, status: "unknown" },
    {
      name: "a stale aggregate is unknown",
      snap,
      traffic: traffic({ windowStart: daysAgo(40), windowEnd: daysAgo(5) }),
      status: "unknown",
    },
    {
      name: "less than 30 days observed is unknown",
      snap,
      traffic: traffic({ windowStart: daysAgo(3), windowEnd: NOW }),
      status: "unknown",
    },
    { name: "no monitored DC is unknown", snap, traffic: traffic({ monitoredDcs: [] }), status: "unknown" },
    {
      name: "use by an account matched by SID fails, even on a short window",
      snap,
      traffic: traffic({ windowStart: daysAgo(3), accounts: [{ account: `${DOMAIN_SID}-1100`, [field]: 2 }] }),
      status: "failed",
      affected: ["svc_app"],
    },
    {
      name: "use by an account unknown to the snapshot is still reported",
      snap,
      traffic: traffic({ accounts: [{ account: "ACME\\printer", [field]: 1 }] }),
      status: "failed",
      affected: ["ACME\\printer"],
    },
  ];
}

/** A copy of `o` without the named attributes (as if the sync had not read them). */
export function omit(o: DirectoryObject, ...names: string[]): DirectoryObject {
  const attributes = { ...o.attributes };
  for (const n of names) delete attributes[n];
  return { ...o, attributes };
}
