import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import { hasExclusions, isEntityExcluded, resolveSourceHost, type EntityContext } from "../engine/context.ts";
import { isLoopback, normHost, normIp, normName, normSid } from "../engine/names.ts";
import type { AlertEntity, EntityRole } from "../engine/detection.ts";

/** An event's originating machine as an aggregation key and an alert entity. */
export interface Source {
  key: string;
  entity: AlertEntity;
}

/**
 * Where an event came from: its IP (preferred: it is what 4625/4771 and the wire give), else its host
 * name (4776 gives only the workstation), else nothing. A loopback address means the recording host
 * itself, e.g. a local service logging on. With the context, an IP gets the name of the computer that
 * held it at the event's time (host-resolution.ts) as its entity name; the key stays the IP, so alerts
 * aggregate the same whether or not the IP resolved.
 */
export function sourceOf(event: VigilEvent, ctx?: EntityContext): Source | undefined {
  if (ctx) return resolvedSourceOf(event, ctx);
  // Most detections routed an event ask for its source: the last answer is reused while every field
  // it depends on is the very same (the object is shared; no caller modifies it).
  const ip = event.src?.ip;
  const host = event.src?.host;
  const workstation = event.kind === "ntlm" ? event.workstation : undefined;
  const target = event.target?.host;
  const c = lastSource;
  if (c.ip === ip && c.host === host && c.workstation === workstation && c.target === target && c.dc === event.dc && c.set) return c.source;
  const source = resolvedSourceOf(event, undefined);
  lastSource = { ip, host, workstation, target, dc: event.dc, set: true, source };
  return source;
}

let lastSource: {
  ip?: string;
  host?: string;
  workstation?: string;
  target?: string;
  dc?: string;
  set: boolean;
  source: Source | undefined;
} = { set: false, source: undefined };

function resolvedSourceOf(event: VigilEvent, ctx: EntityContext | undefined): Source | undefined {
  const ip = normIp(event.src?.ip);
  if (ip && !isLoopback(ip)) {
    const held = ctx ? resolveSourceHost(ctx, ip, event.time) : undefined;
    return { key: `host:${ip}`, entity: { role: "source", kind: "ip", id: ip, ...(held ? { name: held.host.toUpperCase() } : {}) } };
  }
  const workstation = event.kind === "ntlm" ? event.workstation : undefined;
  const rawHost = event.src?.host ?? workstation ?? (ip ? (event.target?.host ?? event.dc) : undefined);
  const host = normHost(rawHost);
  if (!host) return undefined;
  return { key: `host:${host}`, entity: { role: "source", kind: "computer", id: host, name: rawHost } };
}

/** The event's source address, unless it is the recording host's own loopback. */
export function remoteAddress(event: VigilEvent): string | undefined {
  const ip = normIp(event.src?.ip);
  return ip && !isLoopback(ip) ? ip : undefined;
}

/** The source entity behind a `host:` key made by sourceOf. */
export function sourceFromKey(key: string): AlertEntity {
  const id = key.slice(key.indexOf(":") + 1);
  return { role: "source", kind: /^\d{1,3}(\.\d{1,3}){3}$/.test(id) || id.includes(":") ? "ip" : "computer", id };
}

/** True for a machine account (`NAME$`). */
export function isMachineAccount(p: Principal | undefined): boolean {
  const name = p?.name;
  if (!name) return false;
  // Trimming is needed only when the name ends in a space or other non-ASCII-printable character.
  const last = name.charCodeAt(name.length - 1);
  if (last === 36) return true;
  if (last > 32 && last < 127) return false;
  return name.trim().endsWith("$");
}

/**
 * Aggregation key of an account. `name` first where sources disagree on SIDs (failed logons carry
 * the NULL SID, 4776 none at all); `sid` first where SIDs are reliable (directory events).
 */
export function accountKey(p: Principal | undefined, prefer: "sid" | "name"): string | undefined {
  // Asked by most detections for the same actor: the last key per preference is reused while the
  // SID and name are the very same, which also hands state lookups a string whose hash is computed.
  const c = prefer === "sid" ? lastKeyBySid : lastKeyByName;
  const sidIn = p?.sid;
  const nameIn = p?.name;
  if (c.set && c.sid === sidIn && c.name === nameIn) return c.key;
  const sid = normSid(sidIn);
  const name = normName(nameIn);
  const v = prefer === "sid" ? (sid ?? name) : (name ?? sid);
  c.set = true;
  c.sid = sidIn;
  c.name = nameIn;
  c.key = v ? `account:${v}` : undefined;
  return c.key;
}

interface KeyCache {
  set: boolean;
  sid?: string;
  name?: string;
  key?: string;
}
const lastKeyBySid: KeyCache = { set: false };
const lastKeyByName: KeyCache = { set: false };

/** `DOMAIN\name`, the name, the CN of the DN, the SID or "an unknown account", for descriptions. */
export function label(p: Principal | undefined): string {
  if (p?.name) return p.domain && !p.name.includes("\\") && !p.name.includes("@") ? `${p.domain}\\${p.name}` : p.name;
  // DCs log group members by DN only (4728 MemberName): its CN is the readable part.
  const cn = p?.dn ? /^CN=((?:\\,|[^,])+)/i.exec(p.dn)?.[1]?.replace(/\\,/g, ",") : undefined;
  return cn ?? p?.sid ?? p?.dn ?? "an unknown account";
}

/** An account as an alert entity (SID as id when there is a real one), or undefined when nameless. */
export function accountEntity(role: EntityRole, p: Principal | undefined, kind?: AlertEntity["kind"]): AlertEntity | undefined {
  const id = normSid(p?.sid) ?? p?.name ?? p?.dn;
  if (!id) return undefined;
  const entity: AlertEntity = { role, kind: kind ?? (isMachineAccount(p) ? "computer" : "user"), id };
  if (p?.name || p?.dn) entity.name = label(p);
  return entity;
}

/**
 * True when the account is excluded for the detection (as the actor entity accountEntity makes).
 * Most events of most detections ask, and almost no tenant excludes anything: the entity (and its
 * label string) is built only when there is an exclusion to test it against.
 */
export function isActorExcluded(ctx: EntityContext, detectionId: string, p: Principal | undefined): boolean {
  return hasExclusions(ctx, detectionId) && isEntityExcluded(ctx, detectionId, accountEntity("actor", p));
}

/** A host (DC, target server) as an alert entity. */
export function hostEntity(role: EntityRole, host: string | undefined): AlertEntity | undefined {
  const h = normHost(host);
  if (!h || !host) return undefined;
  return { role, kind: /^[0-9a-f:.]+$/.test(h) && /[.:]/.test(h) ? "ip" : "computer", id: h, name: host };
}

/** Drops the undefined entries of an entity list. */
export function present(...entities: (AlertEntity | undefined)[]): AlertEntity[] {
  return entities.filter((e): e is AlertEntity => e !== undefined);
}

/** "a, b, c and 4 more", for descriptions. */
export function listed(items: string[], max = 3): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}
