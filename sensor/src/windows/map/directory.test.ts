import { describe, expect, it } from "vitest";
import { createMapStats } from "../index.ts";
import { fixtureRecords, map, one, rec } from "../fixtures/mapping.ts";

const SUBJECT = { SubjectUserSid: "S-1-5-21-1-2-3-1105", SubjectUserName: "alice", SubjectDomainName: "CORP", SubjectLogonId: "0x1" };
const ACCOUNT_UNCHANGED = Object.fromEntries(
  [
    "SamAccountName",
    "DisplayName",
    "UserPrincipalName",
    "HomeDirectory",
    "HomePath",
    "ScriptPath",
    "ProfilePath",
    "UserWorkstations",
    "PasswordLastSet",
    "AccountExpires",
    "PrimaryGroupId",
    "AllowedToDelegateTo",
    "OldUacValue",
    "NewUacValue",
    "UserAccountControl",
    "UserParameters",
    "SidHistory",
    "LogonHours",
  ].map((k) => [k, "-"]),
);

describe("4662 object operations", () => {
  it("is a replication request when Properties hold a replication right (upper-case GUIDs too)", async () => {
    const xml = await fixtureRecords("events.xml");
    expect(one(xml.get("1008")!)).toMatchObject({
      kind: "replication",
      dc: "DC01.corp.example",
      actor: { sid: "S-1-5-21-1-2-3-1105", name: "alice", domain: "CORP" },
      rights: ["1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"],
    });
  });

  it("is a directory access otherwise, with the class named and every property GUID listed", async () => {
    const sentinel = await fixtureRecords("sentinel-rows.txt");
    const access = [...sentinel.values()].find((r) => r.EventID === 4662)!;
    expect(one(access)).toMatchObject({
      kind: "directory.access",
      dc: "DC01.simulandlabs.com",
      actor: { name: "wardog", domain: "SIMULANDLABS" },
      target: { name: "9736f74f-fd37-4b02-80e8-8120a72ad6c2" },
      objectClass: "contact",
      properties: ["77b5b886-944a-11d1-aebd-0000f80367c1", "8d3bca50-1d7e-11d0-a081-00aa006c33ed", "5cb41ed0-0e4c-11d0-a286-00aa003049e2"],
      accessMask: "0x10",
    });
  });

  it("keeps an LSA secret's path (DPAPI backup key reads) and does not claim a DC", () => {
    const draft = one(
      rec(4662, {
        ...SUBJECT,
        ObjectServer: "LSA",
        ObjectType: "SecretObject",
        ObjectName: "Policy\\Secrets\\G$BCKUPKEY_PREFERRED",
        AccessMask: "0x2",
        Properties: "-",
      }),
    );
    expect(draft).toMatchObject({
      kind: "directory.access",
      target: { name: "Policy\\Secrets\\G$BCKUPKEY_PREFERRED" },
      objectClass: "SecretObject",
      properties: [],
      accessMask: "0x2",
    });
    expect(draft).not.toHaveProperty("dc");
  });
});

describe("5136 directory service changes", () => {
  it("maps %%14674 to add, with the object DN as target", async () => {
    const xml = await fixtureRecords("events-wrapped.xml");
    expect(one(xml.get("2002")!)).toMatchObject({
      kind: "directory.change",
      dc: "DC01.corp.example",
      target: { dn: "CN=WKS07,OU=Workstations,DC=corp,DC=example" },
      objectDn: "CN=WKS07,OU=Workstations,DC=corp,DC=example",
      objectClass: "computer",
      attribute: "msDS-KeyCredentialLink",
      operation: "add",
      value: "B:828:0002<...>:CN=WKS07",
    });
  });

  it("maps %%14675 to delete and reports an unknown operation type", () => {
    const base = {
      ...SUBJECT,
      ObjectDN: "DC=corp,DC=example",
      ObjectClass: "domainDNS",
      AttributeLDAPDisplayName: "nTSecurityDescriptor",
      AttributeValue: "O:BAG:BAD:(A;;CR;;;WD)",
    };
    expect(one(rec(5136, { ...base, OperationType: "%%14675" }))).toMatchObject({ operation: "delete", attribute: "nTSecurityDescriptor" });
    expect(map(rec(5136, { ...base, OperationType: "%%14676" })).problems).toEqual([
      { eventId: 5136, recordId: "77", reason: 'unknown OperationType "%%14676"' },
    ]);
  });
});

describe("4738 / 4742 account changes", () => {
  it("gives one change per attribute the event reports (noPac rename, SPNs cleared, UAC)", () => {
    const record = rec(4742, {
      ComputerAccountChange: "-",
      TargetUserName: "DC012$",
      TargetDomainName: "CORP",
      TargetSid: "S-1-5-21-1-2-3-2201",
      ...SUBJECT,
      ...ACCOUNT_UNCHANGED,
      SamAccountName: "dc01",
      OldUacValue: "0x80",
      NewUacValue: "0x2080",
      DnsHostName: "-",
      ServicePrincipalNames: "%%1793",
    });
    const { drafts } = map(record);
    expect(drafts.map((d) => (d.kind === "directory.change" ? [d.attribute, d.operation, d.value] : d.kind))).toEqual([
      ["sAMAccountName", "replace", "dc01"],
      ["servicePrincipalName", "delete", undefined],
      ["userAccountControl", "replace", "8320"],
    ]);
    expect(drafts[0]).toMatchObject({
      dc: "DC01.corp.example",
      actor: { name: "alice" },
      target: { name: "DC012$", sid: "S-1-5-21-1-2-3-2201" },
      objectClass: "computer",
    });
  });

  it("lists multi-valued SPNs one per line and reads the zerologon password set by ANONYMOUS LOGON", () => {
    const zerologon = rec(4742, {
      TargetUserName: "DC01$",
      TargetDomainName: "CORP",
      TargetSid: "S-1-5-21-1-2-3-1000",
      SubjectUserSid: "S-1-5-7",
      SubjectUserName: "ANONYMOUS LOGON",
      SubjectDomainName: "NT AUTHORITY",
      ...ACCOUNT_UNCHANGED,
      PasswordLastSet: "9/16/2020 11:40:05 PM",
      ServicePrincipalNames: "\n\t\tHOST/DC01.corp.example\n\t\tldap/DC01",
    });
    expect(map(zerologon).drafts.map((d) => (d.kind === "directory.change" ? [d.attribute, d.value, d.actor?.sid] : d.kind))).toEqual([
      ["pwdLastSet", "9/16/2020 11:40:05 PM", "S-1-5-7"],
      ["servicePrincipalName", "HOST/DC01.corp.example\nldap/DC01", "S-1-5-7"],
    ]);
  });

  it("counts a 4738 that reports nothing as empty, not as a problem", () => {
    const stats = createMapStats();
    map(rec(4738, { TargetUserName: "bob", TargetDomainName: "CORP", ...SUBJECT, ...ACCOUNT_UNCHANGED }), stats);
    expect(stats).toMatchObject({ records: 1, drafts: 0, empty: 1, problems: 0 });
  });

  it("puts a 4738 on a workstation's own SAM account without dc", () => {
    const local = rec(
      4738,
      { TargetUserName: "kiosk", TargetDomainName: "WKS07", ...SUBJECT, ...ACCOUNT_UNCHANGED, DisplayName: "Kiosk" },
      { Computer: "WKS07.corp.example" },
    );
    expect(one(local)).not.toHaveProperty("dc");
  });
});

describe("4765 / 4766 SID history", () => {
  it("is an sIDHistory add on the target account", () => {
    const record = rec(4765, {
      SourceUserName: "old\\admin",
      SourceSid: "S-1-5-21-9-9-9-500",
      TargetUserName: "mallory",
      TargetDomainName: "CORP",
      TargetSid: "S-1-5-21-1-2-3-1600",
      ...SUBJECT,
      PrivilegeList: "-",
      SidList: "%{S-1-5-21-1-2-3-512}",
    });
    expect(one(record)).toMatchObject({
      kind: "directory.change",
      dc: "DC01.corp.example",
      target: { name: "mallory" },
      attribute: "sIDHistory",
      operation: "add",
      value: "S-1-5-21-1-2-3-512",
    });
    expect(
      one(rec(4766, { SourceSid: "S-1-5-21-9-9-9-500", TargetUserName: "mallory", TargetDomainName: "CORP", ...SUBJECT })),
    ).toMatchObject({ attribute: "sIDHistory", value: "S-1-5-21-9-9-9-500" });
  });
});
