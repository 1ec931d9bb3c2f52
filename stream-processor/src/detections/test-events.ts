// Event builders for the detection and engine tests: each returns a finalized contract event, so
// tests exercise exactly what a sensor would publish. Not exported from the package.
import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import type { Alert, AlertUpdate } from "../engine/alerts.ts";
import type { EntityContext } from "../engine/context.ts";
import type { Detection } from "../engine/detection.ts";
import { createEngine, type Engine } from "../engine/engine.ts";

/** Start of every test timeline; offsets are milliseconds after it. */
export const T0 = Date.parse("2024-03-01T10:00:00.000Z");
export const SECOND = 1_000;

let record = 0;
const origin = (eventId: number) => ({ format: "evtx" as const, recordId: String(++record), eventId, channel: "Security" });

/** Fields every builder accepts. */
export interface Common {
  tenant?: string;
  /** Offset from T0 in ms. */
  t?: number;
  dc?: string;
  ip?: string;
  host?: string;
}

function base(c: Common) {
  const src = c.ip || c.host ? { ...(c.ip ? { ip: c.ip } : {}), ...(c.host ? { host: c.host } : {}) } : undefined;
  return {
    tenantId: c.tenant ?? "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: c.dc ?? "DC01.acme.local",
    ...(src ? { src } : {}),
  };
}

const user = (name: string): Principal => ({ name, domain: "ACME" });

export type AuthKind = "logon" | "kerberos.preauth-failure" | "kerberos.as" | "ntlm" | "ldap.bind";

/** A failed authentication of `account` as each source records it (4625, 4771, AS-REP 0x18, 4776, LDAP 49). */
export function failure(kind: AuthKind, account: string, c: Common = {}, code?: number): VigilEvent {
  const actor = user(account);
  const drafts: Record<AuthKind, () => EventDraft> = {
    logon: () => ({
      ...base(c),
      kind: "logon",
      actor,
      success: false,
      logonType: 3,
      status: 0xc000006d,
      subStatus: code ?? 0xc000006a,
      origin: origin(4625),
    }),
    "kerberos.preauth-failure": () => ({
      ...base(c),
      kind: "kerberos.preauth-failure",
      actor,
      result: code ?? 0x18,
      preAuthType: 2,
      origin: origin(4771),
    }),
    "kerberos.as": () => ({
      ...base(c),
      kind: "kerberos.as",
      actor,
      result: code ?? 0x18,
      origin: { format: "pcap", recordId: String(++record) },
    }),
    ntlm: () => ({
      ...base(c),
      kind: "ntlm",
      actor,
      result: code ?? 0xc000006a,
      ...(c.host ? { workstation: c.host } : {}),
      origin: origin(4776),
    }),
    "ldap.bind": () => ({
      ...base(c),
      kind: "ldap.bind",
      actor,
      bindType: "simple",
      result: code ?? 49,
      origin: { format: "pcap", recordId: String(++record) },
    }),
  };
  return finalizeEvent(drafts[kind]());
}

/** A successful authentication of `account` (4624, AS-REP, NTLM 0x0, LDAP bind 0). */
export function success(kind: "logon" | "kerberos.as" | "ntlm" | "ldap.bind", account: string, c: Common = {}): VigilEvent {
  const actor = user(account);
  const drafts = {
    logon: (): EventDraft => ({ ...base(c), kind: "logon", actor, success: true, logonType: 3, origin: origin(4624) }),
    "kerberos.as": (): EventDraft => ({ ...base(c), kind: "kerberos.as", actor, result: 0, etype: 0x12, origin: origin(4768) }),
    ntlm: (): EventDraft => ({ ...base(c), kind: "ntlm", actor, result: 0, origin: origin(4776) }),
    "ldap.bind": (): EventDraft => ({
      ...base(c),
      kind: "ldap.bind",
      actor,
      bindType: "simple",
      result: 0,
      origin: { format: "pcap", recordId: String(++record) },
    }),
  };
  return finalizeEvent(drafts[kind]());
}

/** The replication GUIDs of 4662. */
export const GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
export const GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";
export const GET_CHANGES_FILTERED = "89e95b76-444d-4c62-991a-0facbeda640c";

/** A replication request (4662 when it has rights, DRSUAPI on the wire when it has an operation). */
export function replication(actor: Principal | undefined, c: Common & { rights?: string[]; operation?: string } = {}): VigilEvent {
  const wire = c.operation !== undefined;
  return finalizeEvent({
    ...base(c),
    kind: "replication",
    ...(actor ? { actor } : {}),
    rights: c.rights ?? (wire ? [] : [GET_CHANGES, GET_CHANGES_ALL]),
    ...(c.operation ? { operation: c.operation } : {}),
    origin: wire ? { format: "pcap", recordId: String(++record) } : origin(4662),
  });
}

/** A group membership change (4728/4732/4756). */
export function membership(
  actor: Principal | undefined,
  member: Principal,
  group: Principal,
  c: Common & { action?: "add" | "remove" } = {},
): VigilEvent {
  return finalizeEvent({
    ...base(c),
    kind: "group.membership",
    ...(actor ? { actor } : {}),
    action: c.action ?? "add",
    group,
    member,
    scope: "global",
    origin: origin(c.action === "remove" ? 4729 : 4728),
  });
}

/** An LDAP snapshot of a domain controller's computer object. */
export function dcSnapshot(name: string, sid: string, c: Common = {}): VigilEvent {
  return finalizeEvent({
    ...base(c),
    kind: "entity.snapshot",
    entity: {
      objectType: "computer",
      objectId: sid,
      name,
      attributes: {
        sAMAccountName: `${name}$`,
        dNSHostName: `${name.toLowerCase()}.acme.local`,
        userAccountControl: 0x82000,
        objectSid: sid,
      },
      deleted: false,
    },
    origin: { format: "ldap", recordId: String(++record) },
  });
}

/** A Kerberos TGS event recorded by `dc`: proves `dc` is a domain controller. */
export function kdcEvent(dc: string, c: Common = {}): VigilEvent {
  return finalizeEvent({
    ...base({ ...c, dc }),
    kind: "kerberos.tgs",
    actor: user("alice"),
    result: 0,
    service: "cifs/fs01",
    origin: origin(4769),
  });
}

/** Domain SID used by the fixtures. */
export const DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330";
/** Principal helpers. */
export const acct = (name: string, rid?: number): Principal => ({
  name,
  domain: "ACME",
  ...(rid ? { sid: `${DOMAIN_SID}-${rid}` } : {}),
});
export const group = (name: string, sid?: string): Principal => ({ name, domain: "ACME", ...(sid ? { sid } : {}) });

/** Replays events through a fresh engine; `alerts` holds the latest version of each alert. */
export function replay(
  detections: readonly Detection[],
  events: VigilEvent[],
  setup?: (ctx: EntityContext) => EntityContext,
): { engine: Engine; updates: AlertUpdate[]; alerts: Alert[] } {
  const engine = createEngine({ detections });
  if (setup) for (const tenant of new Set(["acme", ...events.map((e) => e.tenantId)])) engine.updateContext(tenant, setup);
  const updates = events.flatMap((e) => engine.process(e));
  const latest = new Map<string, Alert>();
  for (const u of updates) latest.set(u.alert.id, u.alert);
  return { engine, updates, alerts: [...latest.values()] };
}

/** n copies of a builder's output, spaced `every` ms apart from `from`. */
export function times(n: number, build: (c: Common, i: number) => VigilEvent, every = SECOND, from = 0): VigilEvent[] {
  return Array.from({ length: n }, (_, i) => build({ t: from + i * every }, i));
}
