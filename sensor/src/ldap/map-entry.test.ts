import { describe, expect, it } from "vitest";
import { finalizeEvent } from "../contract/index.ts";
import { goneDraft, mapEntry, type LdapEntry, type MapEntryContext } from "./map-entry.ts";

const GUID = Buffer.from("2bf580211c13474abb68b03c525f9874", "hex");
const SID = Buffer.from("01050000000000051500000032a7cb62ed86e6b213997ad556040000", "hex");
const SID_TEXT = "S-1-5-21-1657513778-3001452269-3581581587-1110";

function context() {
  const problems: { dn: string; attribute?: string; reason: string }[] = [];
  const ctx: MapEntryContext = {
    tenantId: "acme",
    sensorId: "ldap01",
    dc: "DC1.vigil.lab",
    syncTime: "2026-11-25T20:00:00.000Z",
    onProblem: (p) => void problems.push(p),
  };
  return { ctx, problems };
}

const computer = (extra: Record<string, string | string[] | Buffer | Buffer[]> = {}): LdapEntry => ({
  dn: "<GUID=2bf580211c13474abb68b03c525f9874>;CN=SQL01,CN=Computers,DC=vigil,DC=lab",
  objectClass: ["top", "person", "organizationalPerson", "user", "computer"],
  objectGUID: GUID,
  objectSid: SID,
  sAMAccountName: "SQL01$",
  userAccountControl: "528384",
  whenChanged: "20261125195014.0Z",
  uSNChanged: "3970",
  primaryGroupID: "515",
  ...extra,
});

describe("mapEntry", () => {
  it("maps a computer to a valid snapshot keyed by its SID, with a plain DN", () => {
    const { ctx, problems } = context();
    const mapped = mapEntry(computer(), ctx)!;
    expect(problems).toEqual([]);
    expect(mapped).toMatchObject({ objectId: SID_TEXT, objectType: "computer", dn: "CN=SQL01,CN=Computers,DC=vigil,DC=lab", usn: 3970 });
    const event = finalizeEvent(mapped.draft);
    expect(event).toMatchObject({
      kind: "entity.snapshot",
      time: "2026-11-25T19:50:14.000Z",
      dc: "DC1.vigil.lab",
      target: { sid: SID_TEXT, name: "SQL01$" },
      entity: {
        objectType: "computer",
        name: "SQL01$",
        attributes: {
          userAccountControl: 528384,
          userAccountControlFlags: ["WORKSTATION_TRUST_ACCOUNT", "TRUSTED_FOR_DELEGATION"],
          primaryGroupSid: "S-1-5-21-1657513778-3001452269-3581581587-515",
          objectGUID: "2180f52b-131c-4a47-bb68-b03c525f9874",
        },
        deleted: false,
      },
      origin: { format: "ldap", recordId: "2180f52b-131c-4a47-bb68-b03c525f9874:3970", computer: "DC1.vigil.lab" },
    });
  });

  it("drops and reports each malformed attribute, keeping the object and its good attributes", () => {
    const { ctx, problems } = context();
    const mapped = mapEntry(
      computer({
        userAccountControl: "lots",
        pwdLastSet: "yesterday",
        whenChanged: "2026-11-25",
        sIDHistory: [SID, Buffer.from("0105", "hex")],
        "msDS-AllowedToActOnBehalfOfOtherIdentity": Buffer.alloc(3),
        member: ["<SID=zz>;CN=x"],
      }),
      ctx,
    )!;
    expect(problems.map((p) => p.attribute).sort()).toEqual(
      ["member", "msDS-AllowedToActOnBehalfOfOtherIdentity", "pwdLastSet", "sIDHistory", "userAccountControl", "whenChanged"].sort(),
    );
    for (const p of problems) expect(p.dn).toBe("CN=SQL01,CN=Computers,DC=vigil,DC=lab");
    const a = mapped.draft.kind === "entity.snapshot" ? mapped.draft.entity.attributes : {};
    for (const gone of ["userAccountControl", "userAccountControlFlags", "pwdLastSet", "whenChanged", "sIDHistory", "member"])
      expect(a).not.toHaveProperty(gone);
    expect(a).toMatchObject({ sAMAccountName: "SQL01$", objectSid: SID_TEXT, primaryGroupID: 515 });
    // Without whenChanged the event time is the sync time.
    expect(mapped.draft.time).toBe(ctx.syncTime);
    expect(() => finalizeEvent(mapped.draft)).not.toThrow();
  });

  it("reports entries it cannot identify or type, instead of emitting them", () => {
    const { ctx, problems } = context();
    expect(mapEntry(computer({ objectGUID: Buffer.alloc(4) }), ctx)).toBeUndefined();
    expect(mapEntry({ dn: "CN=c,DC=x", objectClass: ["top", "contact"], objectGUID: GUID }, ctx)).toBeUndefined();
    expect(problems.map((p) => p.reason)).toEqual([
      "GUID of 4 bytes, expected 16",
      "entry has no readable objectGUID; it cannot be identified across syncs",
      "objectClass top,contact is not a type the sync emits",
    ]);
  });

  it("names a tombstone by its old name and marks it deleted", () => {
    const { ctx } = context();
    const mapped = mapEntry(
      {
        dn: "CN=tmpgrp\\0ADEL:ea333d1e-bc49-44cb-87c0-ae4f19a44990,CN=Deleted Objects,DC=vigil,DC=lab",
        objectClass: ["top", "group"],
        objectGUID: GUID,
        objectSid: SID,
        name: "tmpgrp\nDEL:ea333d1e-bc49-44cb-87c0-ae4f19a44990",
        sAMAccountName: "$C6DBFBCC-C43A10D74D464E42",
        isDeleted: "TRUE",
        lastKnownParent: "<GUID=2bf580211c13474abb68b03c525f9874>;CN=Users,DC=vigil,DC=lab",
        uSNChanged: "3978",
      },
      ctx,
    )!;
    expect(mapped.draft).toMatchObject({
      target: { sid: SID_TEXT },
      entity: {
        objectType: "group",
        objectId: SID_TEXT,
        name: "tmpgrp",
        deleted: true,
        attributes: { lastKnownParent: "CN=Users,DC=vigil,DC=lab" },
      },
      origin: { recordId: "2180f52b-131c-4a47-bb68-b03c525f9874:3978:deleted" },
    });
    expect(mapped.draft.target).not.toHaveProperty("name");
  });

  it("keys non-principals by GUID and accepts attribute names in any case", () => {
    const { ctx } = context();
    const mapped = mapEntry(
      { dn: "OU=Staff,DC=x", OBJECTCLASS: ["top", "organizationalUnit"], objectguid: GUID, GPLINK: "[LDAP://cn={A},DC=x;2]" },
      ctx,
    )!;
    expect(mapped.objectId).toBe("2180f52b-131c-4a47-bb68-b03c525f9874");
    expect(mapped.draft.kind === "entity.snapshot" && mapped.draft.entity.attributes).toMatchObject({
      gPLink: "[LDAP://cn={A},DC=x;2]",
      gPLinkEnforced: ["cn={A},DC=x"],
    });
  });

  it("builds a valid deletion for an object a full pass no longer finds", () => {
    const { ctx } = context();
    const event = finalizeEvent(goneDraft({ objectId: SID_TEXT, objectType: "user", dn: "CN=x,DC=y" }, ctx, 4100));
    expect(event).toMatchObject({ entity: { deleted: true, objectId: SID_TEXT }, origin: { recordId: `${SID_TEXT}:gone:4100` } });
  });
});
