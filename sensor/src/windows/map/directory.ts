import { base, loggedOnDcForDomainAccount, type Draft, type Mapper } from "./common.ts";
import { clean, guid, guids, hex, isDn, num, principal, prune, subjectOf, targetAccountOf } from "./values.ts";

/**
 * Directory events. The actor is the Subject (who made the request); the target is the object
 * acted on. 4662 and 5136 come from the DS audit of a DC.
 */

/** DS-Replication-Get-Changes, -Get-Changes-All, -Get-Changes-In-Filtered-Set: the rights DCSync requests. */
export const REPLICATION_RIGHTS = new Set([
  "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2",
  "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2",
  "89e95b76-444d-4c62-991a-0facbeda640c",
]);

/** schemaIDGUIDs of the classes detections ask about; 4662 names classes only by GUID. */
const CLASS_NAMES: Record<string, string> = {
  "19195a5b-6da0-11d0-afd3-00c04fd930c9": "domainDNS",
  "bf967aba-0de6-11d0-a285-00aa003049e2": "user",
  "bf967a86-0de6-11d0-a285-00aa003049e2": "computer",
  "bf967a9c-0de6-11d0-a285-00aa003049e2": "group",
  "5cb41ed0-0e4c-11d0-a286-00aa003049e2": "contact",
  "4828cc14-1437-45bc-9b07-ad6f015e5f28": "inetOrgPerson",
  "bf967aa5-0de6-11d0-a285-00aa003049e2": "organizationalUnit",
  "f30e3bc2-9ff0-11d1-b603-0000f80367c1": "groupPolicyContainer",
};

/**
 * 4662 "an operation was performed on an object". With any replication right in Properties it is a
 * replication request (DCSync when the actor is not a DC); otherwise a directory access with the
 * listed property / right GUIDs. Objects are named by GUID (`%{…}`) for DS, by path for LSA secrets
 * (`Policy\Secrets\G$BCKUPKEY_…`): a DN goes to objectDn, anything else to target.name.
 */
const objectOperation: Mapper = (r, ctx) => {
  const d = r.EventData;
  const server = clean(d["ObjectServer"]);
  const onDc = server === undefined || server === "DS";
  const properties = guids(d["Properties"]);
  const rights = properties.filter((g) => REPLICATION_RIGHTS.has(g));
  const actor = subjectOf(d);
  if (rights.length > 0 && onDc) {
    const draft: Draft<"replication"> = { ...base(r, ctx, true), kind: "replication", actor, rights };
    return [prune(draft)];
  }
  const objectName = clean(d["ObjectName"]);
  const dn = isDn(objectName) ? objectName : undefined;
  const objectType = clean(d["ObjectType"]);
  const classGuid = guid(objectType);
  const draft: Draft<"directory.access"> = {
    ...base(r, ctx, onDc),
    kind: "directory.access",
    actor,
    target: dn ? { dn } : { name: guid(objectName) ?? objectName },
    objectDn: dn,
    objectClass: classGuid ? (CLASS_NAMES[classGuid] ?? classGuid) : objectType,
    properties,
    accessMask: hex(d["AccessMask"]),
  };
  return [prune(draft)];
};

/** 5136 directory service change: one value added or deleted (a replace logs a delete then an add). */
const directoryChange: Mapper = (r, ctx) => {
  const d = r.EventData;
  const attribute = clean(d["AttributeLDAPDisplayName"]);
  if (!attribute) return "no AttributeLDAPDisplayName";
  const op = clean(d["OperationType"]);
  const operation = op === "%%14674" || op === "Value Added" ? "add" : op === "%%14675" || op === "Value Deleted" ? "delete" : undefined;
  if (!operation) return `unknown OperationType ${JSON.stringify(op)}`;
  const objectDn = clean(d["ObjectDN"]);
  const draft: Draft<"directory.change"> = {
    ...base(r, ctx, true),
    kind: "directory.change",
    actor: subjectOf(d),
    target: principal({ dn: objectDn }),
    objectDn,
    objectClass: clean(d["ObjectClass"]),
    attribute,
    operation,
    value: d["AttributeValue"]?.trim() || undefined,
  };
  return [prune(draft)];
};

/** 4738 / 4742 fields that report a changed attribute, with the attribute's LDAP name. */
const CHANGED_FIELDS: [field: string, attribute: string][] = [
  ["SamAccountName", "sAMAccountName"],
  ["DisplayName", "displayName"],
  ["UserPrincipalName", "userPrincipalName"],
  ["HomeDirectory", "homeDirectory"],
  ["HomePath", "homeDrive"],
  ["ScriptPath", "scriptPath"],
  ["ProfilePath", "profilePath"],
  ["UserWorkstations", "userWorkstations"],
  ["PasswordLastSet", "pwdLastSet"],
  ["AccountExpires", "accountExpires"],
  ["PrimaryGroupId", "primaryGroupID"],
  ["AllowedToDelegateTo", "msDS-AllowedToDelegateTo"],
  ["UserParameters", "userParameters"],
  ["SidHistory", "sIDHistory"],
  ["LogonHours", "logonHours"],
  ["DnsHostName", "dNSHostName"],
  ["ServicePrincipalNames", "servicePrincipalName"],
];

/**
 * 4738 user / 4742 computer account changed: one directory.change per attribute the event reports
 * (`-` = unchanged). `%%1793` "<value not set>" is a delete, `%%1792` "<value changed, but not
 * displayed>" a replace without value, `%%1794` "<never>". userAccountControl carries the new
 * value in decimal (as 5136 and LDAP write it). A 4738 that lists nothing maps to no draft.
 */
const accountChanged: Mapper = (r, ctx) => {
  const d = r.EventData;
  const target = targetAccountOf(d);
  const onDc = r.EventID === 4742 || loggedOnDcForDomainAccount(r, d["TargetDomainName"]);
  const common = {
    ...base(r, ctx, onDc),
    kind: "directory.change" as const,
    actor: subjectOf(d),
    target,
    objectClass: r.EventID === 4742 ? "computer" : "user",
  };
  const drafts: Draft<"directory.change">[] = [];
  for (const [field, attribute] of CHANGED_FIELDS) {
    const raw = clean(d[field]);
    if (raw === undefined) continue;
    if (raw === "%%1793") drafts.push(prune({ ...common, attribute, operation: "delete" }));
    else drafts.push(prune({ ...common, attribute, operation: "replace", value: displayValue(raw) }));
  }
  const newUac = num(d["NewUacValue"]);
  if (newUac !== undefined && d["NewUacValue"] !== d["OldUacValue"]) {
    drafts.push(prune({ ...common, attribute: "userAccountControl", operation: "replace", value: String(newUac) }));
  }
  return drafts;
};

function displayValue(raw: string): string | undefined {
  if (raw === "%%1792") return undefined;
  if (raw === "%%1794") return "never";
  // Multi-valued fields (SPNs, delegation targets) are one per line, indented.
  return raw
    .split(/\r?\n/)
    .map((v) => v.trim())
    .filter((v) => v !== "")
    .join("\n");
}

/** 4765 SID History added / 4766 adding it failed: both are the injection attempt detections want. */
const sidHistory: Mapper = (r, ctx) => {
  const d = r.EventData;
  const value = clean(d["SidList"])?.replace(/%\{([^}]*)\}/g, "$1") ?? clean(d["SourceSid"]);
  const draft: Draft<"directory.change"> = {
    ...base(r, ctx, true),
    kind: "directory.change",
    actor: subjectOf(d),
    target: targetAccountOf(d),
    attribute: "sIDHistory",
    operation: "add",
    value,
  };
  return [prune(draft)];
};

export const directoryMappers: Record<number, Mapper> = {
  4662: objectOperation,
  5136: directoryChange,
  4738: accountChanged,
  4742: accountChanged,
  4765: sidHistory,
  4766: sidHistory,
};
