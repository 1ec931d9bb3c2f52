// Shared by the directory-change detections (5136 / 4738 / 4742 / 4765 / 4781 / 4794): reading the
// object a change touched, security descriptors in SDDL, and the alert text every one of them needs.
import type { EventOf, Principal, VigilEvent } from "@vigil/sensor/contract";
import { isDcAccount, type EntityContext } from "../engine/context.ts";
import type { AlertCandidate, Severity } from "../engine/detection.ts";
import { normName, normSid } from "../engine/names.ts";
import { accountEntity, hostEntity, isMachineAccount, label, present, sourceOf } from "./entities.ts";

/** A directory.change event. */
export type DirectoryChange = EventOf<"directory.change">;

/** The CN of a DN (`CN=alice,OU=x,DC=y` → `alice`), unescaped. */
export function cnOf(dn: string | undefined): string | undefined {
  return dn ? /^CN=((?:\\,|[^,])+)/i.exec(dn.trim())?.[1]?.replace(/\\,/g, ",") : undefined;
}

/** The changed object as a principal: 4738/4742/4765 give name and SID, 5136 only the DN (its CN is the name). */
export function changedObject(event: DirectoryChange): Principal | undefined {
  const t = event.target;
  const dn = event.objectDn ?? t?.dn;
  if (!t && !dn) return undefined;
  const name = t?.name ?? cnOf(dn);
  return {
    ...(t?.sid ? { sid: t.sid } : {}),
    ...(name ? { name } : {}),
    ...(t?.domain ? { domain: t.domain } : {}),
    ...(dn ? { dn } : {}),
  };
}

/** Case-insensitive attribute comparison (5136 writes LDAP display names, mappers may not). */
export function isAttribute(event: DirectoryChange, attribute: string): boolean {
  return event.attribute.toLowerCase() === attribute.toLowerCase();
}

/** Aggregation key of a changed object: SID when the source gives one, else the DN, else the name. */
export function objectKey(p: Principal | undefined): string | undefined {
  const v = normSid(p?.sid) ?? p?.dn?.trim().toLowerCase() ?? normName(p?.name);
  return v ? `object:${v}` : undefined;
}

/** True when the actor wrote its own object: a machine account `NAME$` changing `CN=NAME`, or the same SID. */
export function isSelfWrite(actor: Principal | undefined, object: Principal | undefined): boolean {
  const actorSid = normSid(actor?.sid);
  if (actorSid && actorSid === normSid(object?.sid)) return true;
  const a = normName(actor?.name)?.replace(/\$$/, "");
  const o = normName(object?.name)?.replace(/\$$/, "");
  return !!a && a === o;
}

/** SYSTEM, or a known DC's machine account: the directory maintaining itself. */
export function isDirectoryItself(ctx: EntityContext, actor: Principal | undefined): boolean {
  return normSid(actor?.sid) === "S-1-5-18" || isDcAccount(ctx, actor);
}

/** Where-clause for descriptions: ` on DC01 from 10.0.0.5`. */
export function whereText(event: VigilEvent): string {
  const source = sourceOf(event);
  return `${event.dc ? ` on ${event.dc}` : ""}${source ? ` from ${source.entity.id}` : ""}`;
}

/** The candidate every directory-change detection emits: actor, changed object, source, recording DC. */
export function changeCandidate(
  detectionId: string,
  event: VigilEvent,
  o: { severity: Severity; title: string; description: string; primaryEntity: string; object?: Principal | undefined },
): AlertCandidate {
  const objectKind = o.object && (isMachineAccount(o.object) || /computer/i.test(objectClassOf(event))) ? "computer" : "user";
  return {
    detectionId,
    severity: o.severity,
    title: o.title,
    description: o.description,
    primaryEntity: o.primaryEntity,
    entities: present(
      accountEntity("actor", event.actor),
      accountEntity("target", o.object, objectKind),
      sourceOf(event)?.entity,
      hostEntity("dc", event.dc),
    ),
    evidenceEventIds: [event.id],
    time: event.time,
  };
}

function objectClassOf(event: VigilEvent): string {
  return event.kind === "directory.change" ? (event.objectClass ?? "") : "";
}

/** Who did it, for descriptions. */
export function actorText(actor: Principal | undefined): string {
  return actor ? label(actor) : "Someone (the source does not say who)";
}

/** One access-control entry of an SDDL string. */
export interface Ace {
  type: string;
  flags: string;
  rights: string;
  objectGuid: string;
  trustee: string;
}

/** The DACL entries of an SDDL security descriptor (`O:..G:..D:AI(A;;..;;;SID)(OA;..)`); SACL entries are skipped. */
export function daclAces(sddl: string | undefined): Ace[] {
  if (!sddl) return [];
  const dacl = /D:[A-Z]*((?:\([^)]*\))*)/i.exec(sddl)?.[1] ?? "";
  const aces: Ace[] = [];
  for (const m of dacl.matchAll(/\(([^)]*)\)/g)) {
    const [type = "", flags = "", rights = "", objectGuid = "", , trustee = ""] = m[1]!.split(";");
    aces.push({
      type: type.toUpperCase(),
      flags: flags.toUpperCase(),
      rights: rights.toUpperCase(),
      objectGuid: objectGuid.toLowerCase(),
      trustee: trustee.toUpperCase(),
    });
  }
  return aces;
}

/** The trustees an RBCD value (`msDS-AllowedToActOnBehalfOfOtherIdentity`, SDDL) allows to delegate. */
export function allowedTrustees(sddl: string | undefined): string[] {
  return [
    ...new Set(
      daclAces(sddl)
        .filter((a) => a.type === "A" || a.type === "OA")
        .map((a) => a.trustee),
    ),
  ];
}
