import { describe, expect, it } from "vitest";
import { parseCollectionFile } from "./parse.ts";

const file = (type: string, data: unknown[], version = 6, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ data, meta: { methods: 46067, type, count: data.length, version, ...extra } }));

const D = "S-1-5-21-1000-2000-3000";

describe("parseCollectionFile", () => {
  it("reads users with their properties and primary group", () => {
    const parsed = parseCollectionFile(
      "20261125_users.json",
      file("users", [
        {
          ObjectIdentifier: `${D}-1105`.toLowerCase(),
          PrimaryGroupSID: `${D}-513`,
          Properties: {
            name: "ALICE@CORP.LOCAL",
            domain: "CORP.LOCAL",
            samaccountname: "alice",
            enabled: true,
            distinguishedname: "CN=alice,CN=Users,DC=corp,DC=local",
          },
          Aces: [],
        },
      ]),
    );
    expect(parsed.accepted).toBe(true);
    expect(parsed.problems).toEqual([]);
    expect(parsed.file).toEqual({ entry: "20261125_users.json", type: "users", version: 6, objects: 1, rejected: 0, mapped: true });
    expect(parsed.users).toEqual([
      {
        kind: "User",
        objectId: `${D}-1105`,
        principalName: "ALICE@CORP.LOCAL",
        samAccountName: "alice",
        domain: "CORP.LOCAL",
        enabled: true,
        distinguishedName: "CN=alice,CN=Users,DC=corp,DC=local",
        primaryGroupSid: `${D}-513`,
      },
    ]);
  });

  it("reads a computer's local groups (with RID) and all three session results", () => {
    const parsed = parseCollectionFile(
      "c.json",
      file("computers", [
        {
          ObjectIdentifier: `${D}-2001`,
          Properties: { name: "WS01.CORP.LOCAL" },
          LocalGroups: [
            {
              ObjectIdentifier: `${D}-2001-544`,
              Name: "ADMINISTRATORS@WS01.CORP.LOCAL",
              Collected: true,
              FailureReason: null,
              Results: [{ ObjectIdentifier: `${D}-1200`, ObjectType: "Group" }, { ObjectType: "User" }],
              LocalNames: [],
            },
            {
              ObjectIdentifier: `${D}-2001-555`,
              Name: "REMOTE DESKTOP USERS@WS01",
              Collected: false,
              FailureReason: "ERROR_ACCESS_DENIED",
              Results: [],
            },
          ],
          Sessions: { Collected: true, FailureReason: null, Results: [{ UserSID: `${D}-1105`, ComputerSID: `${D}-2002` }] },
          PrivilegedSessions: { Collected: true, Results: [{ UserSID: `${D}-1106`, ComputerSID: `${D}-2001` }, { ComputerSID: "x" }] },
          RegistrySessions: { Collected: false, FailureReason: "RemoteRegistry disabled", Results: [] },
        },
      ]),
    );
    const [c] = parsed.computers;
    expect(c?.localGroups).toEqual([
      {
        objectId: `${D}-2001-544`,
        name: "ADMINISTRATORS@WS01.CORP.LOCAL",
        rid: 544,
        collected: true,
        members: [{ objectId: `${D}-1200`, type: "Group" }],
      },
      {
        objectId: `${D}-2001-555`,
        name: "REMOTE DESKTOP USERS@WS01",
        rid: 555,
        collected: false,
        failureReason: "ERROR_ACCESS_DENIED",
        members: [],
      },
    ]);
    expect(c?.sessions).toEqual([
      { userSid: `${D}-1105`, computerSid: `${D}-2002`, method: "Sessions" },
      { userSid: `${D}-1106`, computerSid: `${D}-2001`, method: "PrivilegedSessions" },
    ]);
    expect(c?.sessionFailures).toEqual([{ method: "RegistrySessions", reason: "RemoteRegistry disabled" }]);
    expect(parsed.problems.map((p) => [p.index, p.reason])).toEqual([
      [0, "LocalGroups[0]: 1 member(s) without ObjectIdentifier/ObjectType dropped"],
      [0, "PrivilegedSessions: 1 session(s) without UserSID dropped"],
    ]);
  });

  it("rejects malformed objects one by one and keeps the rest of the file", () => {
    const parsed = parseCollectionFile(
      "g.json",
      file("groups", [
        {
          ObjectIdentifier: `${D}-512`,
          Properties: { name: "DOMAIN ADMINS@CORP.LOCAL" },
          Members: [{ ObjectIdentifier: `${D}-1105`, ObjectType: "User" }],
        },
        { Properties: { name: "NO ID" } },
        "not an object",
        { ObjectIdentifier: `${D}-513`, Members: "oops" },
      ]),
    );
    expect(parsed.groups.map((g) => [g.objectId, g.members.length])).toEqual([
      [`${D}-512`, 1],
      [`${D}-513`, 0],
    ]);
    expect(parsed.file).toMatchObject({ objects: 2, rejected: 2 });
    expect(parsed.problems.map((p) => p.index)).toEqual([1, 2]);
    expect(parsed.problems[0]?.reason).toMatch(/^object rejected: ObjectIdentifier/);
  });

  it("refuses a whole file that is not JSON, not a collection, of an unsupported version or an unknown type", () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('{"data": [ {"ObjectIdentifier": "S-1'), /^not valid JSON/],
      [Buffer.from(JSON.stringify({ users: [] })), /^not a SharpHound collection file/],
      [file("users", [], 4), /^meta\.version 4 is not supported \(supported: 5, 6\)/],
      [file("users", [], 7), /^meta\.version 7 is not supported/],
      [file("sessions", []), /^unknown meta\.type "sessions"/],
    ];
    for (const [bytes, reason] of cases) {
      const parsed = parseCollectionFile("x.json", bytes);
      expect(parsed.accepted).toBe(false);
      expect(parsed.problems).toHaveLength(1);
      expect(parsed.problems[0]?.reason).toMatch(reason);
    }
  });

  it("accepts version 5, a byte-order mark, and known types it does not map (counted only)", () => {
    expect(
      parseCollectionFile(
        "u.json",
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), file("users", [{ ObjectIdentifier: "S-1-5-21-1-2-3-500" }], 5)]),
      ).users,
    ).toHaveLength(1);
    const gpos = parseCollectionFile("gpos.json", file("gpos", [{ ObjectIdentifier: "{31B2F340-016D-11D2-945F-00C04FB984F9}" }]));
    expect(gpos).toMatchObject({ accepted: true, file: { type: "gpos", mapped: false, objects: 1 }, problems: [] });
  });

  it("flags a meta.count that disagrees with data (a file cut short) but keeps what is there", () => {
    const parsed = parseCollectionFile("u.json", file("users", [{ ObjectIdentifier: "S-1-5-21-1-2-3-1000" }], 6, { count: 5 }));
    expect(parsed.users).toHaveLength(1);
    expect(parsed.problems[0]?.reason).toBe("meta.count says 5 objects, data holds 1 (file cut short?)");
  });
});
