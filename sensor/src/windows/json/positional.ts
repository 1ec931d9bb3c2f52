/**
 * Template order of the EventData fields of the events Vigil maps, for sources that give values by
 * position only (`Get-WinEvent` Properties). Orders come from the events' XML as Windows writes it
 * (checked against the EVTX oracle samples where they hold the id); later event versions only append
 * fields, so a longer Properties list keeps these names for its prefix and `Data_<i>` past them.
 * Ids missing here keep `Data_<i>` for every value.
 */
const SUBJECT = "SubjectUserSid SubjectUserName SubjectDomainName SubjectLogonId";
const TARGET = "TargetUserName TargetDomainName TargetSid";
const SAM_ATTRIBUTES =
  "SamAccountName DisplayName UserPrincipalName HomeDirectory HomePath ScriptPath ProfilePath UserWorkstations PasswordLastSet " +
  "AccountExpires PrimaryGroupId AllowedToDelegateTo OldUacValue NewUacValue UserAccountControl UserParameters SidHistory LogonHours";
const MEMBERSHIP = `MemberName MemberSid ${TARGET} ${SUBJECT} PrivilegeList`;
const CERT = "RequestId Requester Attributes Disposition SubjectKeyIdentifier Subject SubjectAlternativeName CertificateTemplate";

const TEMPLATES: Record<number, string> = {
  4624:
    `${SUBJECT} TargetUserSid TargetUserName TargetDomainName TargetLogonId LogonType LogonProcessName AuthenticationPackageName ` +
    "WorkstationName LogonGuid TransmittedServices LmPackageName KeyLength ProcessId ProcessName IpAddress IpPort ImpersonationLevel " +
    "RestrictedAdminMode TargetOutboundUserName TargetOutboundDomainName VirtualAccount TargetLinkedLogonId ElevatedToken",
  4625:
    `${SUBJECT} TargetUserSid TargetUserName TargetDomainName Status FailureReason SubStatus LogonType LogonProcessName ` +
    "AuthenticationPackageName WorkstationName TransmittedServices LmPackageName KeyLength ProcessId ProcessName IpAddress IpPort",
  4662: `${SUBJECT} ObjectServer ObjectType ObjectName OperationType HandleId AccessList AccessMask Properties AdditionalInfo AdditionalInfo2`,
  4661:
    `${SUBJECT} ObjectServer ObjectType ObjectName HandleId TransactionId AccessList AccessMask PrivilegeList Properties ` +
    "RestrictedSidCount ProcessId ProcessName",
  4697: `${SUBJECT} ServiceName ServiceFileName ServiceType ServiceStartType ServiceAccount`,
  4720: `${TARGET} ${SUBJECT} PrivilegeList ${SAM_ATTRIBUTES}`,
  4722: `${TARGET} ${SUBJECT}`,
  4724: `${TARGET} ${SUBJECT}`,
  4725: `${TARGET} ${SUBJECT}`,
  4726: `${TARGET} ${SUBJECT} PrivilegeList`,
  4738: `Dummy ${TARGET} ${SUBJECT} PrivilegeList ${SAM_ATTRIBUTES}`,
  4741: `${TARGET} ${SUBJECT} PrivilegeList ${SAM_ATTRIBUTES} DnsHostName ServicePrincipalNames`,
  4742: `ComputerAccountChange ${TARGET} ${SUBJECT} PrivilegeList ${SAM_ATTRIBUTES} DnsHostName ServicePrincipalNames`,
  4743: `${TARGET} ${SUBJECT} PrivilegeList`,
  4765: `SourceUserName SourceSid ${TARGET} ${SUBJECT} PrivilegeList SidList`,
  4766: `SourceUserName SourceSid ${TARGET} ${SUBJECT}`,
  4768:
    "TargetUserName TargetDomainName TargetSid ServiceName ServiceSid TicketOptions Status TicketEncryptionType PreAuthType " +
    "IpAddress IpPort CertIssuerName CertSerialNumber CertThumbprint",
  4769: "TargetUserName TargetDomainName ServiceName ServiceSid TicketOptions TicketEncryptionType IpAddress IpPort Status LogonGuid TransmittedServices",
  4771: "TargetUserName TargetSid ServiceName TicketOptions Status PreAuthType IpAddress IpPort CertIssuerName CertSerialNumber CertThumbprint",
  4776: "PackageName TargetUserName Workstation Status",
  4781: `OldTargetUserName NewTargetUserName TargetDomainName TargetSid ${SUBJECT} PrivilegeList`,
  4794: `${SUBJECT} Workstation Status`,
  4798: `${TARGET} ${SUBJECT} CallerProcessId CallerProcessName`,
  4799: `${TARGET} ${SUBJECT} CallerProcessId CallerProcessName`,
  4886: "RequestId Requester Attributes",
  4887: CERT,
  4888: CERT,
  5136:
    `OpCorrelationID AppCorrelationID ${SUBJECT} DSName DSType ObjectDN ObjectGUID ObjectClass AttributeLDAPDisplayName ` +
    "AttributeSyntaxOID AttributeValue OperationType",
  5140: `${SUBJECT} ObjectType IpAddress IpPort ShareName ShareLocalPath AccessMask AccessList`,
  5145: `${SUBJECT} ObjectType IpAddress IpPort ShareName ShareLocalPath RelativeTargetName AccessMask AccessList AccessReason`,
  7045: "ServiceName ImagePath ServiceType StartType AccountName",
};
for (const id of [4728, 4729, 4732, 4733, 4746, 4747, 4751, 4752, 4756, 4757, 4761, 4762]) TEMPLATES[id] = MEMBERSHIP;

/** Name of the i-th positional value of an event, or `Data_<i>` when the template is unknown or shorter. */
export function positionalName(eventId: number, index: number): string {
  const names = TEMPLATES[eventId]?.split(" ");
  return names?.[index] ?? `Data_${index}`;
}

/** Event ids whose positional values are named. */
export const POSITIONAL_EVENT_IDS: readonly number[] = Object.keys(TEMPLATES).map(Number);
