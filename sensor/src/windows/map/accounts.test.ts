import { describe, expect, it } from "vitest";
import { fixtureRecords, map, one, rec } from "../fixtures/mapping.ts";

const SUBJECT = { SubjectUserSid: "S-1-5-21-1-2-3-1105", SubjectUserName: "alice", SubjectDomainName: "CORP", SubjectLogonId: "0x1" };

describe("group membership", () => {
  it("4728: added to a global group; the group is the target, the member carries DN and SID", async () => {
    const records = await fixtureRecords("records.jsonl");
    expect(one(records.get("5001")!)).toMatchObject({
      kind: "group.membership",
      dc: "DC01.corp.example",
      action: "add",
      scope: "global",
      actor: { sid: "S-1-5-21-1-2-3-1105", name: "alice", domain: "CORP" },
      target: { sid: "S-1-5-21-1-2-3-512", name: "Domain Admins", domain: "CORP" },
      group: { sid: "S-1-5-21-1-2-3-512", name: "Domain Admins", domain: "CORP" },
      member: { sid: "S-1-5-21-1-2-3-1600", dn: "CN=mallory,CN=Users,DC=corp,DC=example" },
    });
  });

  it("reports a membership event that names no member", async () => {
    const records = await fixtureRecords("records.jsonl");
    expect(map(records.get("5002")!)).toEqual({
      drafts: [],
      problems: [{ eventId: 4728, recordId: "5002", reason: "no member (MemberSid / MemberName)" }],
    });
  });

  it.each([
    [4729, "remove", "global"],
    [4733, "remove", "local"],
    [4756, "add", "universal"],
    [4757, "remove", "universal"],
    [4751, "add", "global"],
    [4762, "remove", "universal"],
  ])("%i maps to %s with %s scope", (id, action, scope) => {
    const draft = one(
      rec(id, {
        MemberName: "-",
        MemberSid: "S-1-5-21-1-2-3-1600",
        TargetUserName: "Staff",
        TargetDomainName: "CORP",
        TargetSid: "S-1-5-21-1-2-3-4000",
        ...SUBJECT,
      }),
    );
    expect(draft).toMatchObject({ kind: "group.membership", action, scope, member: { sid: "S-1-5-21-1-2-3-1600" } });
  });

  it("4732 to a Builtin group (Get-WinEvent) and to a workstation's local group: no dc claimed", async () => {
    const ps = await fixtureRecords("powershell-array.txt");
    const builtin = one(ps.get("4004")!);
    expect(builtin).toMatchObject({
      kind: "group.membership",
      scope: "local",
      group: { name: "Backup Operators", domain: "Builtin", sid: "S-1-5-32-551" },
    });
    expect(builtin).not.toHaveProperty("dc");
    const workstation = one(
      rec(
        4732,
        {
          MemberName: "-",
          MemberSid: "S-1-5-21-1-2-3-1600",
          TargetUserName: "Administrators",
          TargetDomainName: "WKS07",
          TargetSid: "S-1-5-21-7-7-7-1001",
          ...SUBJECT,
        },
        { Computer: "WKS07.corp.example" },
      ),
    );
    expect(workstation).not.toHaveProperty("dc");
  });
});

describe("account lifecycle", () => {
  it.each([
    [4720, "created", "user", "bob", true],
    [4726, "deleted", "user", "bob", true],
    [4741, "created", "computer", "NEWPC$", true],
    [4743, "deleted", "computer", "OLDPC$", true],
    [4722, "enabled", "user", "bob", true],
    [4725, "disabled", "computer", "PC7$", true],
    [4724, "password-reset", "computer", "DC02$", true],
  ])("%i → %s %s", (id, action, accountType, name, onDc) => {
    const draft = one(rec(id, { TargetUserName: name, TargetDomainName: "CORP", TargetSid: "S-1-5-21-1-2-3-5000", ...SUBJECT }));
    expect(draft).toMatchObject({
      kind: "account.lifecycle",
      action,
      accountType,
      actor: { name: "alice" },
      target: { name, domain: "CORP" },
    });
    expect("dc" in draft).toBe(onDc);
  });

  it("keeps a user named `$` a user (4720 says so) and a local account creation off the DC list", () => {
    expect(one(rec(4720, { TargetUserName: "$", TargetDomainName: "CORP", TargetSid: "S-1-5-21-1-2-3-5001", ...SUBJECT }))).toMatchObject({
      accountType: "user",
      target: { name: "$" },
    });
    const local = one(rec(4720, { TargetUserName: "helpdesk", TargetDomainName: "WKS07", ...SUBJECT }, { Computer: "WKS07" }));
    expect(local).not.toHaveProperty("dc");
  });

  it("4781: rename with the old name as target and the new one in newName", () => {
    const draft = one(
      rec(4781, {
        OldTargetUserName: "DC012$",
        NewTargetUserName: "dc01",
        TargetDomainName: "CORP",
        TargetSid: "S-1-5-21-1-2-3-2201",
        ...SUBJECT,
        PrivilegeList: "-",
      }),
    );
    expect(draft).toMatchObject({
      kind: "account.lifecycle",
      action: "renamed",
      accountType: "computer",
      target: { name: "DC012$" },
      newName: "dc01",
      dc: "DC01.corp.example",
    });
    expect(map(rec(4781, { OldTargetUserName: "x", TargetSid: "S-1-5-21-1-2-3-1" })).problems[0]?.reason).toBe("no NewTargetUserName");
  });

  it("4794 (evtx_dump JSON): DSRM password set, on a DC, no target account", async () => {
    const records = await fixtureRecords("records.jsonl");
    const draft = one(records.get("5003")!);
    expect(draft).toMatchObject({
      kind: "account.lifecycle",
      action: "dsrm-password-set",
      dc: "DC01.corp.example",
      actor: { name: "administrator", domain: "CORP" },
    });
    expect(draft).not.toHaveProperty("target");
  });
});
