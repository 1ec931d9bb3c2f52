import type { WindowsRecord } from "../record.ts";
import { base, type Draft, type Mapper } from "./common.ts";
import { clean, hex, ip, isDn, num, port, principal, prune, sid, splitAccount, subjectOf, targetAccountOf } from "./values.ts";

/**
 * Events about a host's services, shares, SAM, certificate authority and Netlogon. The actor is the
 * Subject (or System/Security UserID for 7045); the target is the machine that logged the event
 * unless the event names a more specific object.
 */

const SERVICE_TYPES: Record<number, string> = {
  0x1: "kernel mode driver",
  0x2: "file system driver",
  0x10: "user mode service",
  0x20: "user mode service",
};
const START_TYPES: Record<number, string> = { 0: "boot start", 1: "system start", 2: "auto start", 3: "demand start", 4: "disabled" };

/** 7045 (System log) words its types; 4697 gives codes, translated to the same words so detections see one vocabulary. */
const serviceInstall: Mapper = (r, ctx) => {
  const d = r.EventData;
  const serviceName = clean(d["ServiceName"]);
  if (!serviceName) return "no ServiceName";
  const security = r.EventID === 4697;
  const typeCode = num(d["ServiceType"]);
  const startCode = num(d[security ? "ServiceStartType" : "StartType"]);
  const draft: Draft<"service.install"> = {
    ...base(r, ctx, false),
    kind: "service.install",
    actor: security ? subjectOf(d) : principal({ sid: r.UserID }),
    target: hostOf(r),
    serviceName,
    imagePath: clean(d[security ? "ServiceFileName" : "ImagePath"]),
    serviceType: security && typeCode !== undefined ? (SERVICE_TYPES[typeCode] ?? hex(d["ServiceType"])) : clean(d["ServiceType"]),
    startType: security && startCode !== undefined ? (START_TYPES[startCode] ?? clean(d["ServiceStartType"])) : clean(d["StartType"]),
    account: clean(d[security ? "ServiceAccount" : "AccountName"]),
  };
  return [prune(draft)];
};

/** 5140 share opened / 5145 object in a share checked; the share name loses its `\\*\` prefix. */
const shareAccess: Mapper = (r, ctx) => {
  const d = r.EventData;
  const share = clean(d["ShareName"])?.replace(/^\\\\[^\\]*\\/, "");
  if (!share) return "no ShareName";
  const draft: Draft<"share.access"> = {
    ...base(r, ctx, false),
    kind: "share.access",
    actor: subjectOf(d),
    src: { ip: ip(d["IpAddress"]), port: port(d["IpPort"]) },
    target: hostOf(r),
    share,
    relativeTarget: clean(d["RelativeTargetName"]),
    accessMask: hex(d["AccessMask"]),
  };
  return [prune(draft)];
};

/**
 * 4661 handle to a SAM object (only ObjectServer "Security Account Manager" is a SAM-R query; other
 * servers map to nothing), 4798 / 4799 local group enumeration. A SAM_DOMAIN named by DN can only be
 * the domain SAM of a DC.
 */
const samrQuery: Mapper = (r, ctx) => {
  const d = r.EventData;
  if (r.EventID === 4661) {
    if (clean(d["ObjectServer"]) !== "Security Account Manager") return [];
    const objectName = clean(d["ObjectName"]);
    const draft: Draft<"samr.query"> = {
      ...base(r, ctx, isDn(objectName)),
      kind: "samr.query",
      actor: subjectOf(d),
      target: isDn(objectName) ? { dn: objectName } : principal({ sid: sid(objectName) }),
      objectType: clean(d["ObjectType"]),
      objectName,
      operation: "open",
    };
    return [prune(draft)];
  }
  const draft: Draft<"samr.query"> = {
    ...base(r, ctx, false),
    kind: "samr.query",
    actor: subjectOf(d),
    target: targetAccountOf(d),
    objectType: r.EventID === 4798 ? "user" : "group",
    objectName: clean(d["TargetUserName"]),
    operation: r.EventID === 4798 ? "enumerate-local-groups" : "enumerate-members",
  };
  return [prune(draft)];
};

const DISPOSITIONS: Record<number, Draft<"certificate.request">["disposition"]> = {
  4886: "unknown",
  4887: "issued",
  4888: "denied",
  4889: "pending",
};

/** AD CS requests (logged by the CA, not a DC). Template and SAN come from the named fields or `Attributes`. */
const certificateRequest: Mapper = (r, ctx) => {
  const d = r.EventData;
  const attributes = d["Attributes"] ?? "";
  const requester = splitAccount(d["Requester"]);
  const draft: Draft<"certificate.request"> = {
    ...base(r, ctx, false),
    kind: "certificate.request",
    actor: principal(requester),
    target: hostOf(r),
    requestId: clean(d["RequestId"]),
    template: clean(d["CertificateTemplate"]) ?? /(?:^|\s)CertificateTemplate:(\S+)/.exec(attributes)?.[1],
    subject: clean(d["Subject"]),
    subjectAltName: clean(d["SubjectAlternativeName"]) ?? /(?:^|\s)SAN:(\S+)/.exec(attributes)?.[1],
    disposition: DISPOSITIONS[r.EventID] ?? "unknown",
  };
  return [prune(draft)];
};

const STATUS_ACCESS_DENIED = 0xc0000022;

/**
 * Netlogon (System log, provider NETLOGON, unnamed insertion strings). 5805: a session failed to
 * authenticate — the NTSTATUS is the event's binary data (hex in XML, base64 in some decoders),
 * else the `%%<win32 error>` insertion. 5827/5828: a vulnerable secure channel was denied (machine /
 * trust account) — by definition access denied; 5829: one was allowed — 0.
 */
const netlogon: Mapper = (r, ctx) => {
  const d = r.EventData;
  const strings = legacyStrings(d);
  const machineAccount = clean(d["MachineSamAccountName"] ?? d["AccountName"] ?? d["ComputerName"] ?? strings[0]);
  let result: number | undefined;
  let operation: string;
  if (r.EventID === 5805) {
    operation = "session-authentication-failed";
    result = binaryStatus(d) ?? num(/^%%(\d+)$/.exec(strings[1] ?? "")?.[1]);
    if (result === undefined) return "5805 without a status (no binary data or %% insertion)";
  } else {
    operation = r.EventID === 5829 ? "vulnerable-channel-allowed" : "vulnerable-channel-denied";
    result = r.EventID === 5829 ? 0 : STATUS_ACCESS_DENIED;
  }
  const draft: Draft<"netlogon"> = {
    ...base(r, ctx, true),
    kind: "netlogon",
    actor: principal({ name: machineAccount }),
    operation,
    result,
    machineAccount,
  };
  return [prune(draft)];
};

/** Unnamed data in order; a decoder that renders legacy data as `<string>a</string><string>b</string>` is unpacked. */
function legacyStrings(d: Record<string, string>): string[] {
  const unnamed = Object.keys(d)
    .filter((k) => /^Data_\d+$/.test(k))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((k) => d[k]!);
  return unnamed.flatMap((v) => (v.includes("<string>") ? [...v.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => m[1]!) : [v]));
}

function binaryStatus(d: Record<string, string>): number | undefined {
  const key = Object.keys(d).find((k) => k === "Binary" || k.startsWith("Binary_"));
  const raw = key ? d[key]?.replace(/\s+/g, "") : undefined;
  if (!raw) return undefined;
  const bytes = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
  return bytes.length >= 4 ? bytes.readUInt32LE(0) : undefined;
}

function hostOf(r: WindowsRecord) {
  return { host: clean(r.Computer) };
}

export const hostMappers: Record<number, Mapper> = {
  7045: serviceInstall,
  4697: serviceInstall,
  5140: shareAccess,
  5145: shareAccess,
  4661: samrQuery,
  4798: samrQuery,
  4799: samrQuery,
  4886: certificateRequest,
  4887: certificateRequest,
  4888: certificateRequest,
  4889: certificateRequest,
  5805: netlogon,
  5827: netlogon,
  5828: netlogon,
  5829: netlogon,
};
