import { isIPv4, isIPv6 } from "node:net";
import { badInput } from "../../errors.ts";
import { EntityTagKind } from "./entity.types.ts";

/*
 * What an entity tag may name: exactly what the stream processor can match when it loads tags into
 * detection context (stream-processor/src/runtime/entity-context.ts `tagRef`, engine/names.ts
 * `normRef`, engine/context.ts). The API may not import the processor (DESIGN §2), so the rules are
 * restated here; keep them in step.
 *
 *   [kind:]ref, kind one of user, account, computer, host, group, ip, sid, entity (the prefixes the
 *   processor drops; alerts use account:… and host:…), ref one of
 *   - a SID: S-1-5-21-…-1104 (not the NULL SID S-1-0-0)
 *   - an account or group name: bob, CORP\bob, bob@corp.lab, WS01$ (machine account), Domain Admins
 *   - a host as its first DNS label: ws01 (the processor compares hosts by first label only, so
 *     computer:ws01.corp.lab would never match and is refused)
 *   - an IP address (v4 or v6) or an IPv4 CIDR: 10.0.0.5, fe80::1, 10.0.0.0/24
 *
 * Sensitive and honeytoken tags are matched against accounts and groups (SID or name). Server-role
 * tags (DC, ADFS, EXCHANGE, ADCS) name a computer: by host name, machine SID or exact IP address.
 * Only exclusions are matched against CIDRs.
 */
export const MAX_ENTITY_KEY = 256;
export const ENTITY_KEY_PREFIXES = ["user", "account", "computer", "host", "group", "ip", "sid", "entity"] as const;

/** Detection ids are kebab-case names (`dcsync`, `pass-the-hash`). The list lives in the processor, which the API may not import. */
export const DETECTION_ID = /^[a-z0-9-]{3,64}$/;

type RefKind = "sid" | "ip" | "cidr" | "name";

const PREFIX = new RegExp(`^(${ENTITY_KEY_PREFIXES.join("|")}):`, "i");
const SID = /^S-1-\d+(-\d+)+$/i;
// Characters AD forbids in sAMAccountName (plus @, which separates a realm), and control characters.
// eslint-disable-next-line no-control-regex
const NAME = /^[^"/\\[\]:;|=,+*?<>@\u0000-\u001f\u007f]+$/;
const REALM = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const examples = 'e.g. "user:S-1-5-21-…-1104", "account:CORP\\bob", "host:ws01", "ip:10.0.0.0/24"';

/**
 * The key to store (trimmed), or BAD_USER_INPUT saying why the processor could not use it. `tag`
 * narrows what is allowed: only EXCLUDED applies to IP addresses.
 */
export function validateEntityKey(raw: string, tag: EntityTagKind): string {
  const key = raw.trim();
  if (key.length === 0 || key.length > MAX_ENTITY_KEY) throw badInput(`entityKey must be 1-${MAX_ENTITY_KEY} characters`);
  if (CONTROL.test(key)) throw badInput("entityKey must not contain control characters");
  const prefix = PREFIX.exec(key)?.[1]?.toLowerCase();
  const ref = prefix ? key.slice(prefix.length + 1).trim() : key;
  const kind = refKind(ref, prefix);

  if (prefix === "sid" && kind !== "sid") throw badInput('entityKey: "sid:" must be followed by a SID (S-1-…)');
  if (prefix === "ip" && kind !== "ip" && kind !== "cidr")
    throw badInput('entityKey: "ip:" must be followed by an IP address or IPv4 CIDR');
  if ((prefix === "user" || prefix === "account" || prefix === "group") && (kind === "ip" || kind === "cidr")) {
    throw badInput(`entityKey: "${prefix}:" names an account by SID or name; use "ip:" or "host:" for an address`);
  }
  if ((prefix === "computer" || prefix === "host") && kind === "name" && !isHostName(ref)) {
    throw badInput(`entityKey: a host is matched by its first DNS label without domain, e.g. "${prefix}:ws01"`);
  }
  if ((tag === EntityTagKind.SENSITIVE || tag === EntityTagKind.HONEYTOKEN) && (kind === "ip" || kind === "cidr")) {
    throw badInput(`entityKey: ${tag} tags match accounts and groups by SID or name; only EXCLUDED applies to IP addresses`);
  }
  if (isServerRole(tag)) {
    if (kind === "cidr") throw badInput(`entityKey: a ${tag} role names one server: a host ("host:dc01"), its SID or one IP address`);
    if (prefix === "user" || prefix === "account" || prefix === "group") {
      throw badInput(`entityKey: a ${tag} role names a server, not an account or group; use "host:", "sid:" or "ip:"`);
    }
  }
  return key;
}

/** Whether a tag names a server role rather than a sensitivity, honeytoken or exclusion. */
export function isServerRole(tag: EntityTagKind): boolean {
  return tag === EntityTagKind.DC || tag === EntityTagKind.ADFS || tag === EntityTagKind.EXCHANGE || tag === EntityTagKind.ADCS;
}

/**
 * Loose check for removing a tag: only the length. Tags written another way (seed, SQL) may not
 * pass {@link validateEntityKey} and must still be removable.
 */
export function validateEntityKeyForRemoval(raw: string): string {
  const key = raw.trim();
  if (key.length === 0 || key.length > MAX_ENTITY_KEY) throw badInput(`entityKey must be 1-${MAX_ENTITY_KEY} characters`);
  return key;
}

/** The detection id to store: null, or a well-shaped id on an EXCLUDED tag. */
export function validateDetectionId(detectionId: string | null | undefined, tag: EntityTagKind): string | null {
  if (detectionId === null || detectionId === undefined) return null;
  if (tag !== EntityTagKind.EXCLUDED) throw badInput("detectionId applies only to EXCLUDED tags (leave it out for the other tags)");
  if (!DETECTION_ID.test(detectionId)) {
    throw badInput('detectionId must be a detection id such as "dcsync" (3-64 characters: a-z, 0-9, -); leave it out for all detections');
  }
  return detectionId;
}

function refKind(ref: string, prefix: string | undefined): RefKind {
  if (ref.length === 0) throw badInput(`entityKey has a kind prefix but nothing after it (${examples})`);
  if (/^S-1-/i.test(ref)) {
    if (!SID.test(ref) || ref.toUpperCase() === "S-1-0-0") throw badInput(`entityKey: "${ref}" is not a valid SID`);
    return "sid";
  }
  if (ref.includes("/")) {
    const [base = "", bits = ""] = ref.split("/");
    if (ref.split("/").length !== 2 || !isIPv4(base) || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) {
      throw badInput(`entityKey: "${ref}" is not an IPv4 CIDR such as 10.0.0.0/24 (IPv6 ranges are not supported)`);
    }
    return "cidr";
  }
  if (isIPv4(ref) || (/^[0-9a-f:.]+$/i.test(ref) && isIPv6(ref))) return "ip";
  if (ref.includes(":")) {
    if (!prefix) {
      const known = ENTITY_KEY_PREFIXES.map((p) => `${p}:`).join(", ");
      throw badInput(`entityKey: unknown kind prefix "${ref.slice(0, ref.indexOf(":"))}:" (known: ${known})`);
    }
    throw badInput(`entityKey: "${ref}" is not a valid IP address, and a name cannot contain ":"`);
  }
  if (!isAccountName(ref)) {
    throw badInput(`entityKey: "${ref}" is not a SID, account name (name, DOMAIN\\name, name@realm), host or IP address (${examples})`);
  }
  return "name";
}

// name, DOMAIN\name or name@realm, as normName in the processor reads them.
function isAccountName(ref: string): boolean {
  const slash = ref.indexOf("\\");
  const domain = slash >= 0 ? ref.slice(0, slash) : undefined;
  const rest = slash >= 0 ? ref.slice(slash + 1) : ref;
  const at = rest.indexOf("@");
  const name = (at >= 0 ? rest.slice(0, at) : rest).trim();
  const realm = at >= 0 ? rest.slice(at + 1) : undefined;
  if (domain !== undefined && (domain.trim().length === 0 || !NAME.test(domain))) return false;
  if (realm !== undefined && !REALM.test(realm)) return false;
  return name.length > 0 && name !== "-" && name !== "$" && NAME.test(name);
}

// A first DNS label, optionally as a machine account (`WS01$`).
function isHostName(ref: string): boolean {
  return /^[A-Za-z0-9_-]+\$?$/.test(ref) && ref !== "-";
}
