// Helpers shared by the domain-dominance detections (golden-ticket, dcshadow, zerologon,
// certificate-abuse, abnormal-sensitive-logon, lateral-movement-path-opened).
import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import { isDcAccount, isDcHost, isSensitiveGroup, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { normHost, normName, normSid } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { label } from "./entities.ts";

/** True for the anonymous logon (S-1-5-7, `NT AUTHORITY\ANONYMOUS LOGON`): who Zerologon's password set runs as. */
export function isAnonymous(p: Principal | undefined): boolean {
  return normSid(p?.sid) === "S-1-5-7" || normName(p?.name) === "anonymous logon";
}

/** The host name a computer principal stands for: `NAME$`, or the CN of its DN; lower-case first label. */
export function computerHost(p: Principal | undefined): string | undefined {
  const name = p?.name?.trim();
  if (name) return normHost(normName(name));
  const cn = p?.dn ? /^CN=((?:\\,|[^,])+)/i.exec(p.dn.trim())?.[1] : undefined;
  return normHost(cn);
}

/**
 * True when a computer principal (by SID, `NAME$`, DN or bare name) is a known domain controller, or
 * is the machine account `NAME$` of the DC that recorded the event (a DC's own account, seen before
 * anything taught ctx that NAME is a DC). The `$` is required there: noPac names a user like a DC.
 */
export function isDcComputer(ctx: EntityContext, p: Principal | undefined, recordedOn?: string): boolean {
  if (isDcAccount(ctx, p)) return true;
  const name = p?.name?.trim();
  if (name && !name.endsWith("$")) return false;
  return isDcHost(ctx, computerHost(p)) || (!!recordedOn && !!name && computerHost(p) === normHost(recordedOn));
}

/** Whole days a detection's baseline covers at the current event (state.since → state.now). */
export function baselineDays(state: { now: number; since: number | undefined }): number {
  return Math.floor((state.now - (state.since ?? state.now)) / DAY);
}

/** The CN of a DN (`CN=NTDS Settings,CN=WS01,…` → `NTDS Settings`), unescaped. */
export function rdnValue(dn: string | undefined, index = 0): string | undefined {
  if (!dn) return undefined;
  const parts = dn.split(/(?<!\\),/);
  const m = /^\s*\w+=(.*)$/.exec(parts[index] ?? "");
  return m?.[1]?.replace(/\\,/g, ",").trim();
}

// How long a learned sensitive membership is trusted without being seen again (LDAP sync refreshes it).
const SENSITIVE_TTL_MS = 180 * DAY;

/** The state keys of an account: its SID and its name (DN CN when the event names it only by DN). */
export function accountRefs(p: Principal | undefined): string[] {
  const refs: string[] = [];
  const sid = normSid(p?.sid);
  if (sid) refs.push(sid);
  const name = normName(p?.name) ?? (p?.dn ? rdnValue(p.dn)?.toLowerCase() : undefined);
  if (name) refs.push(name.endsWith("$") ? name.slice(0, -1) : name);
  return refs;
}

/**
 * Learns which accounts are sensitive from the events a detection sees, into its own state (ctx
 * knows only tags and group identities, not members): `group.membership` adds to / removes from a
 * sensitive group, and `entity.snapshot` users with `adminCount` = 1 (protected by AdminSDHolder,
 * i.e. members of a protected group, now or in the past) or a sensitive group in `memberOf`.
 * Returns true when the event was such a fact (so the caller need not look further).
 */
export function learnSensitivity(event: VigilEvent, state: DetectionState, ctx: EntityContext): boolean {
  if (event.kind === "group.membership") {
    // A local group without `dc` was recorded on a member server: its Administrators are that
    // computer's, not the domain's (the mapper sets `dc` only for DC-recorded groups).
    const memberServerLocal = event.scope === "local" && !event.dc;
    if (memberServerLocal || !isSensitiveGroup(ctx, event.group, event.dc ?? event.origin.computer)) return true;
    for (const ref of accountRefs(event.member)) {
      if (event.action === "add") state.set("sensitive:", ref, label(event.group), SENSITIVE_TTL_MS);
      else state.delete("sensitive:", ref);
    }
    return true;
  }
  if (event.kind === "entity.snapshot") {
    const e = event.entity;
    if (e.objectType !== "user" || e.deleted) return true;
    const a = e.attributes;
    const memberOf = ([] as string[]).concat((a["memberOf"] as string[] | string | undefined) ?? []);
    const group = memberOf.find((dn) => isSensitiveGroup(ctx, { name: rdnValue(dn) ?? dn }));
    const why = group ? (rdnValue(group) ?? group) : String(a["adminCount"] ?? "") === "1" ? "adminCount=1" : undefined;
    const p: Principal = {
      sid: typeof a["objectSid"] === "string" ? a["objectSid"] : e.objectId,
      name: typeof a["sAMAccountName"] === "string" ? a["sAMAccountName"] : e.name,
    };
    for (const ref of accountRefs(p)) {
      if (why) state.set("sensitive:", ref, why, SENSITIVE_TTL_MS);
      else state.delete("sensitive:", ref);
    }
    return true;
  }
  return false;
}

/**
 * Why an account is sensitive, or undefined: tagged in ctx, the built-in Administrator (RID 500), or
 * learned by learnSensitivity. Machine accounts are left out: DCs are "sensitive" as members of
 * Domain Controllers, but their authentications are the DCs' own business.
 */
export function sensitiveReason(state: DetectionState, ctx: EntityContext, p: Principal | undefined): string | undefined {
  if (p?.name?.trim().endsWith("$")) return undefined;
  const refs = accountRefs(p);
  // Asked for every authentication: no closure when nothing is tagged, and the RID test before the regex.
  if (ctx.sensitive.length > 0 && refs.some((r) => ctx.sensitive.includes(r))) return "tagged sensitive";
  const sid = normSid(p?.sid);
  if (sid?.endsWith("-500") && /^S-1-5-21-\d+-\d+-\d+-500$/.test(sid)) return "built-in Administrator";
  if (!state.holds("sensitive:")) return undefined;
  for (const r of refs) {
    const why = state.get<string>("sensitive:", r);
    if (why) return `member of ${why}`;
  }
  return undefined;
}
