import { describe, expect, it } from "vitest";
import {
  allowedSidsOfDescriptor,
  AttributeDecodeError,
  encryptionTypeNames,
  fileTimeToIso,
  generalizedTimeToIso,
  groupTypeInfo,
  guidToString,
  integerValue,
  keyCredentialId,
  parseExtendedDn,
  parseGpLink,
  sidToString,
  trustAttributeNames,
  trustDirectionName,
  trustTypeName,
  uacFlags,
} from "./decode.ts";

/** S-1-5-21-1657513778-3001452269-3581581587-1110 as AD stores it (from the Samba DC). */
const SID_HEX = "01050000000000051500000032a7cb62ed86e6b213997ad556040000";
const SID = "S-1-5-21-1657513778-3001452269-3581581587-1110";

/** A self-relative SD whose DACL has one allow ACE (type 0) for `sid` and one deny ACE (type 1) for Everyone. */
function descriptor(sid: Buffer, extraAce?: Buffer): Buffer {
  const ace = (type: number, s: Buffer) => {
    const b = Buffer.alloc(8 + s.length);
    b[0] = type;
    b.writeUInt16LE(b.length, 2);
    b.writeUInt32LE(0x000f01ff, 4);
    s.copy(b, 8);
    return b;
  };
  const everyone = Buffer.from("010100000000000100000000", "hex");
  const aces = [ace(0, sid), ace(1, everyone), ...(extraAce ? [extraAce] : [])];
  const body = Buffer.concat(aces);
  const acl = Buffer.alloc(8);
  acl[0] = 2;
  acl.writeUInt16LE(8 + body.length, 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header[0] = 1;
  header.writeUInt16LE(0x8004, 2);
  header.writeUInt32LE(20, 16);
  return Buffer.concat([header, acl, body]);
}

describe("SID and GUID", () => {
  it("decodes a binary SID and the well-known short ones", () => {
    expect(sidToString(Buffer.from(SID_HEX, "hex"))).toBe(SID);
    expect(sidToString(Buffer.from("01020000000000052000000020020000", "hex"))).toBe("S-1-5-32-544");
    expect(sidToString(Buffer.from("010100000000000100000000", "hex"))).toBe("S-1-1-0");
  });

  it.each([
    ["empty", ""],
    ["header only, claims 5 sub-authorities", "0105000000000005"],
    ["one byte short", SID_HEX.slice(0, -2)],
    ["one byte too long", `${SID_HEX}00`],
    ["revision 2", `02${SID_HEX.slice(2)}`],
    ["16 sub-authorities", `0110${"00".repeat(6)}${"00".repeat(64)}`],
  ])("rejects a SID that is %s", (_label, hex) => {
    expect(() => sidToString(Buffer.from(hex, "hex"))).toThrow(AttributeDecodeError);
  });

  it("decodes a GUID in Microsoft's mixed-endian layout, and rejects other lengths", () => {
    expect(guidToString(Buffer.from("2bf580211c13474abb68b03c525f9874", "hex"))).toBe("2180f52b-131c-4a47-bb68-b03c525f9874");
    expect(() => guidToString(Buffer.alloc(15))).toThrow(/15 bytes/);
    expect(() => guidToString(Buffer.alloc(17))).toThrow(AttributeDecodeError);
  });
});

describe("times", () => {
  it("turns FILETIME into ISO, 0 and the maximum into never", () => {
    expect(fileTimeToIso("134401098144246200")).toBe("2026-11-25T19:50:14.424Z");
    expect(fileTimeToIso("116444736000000000")).toBe("1970-01-01T00:00:00.000Z");
    expect(fileTimeToIso("0")).toBe("never");
    expect(fileTimeToIso("9223372036854775807")).toBe("never");
  });

  it.each(["", "-1", "12ab", "1.5", "99999999999999999999", " 1"])("rejects FILETIME %j", (v) => {
    expect(() => fileTimeToIso(v)).toThrow(AttributeDecodeError);
  });

  it("turns generalized time into ISO, with fractions and offsets", () => {
    expect(generalizedTimeToIso("20261125195014.0Z")).toBe("2026-11-25T19:50:14.000Z");
    expect(generalizedTimeToIso("20240229235959.123456Z")).toBe("2024-02-29T23:59:59.123Z");
    expect(generalizedTimeToIso("20240301103000+0200")).toBe("2024-03-01T08:30:00.000Z");
  });

  it.each(["", "2026", "20261125195014", "20261325000000.0Z", "20230229000000.0Z", "20261125250000.0Z", "garbageZ"])(
    "rejects generalized time %j",
    (v) => {
      expect(() => generalizedTimeToIso(v)).toThrow(AttributeDecodeError);
    },
  );
});

describe("numbers and flags", () => {
  it("reads signed integers and rejects the rest", () => {
    expect(integerValue("-2147483646")).toBe(-2147483646);
    expect(integerValue("512")).toBe(512);
    for (const bad of ["", "0x200", "5e3", "9223372036854775807", "12 "]) expect(() => integerValue(bad)).toThrow(AttributeDecodeError);
  });

  it("names userAccountControl flags, unknown bits as hex", () => {
    expect(uacFlags(0x400200)).toEqual(["NORMAL_ACCOUNT", "DONT_REQ_PREAUTH"]);
    expect(uacFlags(0x82000)).toEqual(["SERVER_TRUST_ACCOUNT", "TRUSTED_FOR_DELEGATION"]);
    expect(uacFlags(0x200 | 0x4 | 0x80000000)).toEqual(["NORMAL_ACCOUNT", "0x4", "0x80000000"]);
    expect(uacFlags(0)).toEqual([]);
  });

  it("names encryption types, group types and trust fields", () => {
    expect(encryptionTypeNames(0x1c)).toEqual(["RC4-HMAC", "AES128-CTS-HMAC-SHA1-96", "AES256-CTS-HMAC-SHA1-96"]);
    expect(groupTypeInfo(-2147483646)).toEqual({ scope: "global", security: true });
    expect(groupTypeInfo(-2147483643)).toEqual({ scope: "builtin-local", security: true });
    expect(groupTypeInfo(8)).toEqual({ scope: "universal", security: false });
    expect(trustAttributeNames(0x8 | 0x4)).toEqual(["QUARANTINED_DOMAIN", "FOREST_TRANSITIVE"]);
    expect(trustDirectionName(3)).toBe("bidirectional");
    expect(trustTypeName(2)).toBe("uplevel");
    expect(() => trustDirectionName(4)).toThrow(AttributeDecodeError);
    expect(() => trustTypeName(0)).toThrow(AttributeDecodeError);
  });
});

describe("gPLink, extended DNs, key credentials", () => {
  it("parses gPLink with disabled and enforced links", () => {
    expect(
      parseGpLink("[LDAP://cn={A},cn=policies,cn=system,DC=x;0][LDAP://cn={B},cn=policies,cn=system,DC=x;2][LDAP://cn={C},DC=x;1]"),
    ).toEqual([
      { dn: "cn={A},cn=policies,cn=system,DC=x", disabled: false, enforced: false },
      { dn: "cn={B},cn=policies,cn=system,DC=x", disabled: false, enforced: true },
      { dn: "cn={C},DC=x", disabled: true, enforced: false },
    ]);
    expect(parseGpLink(" ")).toEqual([]);
  });

  it.each(["[LDAP://cn={A};0", "cn={A};0", "[LDAP://cn={A};0]trailing", "[LDAP://cn={A};x]"])("rejects gPLink %j", (v) => {
    expect(() => parseGpLink(v)).toThrow(AttributeDecodeError);
  });

  it("parses extended DNs in hex and string form, and plain DNs", () => {
    expect(parseExtendedDn(`<GUID=2bf580211c13474abb68b03c525f9874>;<SID=${SID_HEX}>;CN=SQL01,CN=Computers,DC=vigil,DC=lab`)).toEqual({
      dn: "CN=SQL01,CN=Computers,DC=vigil,DC=lab",
      guid: "2180f52b-131c-4a47-bb68-b03c525f9874",
      sid: SID,
    });
    expect(
      parseExtendedDn("<GUID=2180F52B-131C-4A47-BB68-B03C525F9874>;<SID=S-1-5-32-544>;CN=Administrators,CN=Builtin,DC=x"),
    ).toMatchObject({
      guid: "2180f52b-131c-4a47-bb68-b03c525f9874",
      sid: "S-1-5-32-544",
    });
    expect(parseExtendedDn("CN=plain,DC=x")).toEqual({ dn: "CN=plain,DC=x" });
  });

  it.each([
    ["unclosed", "<GUID=00;CN=x"],
    ["no DN after the parts", "<GUID=2bf580211c13474abb68b03c525f9874>"],
    ["SID that is not hex", "<SID=zz>;CN=x"],
    ["SID hex of a broken SID", "<SID=0105>;CN=x"],
  ])("rejects an extended DN that is %s", (_label, v) => {
    expect(() => parseExtendedDn(v)).toThrow(AttributeDecodeError);
  });

  it("identifies key credentials by a hash of the blob, and rejects broken DN-binary values", () => {
    const id = keyCredentialId("B:8:0102ABCD:CN=eve,OU=Staff,DC=x");
    expect(id).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(keyCredentialId("B:8:0102abcd:CN=other,DC=x")).toBe(id);
    expect(keyCredentialId("B:8:0102ABCE:CN=eve,OU=Staff,DC=x")).not.toBe(id);
    for (const bad of ["", "B:8:0102AB:CN=x", "B:3:012:CN=x", "S:4:abcd:CN=x", "B:4:zzzz:CN=x", "B:4:abcd"])
      expect(() => keyCredentialId(bad)).toThrow(AttributeDecodeError);
  });
});

describe("msDS-AllowedToActOnBehalfOfOtherIdentity descriptors", () => {
  const sid = Buffer.from(SID_HEX, "hex");

  it("returns the SIDs of allow ACEs only", () => {
    expect(allowedSidsOfDescriptor(descriptor(sid))).toEqual([SID]);
  });

  it("reads the SID of an object allow ACE after its GUIDs", () => {
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from([1, 0, 0, 0]), Buffer.alloc(16, 7), sid]);
    const ace = Buffer.concat([Buffer.from([5, 0, 0, 0]), body]);
    ace.writeUInt16LE(ace.length, 2);
    expect(allowedSidsOfDescriptor(descriptor(sid, ace))).toEqual([SID, SID]);
  });

  it("returns nothing for a descriptor without a DACL", () => {
    const header = Buffer.alloc(20);
    header[0] = 1;
    expect(allowedSidsOfDescriptor(header)).toEqual([]);
  });

  it.each([
    ["shorter than its header", () => Buffer.alloc(10)],
    ["of revision 2", () => Object.assign(descriptor(Buffer.from(SID_HEX, "hex")), { 0: 2 })],
    ["with a DACL offset past the end", () => descriptor(Buffer.from(SID_HEX, "hex")).fill(0xff, 16, 20)],
    ["cut in the middle of an ACE", () => descriptor(Buffer.from(SID_HEX, "hex")).subarray(0, 40)],
    ["with an ACE size of 0", () => descriptor(Buffer.from(SID_HEX, "hex")).fill(0, 30, 32)],
    [
      "with more ACEs counted than present",
      () => {
        const d = descriptor(Buffer.from(SID_HEX, "hex"));
        d.writeUInt16LE(9, 24);
        return d;
      },
    ],
  ])("rejects a descriptor %s", (_label, make) => {
    expect(() => allowedSidsOfDescriptor(make())).toThrow(AttributeDecodeError);
  });
});
