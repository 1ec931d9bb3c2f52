/**
 * SharpHound / BloodHound CE collection files → typed records (pure: text in, records out).
 *
 * Each file is `{ "data": [...], "meta": { "type", "version", "count", "methods" } }`; `meta.type`
 * (not the file name, which SharpHound prefixes with a timestamp and users rename) says what `data`
 * holds. Versions 5 (SharpHound 1.x for BloodHound 4.3+) and 6 (SharpHound 2.x for BloodHound CE) are
 * read: the parts used here (Properties, Members, LocalGroups, the three session results,
 * PrimaryGroupSID) did not change between them. Any other version is refused file by file with a
 * reason: v3/v4 keep local admins in other fields, and a future version may change meaning silently.
 *
 * Validation is per object: one malformed object is reported with its index and the rest of the file
 * is kept; a malformed reference inside an object (a member without ObjectIdentifier) drops only that
 * reference.
 */
import { z } from "zod";
import type {
  CollectionFile,
  CollectionProblem,
  LocalGroupResult,
  PrincipalRef,
  SessionMethod,
  SessionRecord,
  SharpHoundComputer,
  SharpHoundDomain,
  SharpHoundGpoChanges,
  SharpHoundGroup,
  SharpHoundObject,
  SharpHoundUser,
} from "./types.ts";

/** `meta.version` values this reader understands. */
export const SUPPORTED_VERSIONS: readonly number[] = [5, 6];

/** `meta.type` values Vigil maps to graph records. */
export const MAPPED_TYPES = ["users", "computers", "groups", "domains"] as const;

/** `meta.type` values SharpHound writes that Vigil knows but does not map yet (counted, not parsed). */
export const UNMAPPED_TYPES: readonly string[] = [
  "ous",
  "gpos",
  "containers",
  "aiacas",
  "rootcas",
  "enterprisecas",
  "ntauthstores",
  "certtemplates",
  "issuancepolicies",
];

const fileSchema = z.object({
  data: z.array(z.unknown()),
  meta: z.object({ type: z.string().min(1), version: z.number().int(), count: z.number().int().optional() }),
});

const idSchema = z
  .string()
  .trim()
  .min(1)
  .transform((s) => s.toUpperCase());

const objectSchema = z.object({
  ObjectIdentifier: idSchema,
  Properties: z.record(z.string(), z.unknown()).nullish(),
  PrimaryGroupSID: z.string().nullish(),
});

const refSchema = z.object({ ObjectIdentifier: idSchema, ObjectType: z.string().min(1) });

const apiResult = z.object({
  Collected: z.boolean().nullish(),
  FailureReason: z.string().nullish(),
  Results: z.array(z.unknown()).nullish(),
});
const localGroupSchema = apiResult.extend({ ObjectIdentifier: idSchema, Name: z.string().nullish() });
const sessionSchema = z.object({ UserSID: idSchema, ComputerSID: z.string().nullish() });

/** The records of one parsed file. */
export interface ParsedFile {
  file: CollectionFile;
  /** False when the whole file was refused (bad JSON, not a collection file, unsupported version or type). */
  accepted: boolean;
  users: SharpHoundUser[];
  computers: SharpHoundComputer[];
  groups: SharpHoundGroup[];
  domains: SharpHoundDomain[];
  gpoChanges: SharpHoundGpoChanges[];
  problems: CollectionProblem[];
}

const issueText = (error: z.ZodError) => error.issues.map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`).join("; ");

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** References that validate; the count of those that did not. */
function refs(list: unknown[] | null | undefined): { refs: PrincipalRef[]; bad: number } {
  const out: PrincipalRef[] = [];
  let bad = 0;
  for (const raw of list ?? []) {
    const r = refSchema.safeParse(raw);
    if (r.success) out.push({ objectId: r.data.ObjectIdentifier, type: r.data.ObjectType });
    else bad++;
  }
  return { refs: out, bad };
}

function base(kind: SharpHoundObject["kind"], o: z.infer<typeof objectSchema>): SharpHoundObject {
  const p = o.Properties ?? {};
  const primary = str(o.PrimaryGroupSID);
  return {
    kind,
    objectId: o.ObjectIdentifier,
    ...(str(p.name) ? { principalName: str(p.name) } : {}),
    ...(str(p.samaccountname) ? { samAccountName: str(p.samaccountname) } : {}),
    ...(str(p.domain) ? { domain: str(p.domain) } : {}),
    ...(typeof p.enabled === "boolean" ? { enabled: p.enabled } : {}),
    ...(str(p.distinguishedname) ? { distinguishedName: str(p.distinguishedname) } : {}),
    ...(primary ? { primaryGroupSid: primary.toUpperCase() } : {}),
  };
}

function ridOf(localGroupId: string): number | undefined {
  const m = /-(\d+)$/.exec(localGroupId);
  return m ? Number(m[1]) : undefined;
}

const SESSION_METHODS: readonly SessionMethod[] = ["Sessions", "PrivilegedSessions", "RegistrySessions"];

/** Computer-specific parts; bad nested entries are reported against the computer's index. */
function computer(raw: Record<string, unknown>, o: z.infer<typeof objectSchema>, note: (reason: string) => void): SharpHoundComputer {
  const localGroups: LocalGroupResult[] = [];
  for (const [i, lg] of (Array.isArray(raw.LocalGroups) ? raw.LocalGroups : []).entries()) {
    const r = localGroupSchema.safeParse(lg);
    if (!r.success) {
      note(`LocalGroups[${i}] rejected: ${issueText(r.error)}`);
      continue;
    }
    const members = refs(r.data.Results);
    if (members.bad) note(`LocalGroups[${i}]: ${members.bad} member(s) without ObjectIdentifier/ObjectType dropped`);
    const rid = ridOf(r.data.ObjectIdentifier);
    localGroups.push({
      objectId: r.data.ObjectIdentifier,
      ...(str(r.data.Name) ? { name: str(r.data.Name) } : {}),
      ...(rid !== undefined ? { rid } : {}),
      collected: r.data.Collected === true,
      ...(str(r.data.FailureReason) ? { failureReason: str(r.data.FailureReason) } : {}),
      members: members.refs,
    });
  }
  const sessions: SessionRecord[] = [];
  const sessionFailures: SharpHoundComputer["sessionFailures"] = [];
  for (const method of SESSION_METHODS) {
    if (raw[method] === undefined || raw[method] === null) continue;
    const r = apiResult.safeParse(raw[method]);
    if (!r.success) {
      note(`${method} rejected: ${issueText(r.error)}`);
      continue;
    }
    if (r.data.Collected === false && str(r.data.FailureReason)) sessionFailures.push({ method, reason: str(r.data.FailureReason)! });
    let bad = 0;
    for (const s of r.data.Results ?? []) {
      const parsed = sessionSchema.safeParse(s);
      if (!parsed.success) {
        bad++;
        continue;
      }
      const computerSid = str(parsed.data.ComputerSID)?.toUpperCase();
      sessions.push({ userSid: parsed.data.UserSID, ...(computerSid ? { computerSid } : {}), method });
    }
    if (bad) note(`${method}: ${bad} session(s) without UserSID dropped`);
  }
  return { ...base("Computer", o), kind: "Computer", localGroups, sessions, sessionFailures };
}

/**
 * Parses one collection file. Never throws: an unparseable file comes back with `file.mapped` false
 * and a problem saying why; objects it could read are returned even when others were rejected.
 */
export function parseCollectionFile(entry: string, bytes: Buffer): ParsedFile {
  const out: ParsedFile = {
    file: { entry, type: "", version: 0, objects: 0, rejected: 0, mapped: false },
    accepted: false,
    users: [],
    computers: [],
    groups: [],
    domains: [],
    gpoChanges: [],
    problems: [],
  };
  const fail = (reason: string) => {
    out.problems.push({ entry, reason });
    return out;
  };
  let json: unknown;
  try {
    // .NET writers may prefix a byte-order mark; JSON.parse refuses it.
    json = JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message}): file skipped`);
  }
  const shape = fileSchema.safeParse(json);
  if (!shape.success) return fail(`not a SharpHound collection file (${issueText(shape.error)}): file skipped`);
  const { data, meta } = shape.data;
  out.file.type = meta.type.toLowerCase();
  out.file.version = meta.version;
  if (!SUPPORTED_VERSIONS.includes(meta.version))
    return fail(`meta.version ${meta.version} is not supported (supported: ${SUPPORTED_VERSIONS.join(", ")}): file skipped`);
  const type = out.file.type;
  if (UNMAPPED_TYPES.includes(type)) {
    // OUs are not graph nodes, but the local admins their GPOs grant are edges between nodes.
    if (type === "ous") data.forEach((raw, index) => gpoChangesOf(raw, "OU", out, (reason) => out.problems.push({ entry, index, reason })));
    out.file.objects = data.length;
    out.accepted = true;
    return out;
  }
  if (!(MAPPED_TYPES as readonly string[]).includes(type)) return fail(`unknown meta.type ${JSON.stringify(meta.type)}: file skipped`);
  out.file.mapped = true;
  out.accepted = true;
  if (meta.count !== undefined && meta.count !== data.length)
    out.problems.push({ entry, reason: `meta.count says ${meta.count} objects, data holds ${data.length} (file cut short?)` });
  data.forEach((raw, index) => {
    const note = (reason: string) => out.problems.push({ entry, index, reason });
    const o = objectSchema.safeParse(raw);
    if (!o.success) {
      out.file.rejected++;
      note(`object rejected: ${issueText(o.error)}`);
      return;
    }
    out.file.objects++;
    const record = raw as Record<string, unknown>;
    if (type === "users") out.users.push({ ...base("User", o.data), kind: "User" });
    else if (type === "domains") {
      out.domains.push({ ...base("Domain", o.data), kind: "Domain" });
      gpoChangesOf(raw, "Domain", out, note);
    } else if (type === "computers") out.computers.push(computer(record, o.data, note));
    else {
      const members = refs(Array.isArray(record.Members) ? record.Members : []);
      if (members.bad) note(`${members.bad} member(s) without ObjectIdentifier/ObjectType dropped`);
      out.groups.push({ ...base("Group", o.data), kind: "Group", members: members.refs });
    }
  });
  return out;
}

const OTHER_GPO_GROUPS = ["RemoteDesktopUsers", "DcomUsers", "PSRemoteUsers"] as const;

/** An OU's / domain's `GPOChanges` (SharpHound 1.1+ / CE), when it grants local admins to some computers. */
function gpoChangesOf(raw: unknown, kind: SharpHoundGpoChanges["kind"], out: ParsedFile, note: (reason: string) => void): void {
  const record = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const changes = record.GPOChanges;
  if (changes === undefined || changes === null) return;
  const id = idSchema.safeParse(record.ObjectIdentifier);
  if (typeof changes !== "object" || !id.success) return note("GPOChanges ignored: not an object, or the object has no ObjectIdentifier");
  const c = changes as Record<string, unknown>;
  const list = (v: unknown) => refs(Array.isArray(v) ? v : []);
  const admins = list(c.LocalAdmins);
  const computers = list(c.AffectedComputers);
  const bad = admins.bad + computers.bad;
  if (bad) note(`GPOChanges: ${bad} reference(s) without ObjectIdentifier/ObjectType dropped`);
  const otherLocalGroupMembers = OTHER_GPO_GROUPS.reduce((n, k) => n + list(c[k]).refs.length, 0);
  if (admins.refs.length === 0 && otherLocalGroupMembers === 0) return;
  out.gpoChanges.push({ objectId: id.data, kind, localAdmins: admins.refs, affectedComputers: computers.refs, otherLocalGroupMembers });
}
