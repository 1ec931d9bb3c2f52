import type { Detection } from "../engine/detection.ts";
import { accountEnumeration } from "./account-enumeration.ts";
import { dnsZoneTransfer } from "./dns-zone-transfer.ts";
import { smbSessionEnumeration } from "./smb-session-enumeration.ts";
import { samrRecon } from "./samr-recon.ts";
import { ldapRecon } from "./ldap-recon.ts";
import { honeytokenQueried } from "./honeytoken-queried.ts";
import { bruteForce } from "./brute-force.ts";
import { passwordSpray } from "./password-spray.ts";
import { kerberoasting } from "./kerberoasting.ts";
import { asrepRoasting } from "./asrep-roasting.ts";
import { dcsync } from "./dcsync.ts";
import { dpapiBackupkey } from "./dpapi-backupkey.ts";
import { honeytokenAuthentication } from "./honeytoken-authentication.ts";
import { adfsDkmRead } from "./adfs-dkm-read.ts";
import { shadowCredentials } from "./shadow-credentials.ts";
import { samaccountnameSpoofing } from "./samaccountname-spoofing.ts";
import { coercion } from "./coercion.ts";
import { passTheHash } from "./pass-the-hash.ts";
import { overpassTheHash } from "./overpass-the-hash.ts";
import { passTheTicket } from "./pass-the-ticket.ts";
import { ntlmRelay } from "./ntlm-relay.ts";
import { remoteCodeExecution } from "./remote-code-execution.ts";
import { suspiciousServiceCreation } from "./suspicious-service-creation.ts";
import { sensitiveGroupAddition } from "./sensitive-group-addition.ts";
import { goldenTicket } from "./golden-ticket.ts";
import { skeletonKey } from "./skeleton-key.ts";
import { dcshadow } from "./dcshadow.ts";
import { zerologon } from "./zerologon.ts";
import { sidHistoryInjection } from "./sid-history-injection.ts";
import { adminsdholderModified } from "./adminsdholder-modified.ts";
import { rbcdModified } from "./rbcd-modified.ts";
import { spnAdded } from "./spn-added.ts";
import { dsrmPasswordChange } from "./dsrm-password-change.ts";
import { certificateAbuse } from "./certificate-abuse.ts";
import { honeytokenModified } from "./honeytoken-modified.ts";
import { gpoTampering } from "./gpo-tampering.ts";
import { replicationRightsGranted } from "./replication-rights-granted.ts";
import { abnormalSensitiveLogon } from "./abnormal-sensitive-logon.ts";
import { lateralMovementPathOpened } from "./lateral-movement-path-opened.ts";
import { suspiciousVpnConnection } from "./suspicious-vpn-connection.ts";

export {
  accountEnumeration,
  dnsZoneTransfer,
  smbSessionEnumeration,
  samrRecon,
  ldapRecon,
  honeytokenQueried,
  bruteForce,
  passwordSpray,
  kerberoasting,
  asrepRoasting,
  dcsync,
  dpapiBackupkey,
  honeytokenAuthentication,
  adfsDkmRead,
  shadowCredentials,
  samaccountnameSpoofing,
  coercion,
  passTheHash,
  overpassTheHash,
  passTheTicket,
  ntlmRelay,
  remoteCodeExecution,
  suspiciousServiceCreation,
  sensitiveGroupAddition,
  goldenTicket,
  skeletonKey,
  dcshadow,
  zerologon,
  sidHistoryInjection,
  adminsdholderModified,
  rbcdModified,
  spnAdded,
  dsrmPasswordChange,
  certificateAbuse,
  honeytokenModified,
  gpoTampering,
  replicationRightsGranted,
  abnormalSensitiveLogon,
  lateralMovementPathOpened,
  suspiciousVpnConnection,
};

/** Every detection Vigil ships, in catalog order (DETECTIONS.md). */
export const allDetections: readonly Detection[] = [
  accountEnumeration,
  dnsZoneTransfer,
  smbSessionEnumeration,
  samrRecon,
  ldapRecon,
  honeytokenQueried,
  bruteForce,
  passwordSpray,
  kerberoasting,
  asrepRoasting,
  dcsync,
  dpapiBackupkey,
  honeytokenAuthentication,
  adfsDkmRead,
  shadowCredentials,
  samaccountnameSpoofing,
  coercion,
  passTheHash,
  overpassTheHash,
  passTheTicket,
  ntlmRelay,
  remoteCodeExecution,
  suspiciousServiceCreation,
  suspiciousVpnConnection,
  sensitiveGroupAddition,
  goldenTicket,
  skeletonKey,
  dcshadow,
  zerologon,
  sidHistoryInjection,
  adminsdholderModified,
  rbcdModified,
  spnAdded,
  dsrmPasswordChange,
  certificateAbuse,
  honeytokenModified,
  gpoTampering,
  replicationRightsGranted,
  abnormalSensitiveLogon,
  lateralMovementPathOpened,
];
