import { base, type Draft, type SambaMapper } from "./map-common.ts";
import { accountOf, endpointOf, ETYPES, KERBEROS_RESULT, NT_STATUS, prune, text } from "./values.ts";

/**
 * Samba `Authentication` and `Authorization` records. Samba's KDC, SMB, LDAP, DCE/RPC and NETLOGON
 * servers all log here, each record modelled on a 4624 / 4625 (`eventId`, `logonType`) with the
 * result as an NTSTATUS name. Each maps to the kind a Windows DC would log for the same thing, with
 * the codes detections read: the KDC's to `kerberos.as` (4768) or `kerberos.preauth-failure`
 * (4771, 0x18), an LDAP simple bind to `ldap.bind`, NETLOGON to `netlogon`, everything else
 * (NTLMSSP over SMB2 / LDAP / DCE-RPC, SAMR password changes) to `logon` with 4625's status codes.
 * The actor is the client account; the source is remoteAddress plus the workstation name.
 */

/** authDescription → Kerberos pre-authentication type (4768 PreAuthType). */
const PREAUTH: Record<string, number> = {
  "ENC-TS Pre-authentication": 2,
  PKINIT: 16,
  FAST: 138,
};

const authentication: SambaMapper = (record, ctx) => {
  const a = record.body;
  const status = text(a["status"]);
  if (!status) return "no status";
  const service = text(a["serviceDescription"]);
  const how = text(a["authDescription"]);
  const success = status === "NT_STATUS_OK";
  const parsed = accountOf(a["clientAccount"], a["clientDomain"]);
  // The NetBIOS domain Samba resolved the account to (set whenever the account exists) before the
  // realm or domain the client typed: `alice@CORP.LAB` over Kerberos and `CORP\alice` over NTLM are one account.
  const actor = prune({
    name: parsed?.name ?? text(a["becameAccount"]),
    domain: text(a["becameDomain"]) ?? parsed?.domain,
    // Samba fills becameSid whenever the account exists, also for a wrong password (as 4771 TargetSid).
    sid: text(a["becameSid"]),
  });
  const workstation = text(a["workstation"]);
  const src = prune({ ...endpointOf(a["remoteAddress"]), host: workstation });
  const common = { ...base(record, ctx), actor, src };
  const passwordType = text(a["passwordType"]);

  if (service === "Kerberos KDC") {
    const result = KERBEROS_RESULT[status];
    if (result === undefined) return `no Kerberos result code for ${status}`;
    const etype = passwordType ? ETYPES[passwordType] : undefined;
    if (result === 0x18) {
      const draft: Draft<"kerberos.preauth-failure"> = {
        ...common,
        kind: "kerberos.preauth-failure",
        result,
        preAuthType: how ? PREAUTH[how] : undefined,
        etype,
      };
      return [prune(draft)];
    }
    // A ticket issued with no pre-authentication data at all: Samba says "Unknown Pre-authentication"
    // and names no password type (the lab's DONT_REQ_PREAUTH account; what AS-REP roasting gets).
    const noPreauth = success && how === "Unknown Pre-authentication" && !passwordType;
    const draft: Draft<"kerberos.as"> = {
      ...common,
      kind: "kerberos.as",
      result,
      etype,
      preAuthType: noPreauth ? 0 : how ? PREAUTH[how] : undefined,
      service: "krbtgt",
    };
    return [prune(draft)];
  }

  if (service === "LDAP" && how === "simple bind") {
    // LDAP answers every failed simple bind (bad password, unknown name) with 49 invalidCredentials.
    // Its `workstation` is the server's own name, not the client's.
    const draft: Draft<"ldap.bind"> = {
      ...common,
      src: endpointOf(a["remoteAddress"]),
      target: prune({ host: ctx.dc }),
      kind: "ldap.bind",
      bindType: "simple",
      result: success ? 0 : 49,
    };
    return [prune(draft)];
  }

  if (service === "NETLOGON") {
    const result = NT_STATUS[status];
    if (result === undefined) return `no NTSTATUS code for ${status}`;
    const machine = text(a["netlogonTrustAccount"]) ?? text(a["netlogonComputer"]);
    const draft: Draft<"netlogon"> = {
      ...common,
      actor: accountOf(machine, a["clientDomain"], a["netlogonTrustAccountSid"]) ?? actor,
      kind: "netlogon",
      operation: how ?? "NetrServerAuthenticate",
      result,
      machineAccount: machine,
    };
    return [prune(draft)];
  }

  const logonType = typeof a["logonType"] === "number" ? a["logonType"] : 3;
  const ntlm = how === "NTLMSSP" || /^NTLM/i.test(passwordType ?? "");
  const draft: Draft<"logon"> = {
    ...common,
    target: prune({ host: ctx.dc }),
    kind: "logon",
    success,
    logonType,
    package: ntlm ? "NTLM" : how,
    process: service,
    logonId: success ? text(a["logonId"]) : undefined,
    // An NTSTATUS Samba names but this table lacks stays absent: the failure is kept, its code unknown.
    status: success ? undefined : NT_STATUS[status],
    lmPackage: passwordType === "NTLMv2" ? "NTLM V2" : passwordType === "NTLMv1" ? "NTLM V1" : undefined,
  };
  return [prune(draft)];
};

/**
 * `Authorization`: a session was set up for an already authenticated user. For NTLM and simple binds
 * the `Authentication` record already said so, and this one adds nothing. For Kerberos (`krb5`) it is
 * the only trace of the service ticket (Samba's KDC never logs TGS requests), so it maps to a network
 * `logon` with the Kerberos package, as the server's 4624 would.
 */
const authorization: SambaMapper = (record, ctx) => {
  const a = record.body;
  if (text(a["authType"]) !== "krb5") return [];
  const draft: Draft<"logon"> = {
    ...base(record, ctx),
    kind: "logon",
    actor: accountOf(a["account"], a["domain"], a["sid"]),
    src: endpointOf(a["remoteAddress"]),
    target: prune({ host: ctx.dc }),
    success: true,
    logonType: 3,
    package: "Kerberos",
    process: text(a["serviceDescription"]),
  };
  return [prune(draft)];
};

export const authMappers: Record<string, SambaMapper> = { Authentication: authentication, Authorization: authorization };
