import type { WindowsRecord } from "../record.ts";
import { base, type Draft, type Mapper } from "./common.ts";
import { clean, hex, host, ip, num, port, principal, prune, splitAccount } from "./values.ts";

/**
 * Authentication events. The actor is the account that authenticates (Target* fields — the Subject
 * of 4624/4625 is the local process that asked for the logon, not who logged on); the source is the
 * client's address and workstation; for logons and NTLM the target is the machine that logged the
 * event. Kerberos KDC events are written only by DCs, so they carry `dc`.
 */

/** 4624 / 4625. `process` is LogonProcessName (`seclogo`, `NtLmSsp`, `Kerberos`): what pass-the-hash keys on. */
const logon: Mapper = (r, ctx) => {
  const d = r.EventData;
  const logonType = num(d["LogonType"]);
  if (logonType === undefined) return "no usable LogonType";
  const success = r.EventID === 4624;
  const draft: Draft<"logon"> = {
    ...base(r, ctx, false),
    kind: "logon",
    actor: principal({ sid: d["TargetUserSid"], name: d["TargetUserName"], domain: d["TargetDomainName"] }),
    src: sourceOf(d, d["WorkstationName"]),
    target: targetHost(r),
    success,
    logonType,
    package: clean(d["AuthenticationPackageName"]),
    process: clean(d["LogonProcessName"]),
    logonId: success ? hex(d["TargetLogonId"]) : undefined,
    status: success ? undefined : num(d["Status"]),
    subStatus: success ? undefined : num(d["SubStatus"]),
  };
  return [prune(draft)];
};

/** 4768 TGT request: Status 0 = issued; 0x6 unknown principal; PreAuthType 0 = no pre-auth (AS-REP roastable). */
const kerberosAs: Mapper = (r, ctx) => {
  const d = r.EventData;
  const result = num(d["Status"]);
  if (result === undefined) return "no usable Status";
  const draft: Draft<"kerberos.as"> = {
    ...base(r, ctx, true),
    kind: "kerberos.as",
    actor: principal({ sid: d["TargetSid"], name: d["TargetUserName"], domain: d["TargetDomainName"] }),
    src: sourceOf(d),
    result,
    etype: etypeOf(d["TicketEncryptionType"]),
    preAuthType: num(d["PreAuthType"]),
    ticketOptions: hex(d["TicketOptions"]),
    service: clean(d["ServiceName"]),
  };
  return [prune(draft)];
};

/** 4769 service ticket: the client is `user@REALM` in TargetUserName; the service account is the target. */
const kerberosTgs: Mapper = (r, ctx) => {
  const d = r.EventData;
  const result = num(d["Status"]);
  const service = clean(d["ServiceName"]);
  if (result === undefined) return "no usable Status";
  if (!service) return "no ServiceName";
  const client = splitAccount(d["TargetUserName"]);
  const draft: Draft<"kerberos.tgs"> = {
    ...base(r, ctx, true),
    kind: "kerberos.tgs",
    actor: principal({ name: client.name, domain: clean(d["TargetDomainName"]) ?? client.domain }),
    src: sourceOf(d),
    target: principal({ name: service, sid: d["ServiceSid"] }),
    result,
    etype: etypeOf(d["TicketEncryptionType"]),
    service,
    ticketOptions: hex(d["TicketOptions"]),
  };
  return [prune(draft)];
};

/** 4771: the realm is only in ServiceName (`krbtgt/CONTOSO.LOCAL`). 0x18 = bad password. */
const preauthFailure: Mapper = (r, ctx) => {
  const d = r.EventData;
  const result = num(d["Status"]);
  if (result === undefined) return "no usable Status";
  const realm = clean(d["ServiceName"])?.split("/")[1];
  const draft: Draft<"kerberos.preauth-failure"> = {
    ...base(r, ctx, true),
    kind: "kerberos.preauth-failure",
    actor: principal({ sid: d["TargetSid"], name: d["TargetUserName"], domain: realm }),
    src: sourceOf(d),
    result,
    preAuthType: num(d["PreAuthType"]),
  };
  return [prune(draft)];
};

/**
 * 4776: written by whichever machine holds the account (a DC for domain accounts, the host itself
 * for local ones) and the record does not say which, so `dc` is left to the processor and the
 * validating machine is the target.
 */
const ntlmValidation: Mapper = (r, ctx) => {
  const d = r.EventData;
  const result = num(d["Status"]);
  if (result === undefined) return "no usable Status";
  const workstation = host(d["Workstation"]);
  const draft: Draft<"ntlm"> = {
    ...base(r, ctx, false),
    kind: "ntlm",
    actor: principal({ name: d["TargetUserName"] }),
    src: { host: workstation },
    target: targetHost(r),
    result,
    workstation,
  };
  return [prune(draft)];
};

/**
 * 8004 (Microsoft-Windows-NTLM/Operational): NTLM audit on a DC. It reports an authentication, not
 * its outcome, so `result` stays unset; the secure-channel name is the server the client authenticated to.
 */
const ntlmAudit: Mapper = (r, ctx) => {
  const d = r.EventData;
  const workstation = host(d["WorkstationName"] ?? d["Workstation"]);
  const draft: Draft<"ntlm"> = {
    ...base(r, ctx, true),
    kind: "ntlm",
    actor: principal({ name: d["UserName"], domain: d["DomainName"] }),
    src: { host: workstation },
    target: { host: host(d["SChannelName"]) },
    workstation,
    version: "unknown",
  };
  return [prune(draft)];
};

/** 0xffffffff is what failed requests log for "no ticket"; that is no etype. */
function etypeOf(value: string | undefined): number | undefined {
  const n = num(value);
  return n === undefined || n === 0xffffffff ? undefined : n;
}

function sourceOf(d: Record<string, string>, workstation?: string) {
  return { ip: ip(d["IpAddress"]), port: port(d["IpPort"]), host: host(workstation) };
}

function targetHost(r: WindowsRecord) {
  return { host: clean(r.Computer) };
}

export const authMappers: Record<number, Mapper> = {
  4624: logon,
  4625: logon,
  4768: kerberosAs,
  4769: kerberosTgs,
  4771: preauthFailure,
  4776: ntlmValidation,
  8004: ntlmAudit,
};
