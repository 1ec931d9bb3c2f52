import { describe, expect, it } from "vitest";
import { isGpoError } from "./errors.ts";
import { parseSecurityTemplate } from "./security-template.ts";
import { securityTemplate } from "./test-files.ts";

const DA = "S-1-5-21-1-2-3-512";
const HELPDESK = "S-1-5-21-1-2-3-1105";

describe("parseSecurityTemplate", () => {
  it("reads Administrators__Members (SIDs and names) and __Memberof additions", () => {
    const r = parseSecurityTemplate(
      securityTemplate([
        `*S-1-5-32-544__Members = *${DA},VIGIL\\Server Admins, "*${HELPDESK}"`,
        "*S-1-5-21-1-2-3-1107__Memberof = *S-1-5-32-544",
        "VIGIL\\eve__Memberof = Administrators",
        "*S-1-5-21-1-2-3-1108__Memberof = *S-1-5-32-555",
        "*S-1-5-32-555__Members = *S-1-5-21-1-2-3-1109",
      ]),
    );
    expect(r.change).toEqual({
      from: "security-template",
      replaceWith: [{ sid: DA }, { name: "VIGIL\\Server Admins" }, { sid: HELPDESK }],
      remove: [],
      add: [{ sid: "S-1-5-21-1-2-3-1107" }, { name: "VIGIL\\eve" }],
    });
    expect(r.notes).toEqual([]);
  });

  it("keeps an empty __Members (the group is emptied) apart from an absent one", () => {
    expect(parseSecurityTemplate(securityTemplate(["*S-1-5-32-544__Members ="])).change).toEqual({
      from: "security-template",
      replaceWith: [],
      remove: [],
      add: [],
    });
    expect(parseSecurityTemplate(securityTemplate(["*S-1-5-32-544__Memberof ="])).change).toBeUndefined();
  });

  it("returns no change for a template without [Group Membership] settings for Administrators", () => {
    expect(parseSecurityTemplate(securityTemplate([])).change).toBeUndefined();
  });

  it("notes unknown sections and bad lines, skips only those, and uses the rest", () => {
    const r = parseSecurityTemplate(
      securityTemplate(
        [
          "this line has no equals sign",
          "*S-1-5-21-1-2-3-1110",
          "*not-a-sid__Memberof = *S-1-5-32-544",
          "*S-1-5-21-1-2-3-1111__Memberof = *S-1-5-32-544,*garbage",
          "somekey = value",
          "VIGIL\\frank__Memberof = Administrateurs",
          "*S-1-5-21-1-2-3-1112__Memberof = *S-1-5-32-544",
        ],
        "[Vendor Extension]\r\nFoo=1",
      ),
    );
    expect(r.change?.add).toEqual([{ sid: "S-1-5-21-1-2-3-1112" }]);
    expect(r.notes).toEqual([
      "line 8: unknown section [Vendor Extension] ignored",
      'line 11: [Group Membership] line without "key = value" skipped',
      'line 12: [Group Membership] line without "key = value" skipped',
      'line 13: "*NOT-A-SID" is not a SID; skipped',
      'line 14: "*GARBAGE" is not a SID; line skipped',
      'line 15: [Group Membership] key "somekey" is neither <group>__Members nor <principal>__Memberof; skipped',
      'line 16: group name "Administrateurs" is not recognised as the built-in Administrators (write *S-1-5-32-544)',
    ]);
  });

  it("says when __Members is repeated (the later line wins)", () => {
    const r = parseSecurityTemplate(securityTemplate([`*S-1-5-32-544__Members = *${DA}`, `Administrators__Members = *${HELPDESK}`]));
    expect(r.change?.replaceWith).toEqual([{ sid: HELPDESK }]);
    expect(r.notes).toEqual(["line 10: Administrators__Members appears again; the later line wins"]);
  });

  it.each([
    [
      "no [Version] section",
      "[Group Membership]\r\n*S-1-5-32-544__Members = *S-1-5-21-1-2-3-512\r\n",
      /signature="\$CHICAGO\$" \(missing\)/,
    ],
    ["another signature", '[Version]\r\nsignature="$WINDOWS NT$"\r\n', /found "\$WINDOWS NT\$"/],
    ["an INI file of another program", "[core]\r\nrepositoryformatversion = 0\r\n", /not a security template/],
  ])("refuses %s as a whole", (_name, text, reason) => {
    let error: unknown;
    try {
      parseSecurityTemplate(text);
    } catch (e) {
      error = e;
    }
    expect(isGpoError(error, "GPO_MALFORMED")).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });
});
