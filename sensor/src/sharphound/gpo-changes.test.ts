import { describe, expect, it } from "vitest";
import { parseCollectionFile } from "./parse.ts";

const file = (type: string, data: unknown[]) =>
  Buffer.from(JSON.stringify({ data, meta: { methods: 46067, type, count: data.length, version: 6 } }));

const D = "S-1-5-21-1000-2000-3000";
const OU = "3C2A1B0E-4D5F-4A6B-8C7D-9E0F1A2B3C4D";
const ref = (id: string, type: string) => ({ ObjectIdentifier: id, ObjectType: type });

/** An OU object shaped like SharpHound CE (v6) output, with the GPOChanges it resolved. */
const ou = (gpoChanges: unknown) => ({
  ObjectIdentifier: OU.toLowerCase(),
  Properties: { name: "WORKSTATIONS@CORP.LOCAL", distinguishedname: `OU=Workstations,DC=corp,DC=local`, blocksinheritance: false },
  Links: [{ IsEnforced: false, GUID: "5B6E4C1A-7D3F-4E2B-9A8C-1F0D2E3C4B5A" }],
  ChildObjects: [ref(`${D}-2001`, "Computer")],
  GPOChanges: gpoChanges,
  Aces: [],
  IsDeleted: false,
  IsACLProtected: false,
});

describe("GPOChanges of OUs and domains", () => {
  it("reads LocalAdmins and AffectedComputers of an OU; the OU itself stays unmapped", () => {
    const parsed = parseCollectionFile(
      "20261125_ous.json",
      file("ous", [
        ou({
          LocalAdmins: [ref(`${D}-1105`, "Group"), { ObjectType: "User" }],
          RemoteDesktopUsers: [ref(`${D}-1106`, "User")],
          DcomUsers: [],
          PSRemoteUsers: [],
          AffectedComputers: [ref(`${D}-2001`, "Computer")],
        }),
        ou(null),
        ou({
          LocalAdmins: [],
          RemoteDesktopUsers: [],
          DcomUsers: [],
          PSRemoteUsers: [],
          AffectedComputers: [ref(`${D}-2002`, "Computer")],
        }),
        ou("garbage"),
      ]),
    );
    expect(parsed.file).toMatchObject({ type: "ous", objects: 4, mapped: false });
    expect(parsed.gpoChanges).toEqual([
      {
        objectId: OU,
        kind: "OU",
        localAdmins: [{ objectId: `${D}-1105`, type: "Group" }],
        affectedComputers: [{ objectId: `${D}-2001`, type: "Computer" }],
        otherLocalGroupMembers: 1,
      },
    ]);
    expect(parsed.problems).toEqual([
      { entry: "20261125_ous.json", index: 0, reason: "GPOChanges: 1 reference(s) without ObjectIdentifier/ObjectType dropped" },
      { entry: "20261125_ous.json", index: 3, reason: "GPOChanges ignored: not an object, or the object has no ObjectIdentifier" },
    ]);
  });

  it("reads a domain's GPOChanges beside the domain record", () => {
    const parsed = parseCollectionFile(
      "20261125_domains.json",
      file("domains", [
        {
          ObjectIdentifier: D,
          Properties: { name: "CORP.LOCAL", domain: "CORP.LOCAL" },
          GPOChanges: {
            LocalAdmins: [ref(`${D}-512`, "Group")],
            AffectedComputers: [ref(`${D}-2001`, "Computer"), ref(`${D}-2003`, "Computer")],
          },
        },
      ]),
    );
    expect(parsed.domains).toHaveLength(1);
    expect(parsed.gpoChanges).toEqual([
      {
        objectId: D,
        kind: "Domain",
        localAdmins: [{ objectId: `${D}-512`, type: "Group" }],
        affectedComputers: [
          { objectId: `${D}-2001`, type: "Computer" },
          { objectId: `${D}-2003`, type: "Computer" },
        ],
        otherLocalGroupMembers: 0,
      },
    ]);
  });
});
