import { z } from "zod";
import { baseFields, principal } from "./common.ts";

const kind = <K extends string, S extends z.ZodRawShape>(name: K, shape: S) =>
  z.object({ ...baseFields, kind: z.literal(name), ...shape }).strict();

/** Kerberos and NTLM result codes stay numeric (0x6 = KDC_ERR_C_PRINCIPAL_UNKNOWN, 0xC000006A…). */
const resultCode = z.number().int().nonnegative();
const etype = z.number().int();

export const kerberosAs = kind("kerberos.as", {
  result: resultCode,
  /** Encryption type of the issued ticket / session key (0x17 = RC4, 0x12 = AES256). */
  etype: etype.optional(),
  /** Etypes the client offered, when seen on the wire. */
  requestedEtypes: z.array(etype).optional(),
  /** 0 = no pre-authentication (AS-REP roastable), 2 = encrypted timestamp, 15/16/17 = PKINIT. */
  preAuthType: z.number().int().optional(),
  ticketOptions: z.string().optional(),
  /** Service the TGT is for (normally krbtgt). */
  service: z.string().optional(),
  /** Wire only: etype of the issued ticket itself (`etype` is the reply's, i.e. the client key's). */
  ticketEtype: etype.optional(),
  /** Wire only: end time the client asked for (`till`), ISO UTC. */
  requestedEndTime: z.iso.datetime({ offset: true }).optional(),
  /** Wire with a keytab: end time inside the issued ticket, ISO UTC. */
  ticketEndTime: z.iso.datetime({ offset: true }).optional(),
});

export const kerberosTgs = kind("kerberos.tgs", {
  result: resultCode,
  etype: etype.optional(),
  requestedEtypes: z.array(etype).optional(),
  /** Service principal or account name the ticket is for. */
  service: z.string().min(1),
  ticketOptions: z.string().optional(),
  /** Wire only: etype of the TGT the client presented (an RC4 TGT in an AES domain is forged or downgraded). */
  tgtEtype: etype.optional(),
  /** Wire with a keytab: end time inside the presented TGT, ISO UTC (a forged one often lasts 10 years). */
  tgtEndTime: z.iso.datetime({ offset: true }).optional(),
  /** Wire with a keytab: PAC buffer types of the presented TGT, in order (a forged PAC may lack 12, UPN_DNS_INFO). */
  tgtPacTypes: z.array(z.number().int()).optional(),
  /** Wire only: realm of the presented TGT, i.e. the realm whose KDC issued it (another one for a cross-realm referral). */
  tgtRealm: z.string().optional(),
});

export const kerberosPreauthFailure = kind("kerberos.preauth-failure", {
  result: resultCode,
  preAuthType: z.number().int().optional(),
  etype: etype.optional(),
});

export const ntlm = kind("ntlm", {
  /**
   * 0 = success; 0xC0000064 unknown user, 0xC000006A bad password… Absent when the source does not
   * say (8004 NTLM audits record that an authentication happened, not how it ended).
   */
  result: resultCode.optional(),
  workstation: z.string().optional(),
  /** NTLMv1 / NTLMv2 when known. */
  version: z.enum(["v1", "v2", "unknown"]).optional(),
});

export const logon = kind("logon", {
  success: z.boolean(),
  /** Windows logon type: 2 interactive, 3 network, 9 new credentials, 10 remote interactive… */
  logonType: z.number().int(),
  package: z.string().optional(),
  process: z.string().optional(),
  status: resultCode.optional(),
  subStatus: resultCode.optional(),
  logonId: z.string().optional(),
  /** Credentials a type-9 (new credentials) logon uses on the network (TargetOutboundUserName). */
  outboundAccount: z.string().optional(),
  /** Executable that asked for the logon (ProcessName). */
  callerProcess: z.string().optional(),
  /** NTLM V1 / NTLM V2 when the logon used NTLM (LmPackageName). */
  lmPackage: z.string().optional(),
});

export const replication = kind("replication", {
  /** Extended-right GUIDs requested (4662) or the DRSUAPI operation seen on the wire. */
  rights: z.array(z.string()).default([]),
  operation: z.string().optional(),
});

export const directoryAccess = kind("directory.access", {
  objectDn: z.string().optional(),
  /** 4662 names directory objects by GUID only. */
  objectGuid: z.string().optional(),
  objectClass: z.string().optional(),
  /** Attribute / property-set / control-access GUIDs or names listed by 4662. */
  properties: z.array(z.string()).default([]),
  accessMask: z.string().optional(),
});

export const directoryChange = kind("directory.change", {
  objectDn: z.string().optional(),
  objectGuid: z.string().optional(),
  /** False when the source reports the change was attempted and refused (4766); absent means it happened. */
  success: z.boolean().optional(),
  objectClass: z.string().optional(),
  /** LDAP attribute changed (5136) or the attribute a 4738/4742/4765 reports. */
  attribute: z.string().min(1),
  operation: z.enum(["add", "delete", "replace"]),
  value: z.string().optional(),
});

export const groupMembership = kind("group.membership", {
  action: z.enum(["add", "remove"]),
  group: principal,
  member: principal,
  scope: z.enum(["global", "local", "universal", "unknown"]).default("unknown"),
});

export const accountLifecycle = kind("account.lifecycle", {
  action: z.enum(["created", "deleted", "enabled", "disabled", "renamed", "password-reset", "dsrm-password-set"]),
  accountType: z.enum(["user", "computer", "unknown"]),
  newName: z.string().optional(),
  /** False when the source reports the attempt failed (a failed 4794); absent means it happened. */
  success: z.boolean().optional(),
});

export const serviceInstall = kind("service.install", {
  serviceName: z.string().min(1),
  imagePath: z.string().optional(),
  serviceType: z.string().optional(),
  startType: z.string().optional(),
  account: z.string().optional(),
});

export const shareAccess = kind("share.access", {
  share: z.string().min(1),
  /** Named pipe or file opened inside the share (5145), e.g. `samr`, `lsarpc`, `srvsvc`. */
  relativeTarget: z.string().optional(),
  accessMask: z.string().optional(),
});

export const samrQuery = kind("samr.query", {
  objectType: z.string().optional(),
  objectName: z.string().optional(),
  operation: z.string().optional(),
});

export const ldapSearch = kind("ldap.search", {
  baseDn: z.string().optional(),
  scope: z.enum(["base", "one", "sub", "unknown"]).default("unknown"),
  filter: z.string().optional(),
  attributes: z.array(z.string()).default([]),
  resultCount: z.number().int().nonnegative().optional(),
  /**
   * Wire only: attribute names and values the request names (filter and requested attributes), in
   * wire order but without the filter's boolean structure, when the filter text itself is not known.
   */
  terms: z.array(z.string()).optional(),
});

export const ldapBind = kind("ldap.bind", {
  bindType: z.enum(["simple", "sasl", "anonymous", "unknown"]),
  result: resultCode,
});

export const dnsQuery = kind("dns.query", {
  qname: z.string().min(1),
  qtype: z.string().min(1),
  rcode: z.number().int().optional(),
});

export const netlogon = kind("netlogon", {
  operation: z.string().min(1),
  result: resultCode,
  machineAccount: z.string().optional(),
});

export const certificateRequest = kind("certificate.request", {
  requestId: z.string().optional(),
  template: z.string().optional(),
  subject: z.string().optional(),
  subjectAltName: z.string().optional(),
  disposition: z.enum(["issued", "denied", "pending", "unknown"]).default("unknown"),
});

export const radiusAccounting = kind("radius.accounting", {
  statusType: z.enum(["start", "stop", "interim"]),
  sessionId: z.string().min(1),
  userName: z.string().min(1),
  framedIp: z.string().optional(),
  callingStation: z.string().optional(),
  nasIp: z.string().optional(),
  sessionSeconds: z.number().int().nonnegative().optional(),
});

export const entitySnapshot = kind("entity.snapshot", {
  entity: z
    .object({
      /** `site` and `subnet` come from the configuration partition (LDAP sync); the rest from the domain. */
      objectType: z.enum(["user", "computer", "group", "domain", "ou", "gpo", "trust", "site", "subnet"]),
      objectId: z.string().min(1),
      dn: z.string().optional(),
      name: z.string().optional(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).default({}),
      deleted: z.boolean().default(false),
    })
    .strict(),
});

export const sensorHeartbeat = kind("sensor.heartbeat", {
  version: z.string().min(1),
  counters: z.record(z.string(), z.number()).default({}),
});
