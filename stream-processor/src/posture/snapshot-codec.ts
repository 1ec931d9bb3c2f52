/**
 * DirectorySnapshot ⇄ JSON, so the processor can persist each tenant's snapshot and resume after a
 * restart without a full re-sync. Decoding checks every object: an unreadable one is skipped and
 * reported (the rest are kept); unreadable structure (not an object, no tenant) is an error.
 */
import { PostureInputError } from "./errors.ts";
import type { Ace, AttributeValue, DirectoryObject, DirectoryObjectType, DirectorySnapshot } from "./model.ts";

/** The JSON form of a snapshot. */
export interface SnapshotJson {
  v: 1;
  tenantId: string;
  syncedAt?: string;
  objects: DirectoryObject[];
  tombstones: [string, string][];
  acls?: DirectorySnapshot["acls"];
  domainPolicy?: DirectorySnapshot["domainPolicy"];
}

/** Encodes a snapshot as plain JSON data. */
export function encodeSnapshot(s: DirectorySnapshot): SnapshotJson {
  return {
    v: 1,
    tenantId: s.tenantId,
    ...(s.syncedAt ? { syncedAt: s.syncedAt } : {}),
    objects: [...s.objects.values()],
    tombstones: [...s.tombstones],
    ...(s.acls ? { acls: s.acls } : {}),
    ...(s.domainPolicy ? { domainPolicy: s.domainPolicy } : {}),
  };
}

const TYPES = new Set<DirectoryObjectType>(["user", "computer", "group", "domain", "ou", "gpo", "trust", "site", "subnet"]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is string => typeof v === "string" && !Number.isNaN(Date.parse(v));
const isValue = (v: unknown): v is AttributeValue =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" || (Array.isArray(v) && v.every((x) => typeof x === "string"));

function objectProblem(o: unknown): string | undefined {
  if (!isRecord(o)) return "not an object";
  if (typeof o.objectId !== "string" || !o.objectId) return "no objectId";
  if (!TYPES.has(o.objectType as DirectoryObjectType)) return `objectType ${JSON.stringify(o.objectType)} is unknown`;
  if (!isTime(o.time)) return "time is not an ISO time";
  if (o.dn !== undefined && typeof o.dn !== "string") return "dn is not a string";
  if (o.name !== undefined && typeof o.name !== "string") return "name is not a string";
  if (!isRecord(o.attributes)) return "attributes is not an object";
  const bad = Object.entries(o.attributes).find(([, v]) => !isValue(v));
  return bad ? `attribute ${bad[0]} has an unsupported value` : undefined;
}

const isAceList = (v: unknown): v is Ace[] =>
  Array.isArray(v) &&
  v.every((a) => isRecord(a) && typeof a.trusteeSid === "string" && (a.type === "allow" || a.type === "deny") && Array.isArray(a.rights));

/** Decodes saved JSON; throws PostureInputError when the whole is unusable, reports skipped objects. */
export function decodeSnapshot(
  json: unknown,
  onProblem: (p: { index: number; reason: string }) => void = () => undefined,
): DirectorySnapshot {
  if (!isRecord(json) || json.v !== 1 || typeof json.tenantId !== "string" || !Array.isArray(json.objects))
    throw new PostureInputError("POSTURE_BAD_STATE", "saved posture snapshot is not a version-1 snapshot with a tenantId and objects");
  const objects = new Map<string, DirectoryObject>();
  json.objects.forEach((o: unknown, index) => {
    const reason = objectProblem(o);
    if (reason) onProblem({ index, reason });
    else objects.set((o as DirectoryObject).objectId, o as DirectoryObject);
  });
  const tombstones = new Map<string, string>();
  for (const t of Array.isArray(json.tombstones) ? (json.tombstones as unknown[]) : [])
    if (Array.isArray(t) && typeof t[0] === "string" && isTime(t[1])) tombstones.set(t[0], t[1]);
  const acls = isRecord(json.acls) ? json.acls : undefined;
  const policy = isRecord(json.domainPolicy) ? json.domainPolicy : undefined;
  return {
    tenantId: json.tenantId,
    objects,
    tombstones,
    ...(isTime(json.syncedAt) ? { syncedAt: json.syncedAt } : {}),
    ...(acls
      ? {
          acls: {
            ...(isAceList(acls.adminSdHolder) ? { adminSdHolder: acls.adminSdHolder } : {}),
            ...(isAceList(acls.domainRoot) ? { domainRoot: acls.domainRoot } : {}),
          },
        }
      : {}),
    ...(policy && typeof policy.ldapServerIntegrity === "number"
      ? { domainPolicy: { ldapServerIntegrity: policy.ldapServerIntegrity } }
      : {}),
  };
}
