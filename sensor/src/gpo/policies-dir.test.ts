import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { isGpoError } from "./errors.ts";
import { readGpoPolicies } from "./policies-dir.ts";
import { groupsXml, securityTemplate, utf16le, utf8 } from "./test-files.ts";

const G = {
  good: "11111111-1111-1111-1111-111111111111",
  gpp: "22222222-2222-2222-2222-222222222222",
  truncated: "33333333-3333-3333-3333-333333333333",
  huge: "44444444-4444-4444-4444-444444444444",
  garbage: "55555555-5555-5555-5555-555555555555",
  empty: "66666666-6666-6666-6666-666666666666",
};
const HELPDESK = "S-1-5-21-1-2-3-1105";
const INF = ["Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"];
const XML = ["Machine", "Preferences", "Groups", "Groups.xml"];

function put(root: string, parts: string[], bytes: Buffer): void {
  const path = join(root, ...parts);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

const folder = (guid: string) => `{${guid}}`;

/** A Policies directory with one GPO per kind of input, good and bad. */
function makePolicies(root: string): void {
  const members = securityTemplate([`*S-1-5-32-544__Members = *${HELPDESK}`]);
  put(root, [folder(G.good), ...INF], utf16le(members));
  // A Samba- or robocopy-made copy may spell the folders in capitals; and the GUID in lower case.
  put(
    root,
    [folder(G.gpp).toLowerCase(), "MACHINE", "Preferences", "Groups", "Groups.xml"],
    utf8(groupsXml([{ sid: HELPDESK, action: "ADD" }])),
  );
  put(root, [folder(G.gpp).toLowerCase(), "MACHINE", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"], utf8(members, true));
  put(root, [folder(G.truncated), ...INF], utf16le(members).subarray(0, 101));
  put(root, [folder(G.truncated), ...XML], utf8(groupsXml([{ sid: HELPDESK, action: "ADD" }]).slice(0, 250)));
  put(root, [folder(G.huge), ...INF], utf16le(securityTemplate([`*S-1-5-32-544__Members = *${HELPDESK}`], `; ${"x".repeat(5000)}`)));
  put(root, [folder(G.garbage), ...INF], Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256)));
  mkdirSync(join(root, folder(G.empty), "Machine"), { recursive: true });
  mkdirSync(join(root, "PolicyDefinitions"));
  writeFileSync(join(root, "notes.txt"), "not a GPO");
}

describe("readGpoPolicies", () => {
  it("reads every GPO folder, rejects each bad file with its reason, and keeps the good ones", async () => {
    const root = mkdtempSync(join(tmpdir(), "vigil-gpo-"));
    makePolicies(root);
    const r = await readGpoPolicies(root, { maxFileBytes: 4096 });
    expect(r.policiesDirs).toEqual([root]);
    expect(r.ignored.sort()).toEqual(["PolicyDefinitions", "notes.txt"]);
    const byGuid = Object.fromEntries(r.gpos.map((g) => [g.guid, g]));
    expect(Object.keys(byGuid)).toEqual(Object.values(G).sort());
    expect(byGuid[G.good]!.changes).toEqual([{ from: "security-template", replaceWith: [{ sid: HELPDESK }], remove: [], add: [] }]);
    expect(byGuid[G.good]!.files).toEqual([
      { path: `{${G.good}}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`, kind: "security-template", status: "read", notes: [] },
    ]);
    // Security template first, then preferences: the order the evaluation replays them in.
    expect(byGuid[G.gpp]!.changes.map((c) => c.from)).toEqual(["security-template", "group-preferences"]);
    expect(byGuid[G.gpp]!.files.map((f) => f.path)).toEqual([
      `{${G.gpp.toLowerCase()}}/MACHINE/Microsoft/Windows NT/SecEdit/GptTmpl.inf`,
      `{${G.gpp.toLowerCase()}}/MACHINE/Preferences/Groups/Groups.xml`,
    ]);
    const rejected = (guid: string) => byGuid[guid]!.files.map((f) => [f.kind, f.status, f.reason]);
    expect(byGuid[G.truncated]!.changes).toEqual([]);
    expect(rejected(G.truncated)).toEqual([
      ["security-template", "rejected", expect.stringMatching(/^GPO_BAD_ENCODING: .*odd number of bytes \(truncated\?\): file skipped$/)],
      ["group-preferences", "rejected", expect.stringMatching(/^GPO_MALFORMED: not well-formed XML/)],
    ]);
    expect(rejected(G.huge)).toEqual([
      ["security-template", "rejected", expect.stringMatching(/^GPO_FILE_TOO_LARGE: \d+ bytes, more than the 4096/)],
    ]);
    expect(rejected(G.garbage)).toEqual([["security-template", "rejected", expect.stringMatching(/^GPO_BAD_ENCODING: /)]]);
    expect(byGuid[G.empty]).toMatchObject({ changes: [], files: [] });
  });

  it("finds <realm>/Policies below a sysvol root and Policies below its parent", async () => {
    const sysvol = mkdtempSync(join(tmpdir(), "vigil-sysvol-"));
    const policies = join(sysvol, "vigil.lab", "Policies");
    put(policies, [folder(G.good), ...INF], utf16le(securityTemplate([`*S-1-5-32-544__Members = *${HELPDESK}`])));
    mkdirSync(join(sysvol, "vigil.lab", "scripts"));
    const fromRoot = await readGpoPolicies(sysvol);
    expect(fromRoot.policiesDirs).toEqual([policies]);
    expect(fromRoot.gpos.map((g) => [g.guid, g.folder])).toEqual([[G.good, `vigil.lab/Policies/{${G.good}}`]]);
    const fromRealm = await readGpoPolicies(join(sysvol, "vigil.lab"));
    expect(fromRealm.gpos.map((g) => g.folder)).toEqual([`Policies/{${G.good}}`]);
  });

  it("does not follow a symbolic link out of the copy", async () => {
    const outside = mkdtempSync(join(tmpdir(), "vigil-outside-"));
    put(outside, INF.slice(1), utf16le(securityTemplate([`*S-1-5-32-544__Members = *${HELPDESK}`])));
    const root = mkdtempSync(join(tmpdir(), "vigil-gpo-link-"));
    mkdirSync(join(root, folder(G.good)));
    symlinkSync(outside, join(root, folder(G.good), "Machine"));
    const r = await readGpoPolicies(root);
    expect(r.gpos).toEqual([{ guid: G.good, folder: `{${G.good}}`, changes: [], files: [] }]);
  });

  it.each([
    ["a missing directory", (d: string) => join(d, "nope"), /cannot list .*nope \(ENOENT\)/],
    ["a directory without GPOs", (d: string) => d, /holds no GPO folders/],
  ])("throws GPO_DIRECTORY_UNREADABLE for %s", async (_name, pick, reason) => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-gpo-none-"));
    mkdirSync(join(dir, "scripts"));
    const error = await readGpoPolicies(pick(dir)).catch((e: unknown) => e);
    expect(isGpoError(error, "GPO_DIRECTORY_UNREADABLE")).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });
});
