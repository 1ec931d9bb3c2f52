import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { finalizeEvent, type EventDraft } from "../contract/index.ts";
import { createMapStats, readWindowsEvents, type ReadProblem } from "./index.ts";

/**
 * The public attack samples (../shared/datasets): every OTRF host export (NXLog / Logstash JSON lines
 * and Sentinel rows, zipped) and every EVTX oracle file (JSON lines, gzipped) must read and map with
 * no problem, and every draft must pass the contract. Counts pin the readers' behaviour: records
 * match LABELS.md's event counts.
 */
const ROOT = "/work/shared/datasets/attack-samples";

// [file, records, drafts, unknown ids, mapped-but-empty]
const SAMPLES: [string, number, number, number, number][] = [
  ["adfs_dkm_golden_saml/otrf__GoldenSAMLADFSMailAccess__WindowsEvents.zip", 38, 33, 5, 0],
  ["adfs_dkm_golden_saml/otrf__host__aadinternals_export_adfsdatabaseconfig_remotely.zip", 285, 2, 283, 0],
  ["dcsync/otrf__host__covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip", 869, 15, 854, 0],
  ["dcsync/otrf__host__empire_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip", 8465, 15, 8450, 0],
  ["dcsync_rights_acl/otrf__host__empire_powerview_ldap_ntsecuritydescriptor.zip", 9002, 73, 8929, 0],
  ["dpapi_backupkey/otrf__host__empire_mimikatz_backupkeys_dcerpc_smb_lsarpc.zip", 7887, 13, 7874, 0],
  ["kerberoasting_and_spray/otrf__host__purplesharp_ad_playbook_I.zip", 25993, 91, 25902, 0],
  ["oracle/acl_abuse_spn_forcepwd__sb__ACL_ForcePwd_SPNAdd_User_Computer_Accounts.jsonl.gz", 55, 36, 13, 6],
  ["oracle/coercion_printerbug__sb__spoolsample_5145.jsonl.gz", 1, 1, 0, 0],
  ["oracle/controls_host_local__sb__CA_4624_4625_LogonType2_LogonProc_chrome.jsonl.gz", 4, 4, 0, 0],
  ["oracle/dc_persistence_misc__sb__4794_DSRM_password_change_t1098.jsonl.gz", 1, 1, 0, 0],
  ["oracle/dc_persistence_misc__sb__DE_Fake_ComputerAccount_4720.jsonl.gz", 2, 2, 0, 0],
  ["oracle/dcsync__sb__CA_DCSync_4662.jsonl.gz", 3, 3, 0, 0],
  ["oracle/dcsync_rights_acl__sb__DACL_DCSync_Right_Powerview__Add-DomainObjectAcl.jsonl.gz", 28, 27, 1, 0],
  ["oracle/ntlm_relay__sb__privexchange_dirkjan.jsonl.gz", 8, 8, 0, 0],
  ["oracle/pass_the_hash__sb__LM_4624_mimikatz_sekurlsa_pth_source_machine.jsonl.gz", 6, 1, 5, 0],
  ["oracle/recon_samr__sb__dicovery_4661_net_group_domain_admins_target.jsonl.gz", 63, 26, 37, 0],
  ["oracle/recon_samr__sb__discovery_bloodhound.jsonl.gz", 10, 9, 1, 0],
  ["oracle/recon_smb_sessions__sb__discovery_psloggedon.jsonl.gz", 4, 3, 1, 0],
  ["oracle/recon_smb_sessions__sb__discovery_sysmon_18_Invoke_UserHunter_NetSessionEnum_DC-srvsvc.jsonl.gz", 1, 0, 1, 0],
  ["oracle/recon_smb_sessions__sb__discovery_sysmon_3_Invoke_UserHunter_SourceMachine.jsonl.gz", 9, 0, 9, 0],
  ["oracle/remote_code_execution__sb__LM_ScheduledTask_ATSVC_target_host.jsonl.gz", 34, 22, 12, 0],
  ["oracle/remote_service_creation__sb__DE_renamed_psexec_service_sysmon_17_18.jsonl.gz", 11, 0, 11, 0],
  ["oracle/remote_service_creation__sb__LM_REMCOM_5145_TargetHost.jsonl.gz", 30, 30, 0, 0],
  ["oracle/remote_service_creation__sb__LM_Remote_Service01_5145_svcctl.jsonl.gz", 1, 1, 0, 0],
  ["oracle/remote_service_creation__sb__LM_Remote_Service02_7045.jsonl.gz", 3, 3, 0, 0],
  ["oracle/remote_service_creation__sb__LM_renamed_psexecsvc_5145.jsonl.gz", 22, 22, 0, 0],
  ["oracle/remote_service_creation__sb__LM_sysmon_psexec_smb_meterpreter.jsonl.gz", 10, 0, 10, 0],
  ["oracle/samaccountname_spoofing__sb__samaccount_spoofing_CVE-2021-42287_CVE-2021-42278_DC_securitylogs.jsonl.gz", 18, 17, 1, 0],
  ["oracle/zerologon__sb__Sysmon13_MachineAccount_Password_Hash_Changed_via_LsarSetSecret.jsonl.gz", 4, 0, 4, 0],
  ["oracle/zerologon__sb__Zerologon_CVE-2020-1472_DFIR_System_NetLogon_Error_EventID_5805.jsonl.gz", 2, 1, 1, 0],
  ["oracle/zerologon__sb__etw_rpc_zerologon.jsonl.gz", 415, 0, 415, 0],
  ["oracle/zerologon__sb__remote_pwd_reset_rpc_mimikatz_postzerologon_target_DC.jsonl.gz", 7, 6, 1, 0],
  ["overpass_the_hash/otrf__host__empire_over_pth_patch_lsass.zip", 10271, 12, 10259, 0],
  ["overpass_the_hash/otrf__host__empire_shell_rubeus_asktgt_createnetonly.zip", 3590, 33, 3557, 0],
  ["pass_the_ticket/otrf__host__empire_shell_rubeus_asktgt_ptt.zip", 1179, 12, 1167, 0],
  ["recon_ldap/otrf__host__covenant_getdomaingroup_ldap_searchrequest_domain_admins.zip", 619, 4, 615, 0],
  ["recon_samr/otrf__host__empire_shell_rpc_samr_smb_group_domain_admins_standard_user.zip", 1749, 21, 1728, 0],
  ["recon_samr/otrf__host__empire_shell_samr_EnumDomainUsers.zip", 633, 9, 624, 0],
  ["recon_smb_sessions/otrf__host__empire_getsession_dcerpc_smb_srvsvc_NetSessEnum.zip", 5047, 38, 5009, 0],
  ["remote_service_creation/otrf__host__covenant_sharpsc_create_dcerpc_smb_svcctl.zip", 3390, 53, 3337, 0],
  ["remote_service_creation/otrf__host__empire_psexec_dcerpc_tcp_svcctl.zip", 4348, 15, 4333, 0],
  ["remote_service_creation/otrf__host__empire_smbexec_dcerpc_smb_svcctl.zip", 7504, 10, 7494, 0],
  ["zerologon/otrf__host__mimikatz_CVE-2020-1472_Unauthenticated_NetrServerAuthenticate2.zip", 790, 6, 784, 0],
];

async function readSample(name: string) {
  const stats = createMapStats();
  const problems: ReadProblem[] = [];
  const drafts: EventDraft[] = [];
  for await (const d of readWindowsEvents(`${ROOT}/${name}`, {
    tenantId: "acme",
    sensorId: "replay",
    stats,
    onProblem: (p) => problems.push(p),
  }))
    drafts.push(d);
  return { stats, problems, drafts };
}

const by = <K extends EventDraft["kind"]>(drafts: EventDraft[], kind: K) =>
  drafts.filter((d): d is Extract<EventDraft, { kind: K }> => d.kind === kind);

describe.skipIf(!existsSync(ROOT))("public attack samples", () => {
  it.each(SAMPLES)("%s reads and maps cleanly", async (name, records, drafts, unknown, empty) => {
    const result = await readSample(name);
    expect(result.problems).toEqual([]);
    expect(result.stats).toMatchObject({ records, drafts, unknown, empty, problems: 0 });
    const ids = new Set<string>();
    for (const draft of result.drafts) ids.add(finalizeEvent(draft).id);
    expect(ids.size).toBe(drafts); // distinct records never collapse to one event id
  });

  it.each(["covenant", "empire"])("OTRF %s DCSync: 4662 replication by pgustavo on MORDORDC", async (tool) => {
    const { drafts } = await readSample(`dcsync/otrf__host__${tool}_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip`);
    const replication = by(drafts, "replication");
    expect(replication).toHaveLength(3);
    for (const r of replication)
      expect(r).toMatchObject({ dc: "MORDORDC.theshire.local", actor: { name: "pgustavo", domain: "THESHIRE" } });
    expect(new Set(replication.flatMap((r) => r.rights))).toEqual(
      new Set(["1131f6aa-9c07-11d1-f79f-00c04fc2dcd2", "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"]),
    );
    // NXLog's zoneless local EventTime lands on UTC, inside LABELS.md's UTC span for the run.
    expect(replication[0]!.time.slice(0, 10)).toBe(tool === "covenant" ? "2020-08-05" : "2020-09-21");
  });

  it("purplesharp: the spray (4776 0xC000006A) and the RC4 kerberoast by pgustavo", async () => {
    const { drafts } = await readSample("kerberoasting_and_spray/otrf__host__purplesharp_ad_playbook_I.zip");
    const spray = by(drafts, "ntlm").filter((d) => d.result === 0xc000006a);
    expect(new Set(spray.map((d) => d.actor?.name)).size).toBe(7);
    expect(spray.every((d) => d.workstation === "WORKSTATION5")).toBe(true);
    const rc4 = by(drafts, "kerberos.tgs").filter((d) => d.etype === 0x17 && d.actor?.name === "pgustavo");
    expect(rc4.map((d) => d.service).sort()).toEqual(["defensesvc", "mordorsvc", "nxlogsvc", "otrsvc", "sysmonsvc"]);
    expect(rc4.every((d) => d.src?.ip === "172.18.39.5")).toBe(true);
  });

  it("zerologon: 4742 on MORDORDC$ by ANONYMOUS LOGON", async () => {
    const { drafts } = await readSample("zerologon/otrf__host__mimikatz_CVE-2020-1472_Unauthenticated_NetrServerAuthenticate2.zip");
    expect(by(drafts, "directory.change")).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ sid: "S-1-5-7" }),
        target: expect.objectContaining({ name: "MORDORDC$" }),
        attribute: "pwdLastSet",
      }),
    ]);
  });

  it("rights granted: 5136 nTSecurityDescriptor on the domainDNS object carrying replication GUIDs", async () => {
    const { drafts } = await readSample("dcsync_rights_acl/otrf__host__empire_powerview_ldap_ntsecuritydescriptor.zip");
    const acl = by(drafts, "directory.change").filter((d) => d.attribute === "nTSecurityDescriptor" && d.objectClass === "domainDNS");
    expect(acl).toHaveLength(6);
    expect(acl.some((d) => d.operation === "add" && d.value?.includes("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"))).toBe(true);
  });

  it("overpass-the-hash: RC4 TGT for pgustavo from 172.18.39.6; DPAPI: four BCKUPKEY secret reads", async () => {
    const overpass = await readSample("overpass_the_hash/otrf__host__empire_shell_rubeus_asktgt_createnetonly.zip");
    expect(by(overpass.drafts, "kerberos.as")).toEqual([
      expect.objectContaining({
        etype: 0x17,
        actor: expect.objectContaining({ name: "pgustavo" }),
        src: expect.objectContaining({ ip: "172.18.39.6" }),
      }),
    ]);
    const dpapi = await readSample("dpapi_backupkey/otrf__host__empire_mimikatz_backupkeys_dcerpc_smb_lsarpc.zip");
    const secrets = by(dpapi.drafts, "directory.access").filter((d) => d.target?.name?.includes("BCKUPKEY"));
    expect(secrets).toHaveLength(4);
    expect(secrets.every((d) => d.actor?.name === "pgustavo" && d.objectClass === "SecretObject")).toBe(true);
  });

  it("AD FS DKM read (Sentinel rows): thumbnailPhoto on a contact by wardog", async () => {
    const { drafts } = await readSample("adfs_dkm_golden_saml/otrf__GoldenSAMLADFSMailAccess__WindowsEvents.zip");
    const reads = by(drafts, "directory.access").filter((d) => d.properties.includes("8d3bca50-1d7e-11d0-a081-00aa006c33ed"));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((d) => d.objectClass === "contact" && d.actor?.name === "wardog")).toBe(true);
  });

  it("SAM-R recon: 4661 SAM_GROUP for Domain Admins (RID 512) by sbeavers", async () => {
    const { drafts } = await readSample("recon_samr/otrf__host__empire_shell_rpc_samr_smb_group_domain_admins_standard_user.zip");
    expect(
      by(drafts, "samr.query").some((d) => d.objectType === "SAM_GROUP" && d.objectName?.endsWith("-512") && d.actor?.name === "sbeavers"),
    ).toBe(true);
  });
});
