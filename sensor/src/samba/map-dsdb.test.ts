import { describe, expect, it } from "vitest";
import { map, SID } from "./map.fixture.ts";

describe("Samba dsdb, group and password records", () => {
  const dsdb = (fields: Record<string, unknown>) =>
    JSON.stringify({
      timestamp: "2026-11-25T17:02:01.573842+0000",
      type: "dsdbChange",
      dsdbChange: {
        statusCode: 0,
        status: "Success",
        operation: "Modify",
        remoteAddress: "ipv4:10.99.0.66:33986",
        userSid: `${SID}-500`,
        dn: "CN=Domain Admins,CN=Users,DC=corp,DC=lab",
        ...fields,
      },
    });
  const attrs = (name: string, action: string, values?: unknown[]) => ({
    [name]: { actions: [{ action, ...(values ? { values } : {}) }] },
  });

  it("maps a member add with its extended DN to a directory.change with the plain DN", () => {
    const { drafts } = map(
      dsdb({
        attributes: attrs("member", "add", [
          { value: `<GUID=f841ff05-2781-4f3c-a297-2a5b2abdfb01>;<SID=${SID}-1105>;CN=eve,CN=Users,DC=corp,DC=lab` },
        ]),
      }),
    );
    expect(drafts).toEqual([
      expect.objectContaining({
        kind: "directory.change",
        attribute: "member",
        operation: "add",
        value: "CN=eve,CN=Users,DC=corp,DC=lab",
        objectDn: "CN=Domain Admins,CN=Users,DC=corp,DC=lab",
        actor: { sid: `${SID}-500` },
        src: { ip: "10.99.0.66", port: 33986 },
      }),
    ]);
  });

  it("keeps attacker-relevant attributes, redacted secrets without value, base64 values as written", () => {
    const attributes = {
      ...attrs("servicePrincipalName", "add", [{ value: "HTTP/evil.corp.lab" }, { value: "HTTP/evil2.corp.lab" }]),
      ...attrs("msDS-KeyCredentialLink", "add", [{ value: "B:828:0002…:CN=bob,CN=Users,DC=corp,DC=lab" }]),
      ...attrs("nTSecurityDescriptor", "replace", [{ value: "AQAEjA==", base64: true, truncated: true }]),
      ...attrs("unicodePwd", "replace"),
    };
    const { drafts } = map(dsdb({ dn: "CN=bob,CN=Users,DC=corp,DC=lab", attributes }));
    expect(drafts.map((d) => d.kind === "directory.change" && [d.attribute, d.operation, d.value])).toEqual([
      ["servicePrincipalName", "add", "HTTP/evil.corp.lab"],
      ["servicePrincipalName", "add", "HTTP/evil2.corp.lab"],
      ["msDS-KeyCredentialLink", "add", "B:828:0002…:CN=bob,CN=Users,DC=corp,DC=lab"],
      ["nTSecurityDescriptor", "replace", "AQAEjA=="],
      ["unicodePwd", "replace", undefined],
    ]);
    // One record, several events: each has its own id.
    expect(new Set(drafts.map((d) => d.origin.recordId)).size).toBe(5);
  });

  it("drops the logon trail Samba writes on every logon", () => {
    const { drafts, stats } = map(
      dsdb({ attributes: { ...attrs("lastLogon", "replace", [{ value: "1" }]), ...attrs("logonCount", "replace", [{ value: "2" }]) } }),
    );
    expect(drafts).toEqual([]);
    expect(stats.empty).toBe(1);
  });

  it("adds account.lifecycle created for a new user or computer, and marks refused changes", () => {
    const attributes = {
      ...attrs("objectClass", "add", [{ value: "top" }, { value: "computer" }]),
      ...attrs("sAMAccountName", "add", [{ value: "EVIL$" }]),
    };
    const { drafts } = map(dsdb({ operation: "Add", dn: "CN=EVIL,CN=Computers,DC=corp,DC=lab", attributes }));
    expect(drafts.at(-1)).toMatchObject({
      kind: "account.lifecycle",
      action: "created",
      accountType: "computer",
      target: { dn: "CN=EVIL,CN=Computers,DC=corp,DC=lab" },
    });
    const refused = map(
      dsdb({ statusCode: 50, status: "Insufficient access rights", attributes: attrs("member", "add", [{ value: "CN=x" }]) }),
    );
    expect(refused.drafts).toEqual([expect.objectContaining({ success: false })]);
  });

  it("reports unusable dsdb records", () => {
    expect(map(dsdb({ operation: "Rename", attributes: {} })).problems[0]?.reason).toMatch(/unmapped dsdb operation/);
    expect(map(dsdb({ attributes: { member: { nothing: 1 } } })).problems[0]?.reason).toMatch(/no actions list/);
    expect(map(dsdb({ attributes: attrs("member", "frobnicate") })).problems[0]?.reason).toMatch(/unknown action/);
    expect(map(dsdb({ attributes: undefined })).problems[0]?.reason).toBe("no attributes object");
  });

  const group = (fields: Record<string, unknown>) =>
    JSON.stringify({
      timestamp: "2026-11-25T17:02:01.573481+0000",
      type: "groupChange",
      groupChange: {
        eventId: 4728,
        statusCode: 0,
        status: "Success",
        action: "Added",
        remoteAddress: "ipv4:10.99.0.66:33986",
        userSid: `${SID}-500`,
        group: "CN=Domain Admins,CN=Users,DC=corp,DC=lab",
        user: "CN=eve,CN=Users,DC=corp,DC=lab",
        ...fields,
      },
    });
  it("maps groupChange to group.membership with the scope of its event id", () => {
    expect(map(group({})).drafts).toEqual([
      expect.objectContaining({
        kind: "group.membership",
        action: "add",
        scope: "global",
        group: { dn: "CN=Domain Admins,CN=Users,DC=corp,DC=lab", name: "Domain Admins" },
        member: { dn: "CN=eve,CN=Users,DC=corp,DC=lab" },
        actor: { sid: `${SID}-500` },
      }),
    ]);
    expect(map(group({ eventId: 4733, action: "Removed" })).drafts[0]).toMatchObject({ action: "remove", scope: "local" });
    expect(map(group({ statusCode: 1, status: "Operations error" })).drafts).toEqual([]);
    expect(map(group({ user: null })).problems[0]?.reason).toBe("no group or user DN");
  });

  const password = (action: string) =>
    JSON.stringify({
      timestamp: "2026-11-25T17:02:03.474791+0000",
      type: "passwordChange",
      passwordChange: {
        eventId: action === "Reset" ? 4724 : 4723,
        statusCode: 0,
        remoteAddress: "ipv4:10.99.0.66:37118",
        userSid: `${SID}-500`,
        dn: "CN=bob,CN=Users,DC=corp,DC=lab",
        action,
      },
    });
  it("maps a 4724 reset to account.lifecycle password-reset; a 4723 own change to nothing", () => {
    expect(map(password("Reset")).drafts).toEqual([
      expect.objectContaining({ kind: "account.lifecycle", action: "password-reset", target: { dn: "CN=bob,CN=Users,DC=corp,DC=lab" } }),
    ]);
    expect(map(password("Change"))).toMatchObject({ drafts: [], problems: [] });
    expect(map(password("Expire")).problems[0]?.reason).toMatch(/unmapped password action/);
  });

  it("counts unknown record types without a problem", () => {
    const { drafts, stats } = map(JSON.stringify({ timestamp: "2026-11-25T17:00:00+0000", type: "replicateSecret", replicateSecret: {} }));
    expect(drafts).toEqual([]);
    expect(stats).toMatchObject({ unknown: 1, unknownTypes: { replicateSecret: 1 }, problems: 0 });
  });
});
