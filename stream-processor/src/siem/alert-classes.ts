/**
 * Which MDI alert class, external id and protocol (`app=`) each Vigil detection is reported as in
 * CEF. Class names are the ones MDI's published CEF samples use (mdi-catalog §8) where MDI answers
 * the same attack; the external id is the first MDI id DETECTIONS.md lists for the detection. Where
 * MDI publishes no class name, or has no matching alert, the class is derived from Vigil's id
 * (`kerberoasting` → `KerberoastingSecurityAlert`) and the external id is Vigil's own id, so a SIEM
 * rule keyed on externalId still has a stable value. Vigil's detection id is always sent in cs4.
 */

/** How one detection appears in CEF. */
export interface AlertClass {
  className: string;
  /** MDI external alert id, or the Vigil detection id where MDI has none. */
  externalId: string;
  /** MDI's protocol names (§0.2); undefined where an alert spans several. */
  app?: string;
}

const KNOWN: Readonly<Record<string, AlertClass>> = {
  "account-enumeration": { className: "AccountEnumerationSecurityAlert", externalId: "2003", app: "Kerberos" },
  "dns-zone-transfer": { className: "DnsReconnaissanceSecurityAlert", externalId: "2007", app: "Dns" },
  "smb-session-enumeration": { className: "SmbSessionEnumerationSecurityAlert", externalId: "2012", app: "Smb" },
  "samr-recon": { className: "SamrReconnaissanceSecurityAlert", externalId: "2021", app: "Samr" },
  "ldap-recon": { className: "LdapSearchReconnaissanceSecurityAlert", externalId: "2038", app: "LdapSearch" },
  "honeytoken-queried": { className: "HoneytokenQueriedSecurityAlert", externalId: "2439" },
  "brute-force": { className: "BruteForceSecurityAlert", externalId: "2023" },
  "password-spray": { className: "BruteForceSecurityAlert", externalId: "2023" },
  kerberoasting: { className: "KerberoastingSecurityAlert", externalId: "2410", app: "Kerberos" },
  "asrep-roasting": { className: "AsRepRoastingSecurityAlert", externalId: "2412", app: "Kerberos" },
  dcsync: { className: "DirectoryServicesReplicationSecurityAlert", externalId: "2006", app: "Drsr" },
  "dpapi-backupkey": { className: "RetrieveDataProtectionBackupKeySecurityAlert", externalId: "2020", app: "LsaRpc" },
  "honeytoken-authentication": { className: "HoneytokenActivitySecurityAlert", externalId: "2014" },
  "adfs-dkm-read": { className: "AdfsDkmKeyReadSecurityAlert", externalId: "2413", app: "Ldap" },
  "shadow-credentials": { className: "ShadowCredentialsSecurityAlert", externalId: "2431" },
  "samaccountname-spoofing": { className: "SamAccountNameSpoofingSecurityAlert", externalId: "2419" },
  coercion: { className: "CoercionSecurityAlert", externalId: "2416" },
  "pass-the-hash": { className: "PassTheHashSecurityAlert", externalId: "2017", app: "Ntlm" },
  "overpass-the-hash": { className: "AbnormalProtocolSecurityAlert", externalId: "2002", app: "Kerberos" },
  "pass-the-ticket": { className: "PassTheTicketSecurityAlert", externalId: "2018", app: "Kerberos" },
  "ntlm-relay": { className: "AbnormalNtlmSigningSecurityAlert", externalId: "2037", app: "Ntlm" },
  "remote-code-execution": { className: "RemoteExecutionSecurityAlert", externalId: "2019" },
  "suspicious-service-creation": { className: "MaliciousServiceCreationSecurityAlert", externalId: "2026", app: "ServiceInstalledEvent" },
  "suspicious-vpn-connection": { className: "AbnormalVpnSecurityAlert", externalId: "2025", app: "VpnConnection" },
  "sensitive-group-addition": {
    className: "AbnormalSensitiveGroupMembershipChangeSecurityAlert",
    externalId: "2024",
    app: "GroupMembershipChangeEvent",
  },
  "golden-ticket": { className: "GoldenTicketSecurityAlert", externalId: "2022", app: "Kerberos" },
  "skeleton-key": { className: "EncryptionDowngradeSecurityAlert", externalId: "2010", app: "Kerberos" },
  dcshadow: { className: "DirectoryServicesRoguePromotionSecurityAlert", externalId: "2028", app: "Drsr" },
  zerologon: { className: "ZerologonSecurityAlert", externalId: "2411" },
  "sid-history-injection": { className: "SidHistoryInjectionSecurityAlert", externalId: "1106" },
  "adminsdholder-modified": { className: "AdminSdHolderModificationSecurityAlert", externalId: "2430" },
  "rbcd-modified": { className: "ResourceBasedDelegationModificationSecurityAlert", externalId: "2423" },
  "dsrm-password-change": { className: "DsrmPasswordChangeSecurityAlert", externalId: "2438" },
  "certificate-abuse": { className: "CertificateAbuseSecurityAlert", externalId: "2432" },
  "honeytoken-modified": { className: "HoneytokenModifiedSecurityAlert", externalId: "2427" },
  "gpo-tampering": { className: "GroupPolicyTamperingSecurityAlert", externalId: "2440" },
};

const pascal = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

/** The CEF class of a detection; unknown ids (new detections) get a derived class and their own id. */
export function alertClassOf(detectionId: string): AlertClass {
  return KNOWN[detectionId] ?? { className: `${pascal(detectionId)}SecurityAlert`, externalId: detectionId };
}
